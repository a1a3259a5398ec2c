package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies arrays computed in Java (masks, per-sample weights, labels) into engine memory through one
 * reusable direct buffer. DJL's {@code create(float[])} would allocate a fresh direct buffer each
 * time, freed only when the garbage collector gets to it; staging keeps a long run's native memory
 * flat. Not thread-safe: one per session (or test).
 */
final class Staging {
  private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 12).order(ByteOrder.nativeOrder());

  /** {@code v} in the thread's float type ({@link Tensors#floatType()}). */
  NDArray floats(NDManager m, float[] v, Shape shape) {
    if (Tensors.floatType() == DataType.FLOAT64) {
      ByteBuffer b = reserve(v.length * 8L);
      java.nio.DoubleBuffer d = b.asDoubleBuffer();
      for (float x : v) {
        d.put(x);
      }
      return copyIn(m, b, shape, DataType.FLOAT64);
    }
    ByteBuffer b = reserve(v.length * 4L);
    b.asFloatBuffer().put(v);
    return copyIn(m, b, shape, DataType.FLOAT32);
  }

  NDArray floats(NDManager m, float[] v) {
    return floats(m, v, new Shape(v.length));
  }

  NDArray longs(NDManager m, long[] v, Shape shape) {
    ByteBuffer b = reserve(v.length * 8L);
    b.asLongBuffer().put(v);
    return copyIn(m, b, shape, DataType.INT64);
  }

  NDArray longs(NDManager m, long[] v) {
    return longs(m, v, new Shape(v.length));
  }

  /** A view of the first {@code bytes} of the buffer, grown when too small. */
  private ByteBuffer reserve(long bytes) {
    if (bytes > buffer.capacity()) {
      long grown = Math.max(bytes, 2L * buffer.capacity());
      buffer = ByteBuffer.allocateDirect(Math.toIntExact(grown)).order(ByteOrder.nativeOrder());
    }
    ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
    b.clear();
    b.limit((int) bytes);
    return b;
  }

  /** The engine reads the buffer in place; a duplicate detaches the result from it. */
  private static NDArray copyIn(NDManager m, ByteBuffer b, Shape shape, DataType type) {
    try (NDArray alias = m.create(b, shape, type)) {
      return alias.duplicate();
    }
  }
}
