package io.holdout.run;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes TensorBoard's event file {@code <run>/tensorboard/events.out.tfevents.<secs>.<host>}: per
 * epoch the scalars {@code loss/train/total}, {@code loss/train/<component>} (raw), the same under
 * {@code loss/val/}, {@code metrics/val/<key>}, {@code lr} and {@code speed/<unit>_per_s}; after the
 * test, {@code loss/test/...} and {@code metrics/test/<key>} at the last epoch's step.
 *
 * <p>The format is written here, without TensorFlow: a sequence of TFRecords (uint64 little-endian
 * length, masked CRC32C of those 8 bytes, the data, masked CRC32C of the data), each holding an
 * {@code Event} protobuf (wall_time = 1 double, step = 2 int64, file_version = 3 string in the first
 * event, summary = 5: {@code Summary{repeated Value value = 1 {string tag = 1; float simple_value = 2}}}).
 * Records are appended and forced to disk per epoch, so a crash keeps the epochs before it (a torn
 * last record is where readers stop). A resumed run starts a new file in the same folder (suffixed
 * {@code .2}... when it starts in the same second); TensorBoard reads them together.
 */
public final class TensorBoard implements TrainingListener, AutoCloseable {
  /** The folder under the run folder that holds the event files. */
  public static final String DIR = "tensorboard";

  private Path file;
  private final List<String> components;
  private final String unit;
  private FileChannel out;
  private int lastEpoch;

  /**
   * @param runFolder the run's folder ({@code tensorboard/} is created in it)
   * @param unit what a sample is in the speed tag ({@code img}, {@code samples})
   * @param lastEpoch the last epoch done before this process (a resumed run), 0 for a fresh one
   */
  public TensorBoard(Path runFolder, List<String> components, String unit, int lastEpoch) {
    long secs = System.currentTimeMillis() / 1000;
    this.file = runFolder.resolve(DIR).resolve("events.out.tfevents." + secs + "." + host());
    this.components = List.copyOf(components);
    this.unit = unit;
    this.lastEpoch = lastEpoch;
  }

  /** The event file this writer writes. */
  public Path file() {
    return file;
  }

  private static String host() {
    String h;
    try {
      h = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      h = "localhost";
    }
    String safe = h.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe.isEmpty() ? "localhost" : safe;
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    lastEpoch = s.epoch();
    Map<String, Double> v = new LinkedHashMap<>();
    losses(v, "train", s.train());
    if (s.val() != null) {
      losses(v, "val", s.val());
    }
    s.valMetrics().forEach((k, x) -> v.put("metrics/val/" + k, x));
    v.put("lr", s.lr());
    v.put("speed/" + unit + "_per_s", s.samplesPerSecond());
    write(s.epoch(), v);
  }

  @Override
  public void onTestEnd(TrainingContext ctx, EvalSummary s) {
    Map<String, Double> v = new LinkedHashMap<>();
    losses(v, "test", s.loss());
    s.metrics().forEach((k, x) -> v.put("metrics/test/" + k, x));
    write(lastEpoch, v);
  }

  private void losses(Map<String, Double> v, String split, LossBreakdown b) {
    v.put("loss/" + split + "/total", b.total());
    for (String c : components) {
      v.put("loss/" + split + "/" + c, b.raw(c));
    }
  }

  private void write(long step, Map<String, Double> scalars) {
    try {
      ByteArrayOutputStream records = new ByteArrayOutputStream();
      if (out == null) {
        Files.createDirectories(file.getParent());
        out = openNew();
        records.writeBytes(record(event(now(), 0, "brain.Event:2", null)));
      }
      records.writeBytes(record(event(now(), step, null, summary(scalars))));
      ByteBuffer b = ByteBuffer.wrap(records.toByteArray());
      while (b.hasRemaining()) {
        out.write(b);
      }
      out.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Creates the file; when a run and its resume start in the same second, the later one gets the
   * suffix {@code .2}, {@code .3}... (TensorBoard reads every file whose name holds "tfevents").
   */
  private FileChannel openNew() throws IOException {
    for (int i = 1; ; i++) {
      Path f = i == 1 ? file : file.resolveSibling(file.getFileName() + "." + i);
      try {
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        file = f;
        return ch;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (i > 1000) {
          throw e;
        }
      }
    }
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }

  /** An {@code Event}: wall time, step, and a file version or a summary. */
  static byte[] event(double wallTime, long step, String fileVersion, byte[] summary) {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    e.write(0x09); // field 1, 64-bit
    e.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(wallTime).array());
    e.write(0x10); // field 2, varint
    varint(e, step);
    if (fileVersion != null) {
      bytesField(e, 3, fileVersion.getBytes(StandardCharsets.UTF_8));
    }
    if (summary != null) {
      bytesField(e, 5, summary);
    }
    return e.toByteArray();
  }

  /** A {@code Summary} of simple values; non-finite values are left out (TensorBoard cannot plot them). */
  static byte[] summary(Map<String, Double> scalars) {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    scalars.forEach((tag, v) -> {
      if (v == null || !Double.isFinite(v)) {
        return;
      }
      ByteArrayOutputStream value = new ByteArrayOutputStream();
      bytesField(value, 1, tag.getBytes(StandardCharsets.UTF_8));
      value.write(0x15); // field 2, 32-bit
      value.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v.floatValue()).array());
      bytesField(s, 1, value.toByteArray());
    });
    return s.toByteArray();
  }

  /** One TFRecord: length, its masked CRC, the data, its masked CRC (all little-endian). */
  static byte[] record(byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
    b.put(length).putInt(maskedCrc(length)).put(data).putInt(maskedCrc(data));
    return b.array();
  }

  /** TFRecord's CRC: CRC32C rotated right by 15 bits plus 0xa282ead8. */
  static int maskedCrc(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
    varint(out, (field << 3) | 2);
    varint(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
