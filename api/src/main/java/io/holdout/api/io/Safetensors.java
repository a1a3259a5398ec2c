package io.holdout.api.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional string {@code __metadata__}), then
 * the raw little-endian tensor bytes. Files open in Python with {@code safetensors.torch.load_file}.
 *
 * <p>Reading validates everything before allocating: a header longer than the file, offsets out of
 * range or overlapping, an unknown dtype or a shape whose size does not match its byte range are
 * rejected with a {@link HoldoutException} naming the file — never an OutOfMemoryError.
 */
public final class Safetensors {
  /** Headers above this size are refused (real ones are a few kilobytes). */
  static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Safetensors() {}

  /** What a file holds: tensors in header order and the string metadata. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  /** Writes {@code tensors} atomically (temporary file in the same folder, then rename). */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      long bytes = t.elementCount() * t.dtype().bytes();
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", t.dtype().safetensorsName());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      ArrayNode offs = entry.putArray("data_offsets");
      offs.add(offset);
      offs.add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    // pad the header with spaces to an 8-byte boundary, as the reference implementation does
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      headerBytes[i] = ' ';
    }
    AtomicFiles.write(file, ch -> {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      len.flip();
      writeFully(ch, len);
      writeFully(ch, ByteBuffer.wrap(headerBytes));
      for (Tensor t : tensors.values()) {
        writeFully(ch, t.buffer());
      }
    });
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Reads and validates a file; every problem is a {@link HoldoutException} naming it. */
  public static Contents read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw bad(file, "file is " + size + " bytes, too short for a header");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen < 2 || headerLen > size - 8 || headerLen > MAX_HEADER_BYTES) {
        throw bad(file, "header length " + Long.toUnsignedString(headerLen) + " does not fit a file of " + size + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      readFully(ch, hb, 8);
      JsonNode header;
      try {
        header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw bad(file, "header is not valid JSON");
      }
      if (header == null || !header.isObject()) {
        throw bad(file, "header is not a JSON object");
      }
      long dataStart = 8 + headerLen;
      long dataLen = size - dataStart;
      Map<String, String> metadata = new LinkedHashMap<>();
      record Entry(String name, DType dtype, long[] shape, long begin, long end) {}
      List<Entry> entries = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String name = f.getKey();
        JsonNode v = f.getValue();
        if (name.equals("__metadata__")) {
          if (!v.isObject()) {
            throw bad(file, "__metadata__ is not an object");
          }
          v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        String dt = v.path("dtype").asText("");
        DType dtype = DType.fromSafetensorsName(dt);
        if (dtype == null) {
          throw bad(file, "tensor '" + name + "' has unsupported dtype '" + dt + "' (supported: F32, I64, I32)");
        }
        JsonNode shapeNode = v.path("shape");
        JsonNode offs = v.path("data_offsets");
        if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
          throw bad(file, "tensor '" + name + "' lacks shape or data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
          JsonNode dn = shapeNode.get(i);
          if (!dn.canConvertToLong() || dn.asLong() < 0) {
            throw bad(file, "tensor '" + name + "' has an invalid dimension " + dn);
          }
          shape[i] = dn.asLong();
          if (shape[i] != 0 && count > Long.MAX_VALUE / shape[i] / 8) {
            throw bad(file, "tensor '" + name + "' shape " + shapeNode + " is too large");
          }
          count *= shape[i];
        }
        if (!offs.get(0).canConvertToLong() || !offs.get(1).canConvertToLong()) {
          throw bad(file, "tensor '" + name + "' has invalid data_offsets");
        }
        long begin = offs.get(0).asLong();
        long end = offs.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLen) {
          throw bad(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end + "] are outside the "
              + dataLen + " data bytes");
        }
        if (end - begin != count * dtype.bytes()) {
          throw bad(file, "tensor '" + name + "' shape " + shapeNode + " needs " + count * dtype.bytes()
              + " bytes but data_offsets give " + (end - begin));
        }
        if (end - begin > Integer.MAX_VALUE) {
          throw bad(file, "tensor '" + name + "' is larger than 2 GiB");
        }
        entries.add(new Entry(name, dtype, shape, begin, end));
      }
      List<Entry> sorted = new ArrayList<>(entries);
      sorted.sort(Comparator.comparingLong(Entry::begin));
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i).begin() < sorted.get(i - 1).end()) {
          throw bad(file, "tensors '" + sorted.get(i - 1).name() + "' and '" + sorted.get(i).name() + "' overlap");
        }
      }
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (Entry e : entries) {
        ByteBuffer data = ByteBuffer.allocateDirect((int) (e.end() - e.begin()));
        readFully(ch, data, dataStart + e.begin());
        tensors.put(e.name(), Tensor.wrap(e.dtype(), e.shape(), data));
      }
      return new Contents(tensors, metadata);
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": file not found");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long pos = position;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += n;
    }
  }

  private static HoldoutException bad(Path file, String why) {
    return new HoldoutException(file + ": not a valid safetensors file: " + why);
  }
}
