package io.holdout.spark;

import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Tensor} in a form Spark can serialize: dtype, shape and the little-endian bytes on the heap
 * ({@link Tensor} keeps a direct buffer, which Java serialization cannot carry).
 */
record PackedTensor(DType dtype, long[] shape, byte[] data) implements Serializable {
  private static final long serialVersionUID = 1L;

  static PackedTensor of(Tensor t) {
    byte[] b = new byte[t.buffer().capacity()];
    t.buffer().get(b);
    return new PackedTensor(t.dtype(), t.shape(), b);
  }

  Tensor tensor() {
    ByteBuffer b = ByteBuffer.allocateDirect(data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(data).flip();
    return Tensor.wrap(dtype, shape, b);
  }

  /** Rows {@code [from, to)} of the first dimension. */
  PackedTensor rows(int from, int to) {
    int rowBytes = (int) (data.length / shape[0]);
    long[] s = shape.clone();
    s[0] = to - from;
    byte[] out = new byte[(to - from) * rowBytes];
    System.arraycopy(data, from * rowBytes, out, 0, out.length);
    return new PackedTensor(dtype, s, out);
  }

  static LinkedHashMap<String, PackedTensor> pack(Map<String, Tensor> tensors) {
    LinkedHashMap<String, PackedTensor> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> out.put(k, of(v)));
    return out;
  }

  static LinkedHashMap<String, Tensor> unpack(Map<String, PackedTensor> packed) {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    packed.forEach((k, v) -> out.put(k, v.tensor()));
    return out;
  }
}
