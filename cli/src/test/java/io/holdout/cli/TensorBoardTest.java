package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run writes TensorBoard's event file. It is read back here record by record with a decoder
 * of this test's own: both masked CRC32Cs of every record, the Event and Summary protobufs, and one
 * scalar per loss component (and total, metric, lr) per epoch, equal to metrics.csv.
 */
class TensorBoardTest {
  @TempDir Path dir;

  record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {}

  @Test
  void eventFileHoldsOneScalarPerComponentPerEpochEqualToMetricsCsv() throws Exception {
    int epochs = 3;
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "java-reference", epochs);
    CliFixture.Result r = CliFixture.run("train", cfg.toString(), "--set", "trainer.progress=none");
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    List<Path> files;
    try (var s = Files.list(run.resolve("tensorboard"))) {
      files = s.toList();
    }
    assertThat(files).hasSize(1);
    assertThat(files.get(0).getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\..+");
    List<Event> events = read(Files.readAllBytes(files.get(0)));
    assertThat(events.get(0).fileVersion()).isEqualTo("brain.Event:2");
    assertThat(events.get(0).scalars()).isEmpty();

    // tag -> step -> values
    Map<String, Map<Long, List<Float>>> byTag = new TreeMap<>();
    for (Event e : events.subList(1, events.size())) {
      assertThat(e.wallTime()).isGreaterThan(1.6e9);
      e.scalars().forEach((tag, v) -> byTag.computeIfAbsent(tag, t -> new TreeMap<>())
          .computeIfAbsent(e.step(), s -> new ArrayList<>()).add(v));
    }
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> cols = Arrays.asList(csv.get(0).split(",", -1));
    int checked = 0;
    for (String split : List.of("train", "val")) {
      for (String c : List.of("total", "regression", "classification")) {
        Map<Long, List<Float>> steps = byTag.get("loss/" + split + "/" + c);
        assertThat(steps).as("loss/%s/%s", split, c).isNotNull();
        assertThat(steps.keySet()).as("one step per epoch").containsExactly(1L, 2L, 3L);
        for (String line : csv.subList(1, csv.size())) {
          String[] v = line.split(",", -1);
          if (!v[1].equals(split)) {
            continue;
          }
          List<Float> at = steps.get(Long.parseLong(v[0]));
          assertThat(at).as("one scalar at epoch " + v[0]).hasSize(1);
          double expected = Double.parseDouble(v[cols.indexOf(c)]);
          assertThat((double) at.get(0)).as("%s/%s epoch %s", split, c, v[0])
              .isCloseTo(expected, within(1e-6 * Math.max(1, Math.abs(expected))));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(2 * 3 * epochs);
    for (String tag : List.of("lr", "speed/samples_per_s", "metrics/val/species.accuracy", "metrics/val/petal_width.r2")) {
      assertThat(byTag.get(tag)).as(tag).isNotNull();
      assertThat(byTag.get(tag).keySet()).as(tag).containsExactly(1L, 2L, 3L);
    }
    assertThat(byTag.get("lr").get(2L).get(0)).isEqualTo(0.02f);
    String testRow = csv.get(csv.size() - 1);
    double testAccuracy = Double.parseDouble(testRow.split(",", -1)[cols.indexOf("species.accuracy")]);
    assertThat((double) byTag.get("metrics/test/species.accuracy").get((long) epochs).get(0))
        .isCloseTo(testAccuracy, within(1e-6));
  }

  @Test
  void aBadCrcIsCaughtByTheReader() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "java-reference", 1);
    CliFixture.Result r = CliFixture.run("train", cfg.toString(), "--set", "trainer.progress=none");
    assertThat(r.code()).as(r.err()).isZero();
    Path tb;
    try (var s = Files.list(TrainCommandTest.runFolder(r).resolve("tensorboard"))) {
      tb = s.findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(tb);
    bytes[bytes.length - 7] ^= 1; // a data byte of the last record
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(bytes)).hasMessageContaining("data CRC");
  }

  /** Reads TFRecords of Events; fails on a bad length CRC, data CRC or a truncated record. */
  static List<Event> read(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> out = new ArrayList<>();
    while (b.hasRemaining()) {
      assertThat(b.remaining()).as("record header").isGreaterThanOrEqualTo(12);
      byte[] len = new byte[8];
      b.get(len);
      int lenCrc = b.getInt();
      if (lenCrc != masked(len)) {
        throw new AssertionError("record " + out.size() + ": length CRC mismatch");
      }
      long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertThat(b.remaining()).as("record data").isGreaterThanOrEqualTo((int) n + 4);
      byte[] data = new byte[(int) n];
      b.get(data);
      if (b.getInt() != masked(data)) {
        throw new AssertionError("record " + out.size() + ": data CRC mismatch");
      }
      out.add(event(data));
    }
    return out;
  }

  private static int masked(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data, 0, data.length);
    long crc = c.getValue();
    long rotated = ((crc >>> 15) | (crc << 17)) & 0xffffffffL;
    return (int) ((rotated + 0xa282ead8L) & 0xffffffffL);
  }

  private static Event event(byte[] data) {
    Proto p = new Proto(data);
    double wall = 0;
    long step = 0;
    String version = null;
    Map<String, Float> scalars = new LinkedHashMap<>();
    while (p.more()) {
      long key = p.varint();
      int field = (int) (key >>> 3);
      int wire = (int) (key & 7);
      if (field == 1 && wire == 1) {
        wall = ByteBuffer.wrap(p.bytes(8)).order(ByteOrder.LITTLE_ENDIAN).getDouble();
      } else if (field == 2 && wire == 0) {
        step = p.varint();
      } else if (field == 3 && wire == 2) {
        version = new String(p.bytes((int) p.varint()), StandardCharsets.UTF_8);
      } else if (field == 5 && wire == 2) {
        Proto summary = new Proto(p.bytes((int) p.varint()));
        while (summary.more()) {
          assertThat(summary.varint()).as("Summary.value key").isEqualTo((1 << 3) | 2);
          Proto value = new Proto(summary.bytes((int) summary.varint()));
          String tag = null;
          Float v = null;
          while (value.more()) {
            long k = value.varint();
            if (k == ((1 << 3) | 2)) {
              tag = new String(value.bytes((int) value.varint()), StandardCharsets.UTF_8);
            } else if (k == ((2 << 3) | 5)) {
              v = ByteBuffer.wrap(value.bytes(4)).order(ByteOrder.LITTLE_ENDIAN).getFloat();
            } else {
              throw new AssertionError("unexpected Value field key " + k);
            }
          }
          assertThat(scalars.put(tag, v)).as("tag %s once per event", tag).isNull();
        }
      } else {
        throw new AssertionError("unexpected Event field " + field + " wire type " + wire);
      }
    }
    return new Event(wall, step, version, scalars);
  }

  /** A cursor over protobuf bytes. */
  private static final class Proto {
    private final byte[] data;
    private int at;

    Proto(byte[] data) {
      this.data = data;
    }

    boolean more() {
      return at < data.length;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        int b = data[at++] & 0xff;
        v |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
    }

    byte[] bytes(int n) {
      byte[] out = Arrays.copyOfRange(data, at, at + n);
      at += n;
      return out;
    }
  }
}
