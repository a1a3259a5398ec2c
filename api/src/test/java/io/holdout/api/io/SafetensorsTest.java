package io.holdout.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  @Test
  void roundTripsTensorsAndMetadata() {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("w", Tensor.ofFloats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6));
    t.put("idx", Tensor.ofLongs(new long[] {2}, 7, -8));
    Path f = dir.resolve("a.safetensors");
    Safetensors.write(f, t, Map.of("epoch", "3"));
    Safetensors.Contents c = Safetensors.read(f);
    assertThat(c.metadata()).containsEntry("epoch", "3");
    assertThat(c.tensors().get("w").shape()).containsExactly(2, 3);
    assertThat(c.tensors().get("w").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(c.tensors().get("idx").toLongArray()).containsExactly(7, -8);
  }

  @Test
  void layoutMatchesTheFormatByHand() throws Exception {
    Path f = dir.resolve("b.safetensors");
    Safetensors.write(f, Map.of("x", Tensor.ofFloats(new long[] {1}, 1.5f)), Map.of());
    byte[] bytes = Files.readAllBytes(f);
    long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLen % 8).isZero();
    String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8).strip();
    assertThat(header).isEqualTo("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
    float v = ByteBuffer.wrap(bytes, 8 + (int) headerLen, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    assertThat(v).isEqualTo(1.5f);
  }

  private Path raw(String header, int dataBytes) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path f = Files.createTempFile(dir, "bad", ".safetensors");
    Files.write(f, b.array());
    return f;
  }

  @Test
  void rejectsHeaderLongerThanTheFile() throws Exception {
    Path f = dir.resolve("c.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE - 3);
    Files.write(f, b.array());
    assertThatThrownBy(() -> Safetensors.read(f)).isInstanceOf(HoldoutException.class)
        .hasMessageContaining("header length");
  }

  @Test
  void rejectsOutOfRangeOverlappingUnknownDtypeAndHugeShapes() throws Exception {
    assertThatThrownBy(() -> Safetensors.read(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8)))
        .hasMessageContaining("outside the 8 data bytes");
    assertThatThrownBy(() -> Safetensors.read(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)))
        .hasMessageContaining("overlap");
    assertThatThrownBy(() -> Safetensors.read(raw("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1)))
        .hasMessageContaining("unsupported dtype 'Q7'");
    assertThatThrownBy(() -> Safetensors.read(raw(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4000000000,4000000000,4000000000],\"data_offsets\":[0,4]}}", 4)))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("too large");
    assertThatThrownBy(() -> Safetensors.read(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)))
        .hasMessageContaining("needs 12 bytes");
    assertThatThrownBy(() -> Safetensors.read(raw("not json", 0))).hasMessageContaining("not valid JSON");
  }

  @Test
  void truncatedFileIsAClearError() throws Exception {
    Path f = dir.resolve("d.safetensors");
    Safetensors.write(f, Map.of("x", Tensor.ofFloats(new long[] {4}, 1, 2, 3, 4)), Map.of());
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 5));
    assertThatThrownBy(() -> Safetensors.read(f)).isInstanceOf(HoldoutException.class).hasMessageContaining("outside");
  }

  @Test
  void failedWriteLeavesThePreviousFileIntact() throws Exception {
    Path f = dir.resolve("e.safetensors");
    Safetensors.write(f, Map.of("x", Tensor.ofFloats(new long[] {1}, 42f)), Map.of());
    assertThatThrownBy(() -> AtomicFiles.write(f, ch -> {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      throw new java.io.IOException("disk full (simulated)");
    })).hasMessageContaining("cannot write");
    assertThat(Safetensors.read(f).tensors().get("x").toFloatArray()).containsExactly(42f);
    try (var files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }
}
