package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions between neutral {@link Tensor}s and NDArrays. */
final class Tensors {
  private Tensors() {}

  /**
   * The float type the calling thread's session computes in (float32 unless a float64 session set
   * it for the duration of a step): the type of staged arrays, scalars and optimizer state.
   */
  private static final ThreadLocal<DataType> FLOAT = ThreadLocal.withInitial(() -> DataType.FLOAT32);

  static DataType floatType() {
    return FLOAT.get();
  }

  /** Sets the calling thread's float type and returns the previous one (to restore). */
  static DataType useFloatType(DataType t) {
    DataType old = FLOAT.get();
    FLOAT.set(t);
    return old;
  }

  /**
   * {@code v} as the operand of an operation that records no gradient (optimizer updates): a float
   * in float32 sessions, the double itself in float64 ones.
   */
  static Number num(double v) {
    return floatType() == DataType.FLOAT64 ? (Number) v : (Number) (float) v;
  }

  static DataType dataType(DType d) {
    return switch (d) {
      case FLOAT32 -> DataType.FLOAT32;
      case INT64 -> DataType.INT64;
      case INT32 -> DataType.INT32;
    };
  }

  static DType dtype(DataType d) {
    return switch (d) {
      case FLOAT32 -> DType.FLOAT32;
      case INT64 -> DType.INT64;
      case INT32 -> DType.INT32;
      default -> throw new IllegalArgumentException("no neutral dtype for " + d);
    };
  }

  /**
   * An NDArray over the tensor's data, owned by {@code m}. On the CPU it reads the tensor's direct
   * buffer in place (no copy at all), so it must not outlive the step and must not be written to; a
   * heap buffer is copied once into native memory.
   */
  static NDArray view(NDManager m, Tensor t) {
    return m.create(t.buffer(), new Shape(t.shape()), dataType(t.dtype()));
  }

  /** A copy of the tensor in memory owned by the engine, owned by {@code m}. */
  static NDArray copy(NDManager m, Tensor t) {
    try (NDArray alias = view(m, t)) {
      return alias.duplicate();
    }
  }

  /**
   * Copies an array out into a fresh neutral tensor. Temporary arrays this needs (a contiguous
   * copy, a transfer from the GPU) are owned by the array's manager, so call it inside a step.
   */
  static Tensor toTensor(NDArray a) {
    if (a.getDataType() == DataType.FLOAT64) {
      // float64 sessions hand their arrays out as float32, like every other session
      a = a.toType(DataType.FLOAT32, false);
    }
    DType dt = dtype(a.getDataType());
    Tensor out = Tensor.zeros(dt, a.getShape().getShape());
    if (out.elementCount() == 0) {
      return out;
    }
    ByteBuffer src = a.toByteBuffer(true).order(ByteOrder.nativeOrder());
    switch (dt) {
      case FLOAT32 -> out.floatBuffer().put(src.asFloatBuffer());
      case INT64 -> out.longBuffer().put(src.asLongBuffer());
      case INT32 -> out.intBuffer().put(src.asIntBuffer());
    }
    return out;
  }

  /**
   * A 0-d array of the thread's float type holding {@code v}, allocated by the engine and owned by
   * {@code m}.
   *
   * <p>Use it, never a {@code Number} operand ({@code x.mul(0.5f)}), in any operation that records
   * gradients: DJL turns a {@code Number} into an array over a Java direct buffer and closes that
   * array right after the operation, but autograd keeps the scalar for the backward pass (products,
   * quotients and powers save their operands). Once the garbage collector frees the buffer,
   * backward reads freed memory: wrong gradients or NaN, at random.
   */
  static NDArray scalar(NDManager m, double v) {
    if (floatType() == DataType.FLOAT64) {
      // DJL's create reads a Java direct buffer in place: the duplicate is engine memory
      try (NDArray alias = m.create(v)) {
        return alias.duplicate();
      }
    }
    return m.full(new Shape(), (float) v, DataType.FLOAT32);
  }

  /** The labels of a class target as longs, for checks and hard-negative mining in Java. */
  static long[] labels(Tensor t, String what) {
    return switch (t.dtype()) {
      case INT64 -> t.toLongArray();
      case INT32 -> {
        int[] v = t.toIntArray();
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
          out[i] = v[i];
        }
        yield out;
      }
      case FLOAT32 ->
          throw new io.holdout.api.HoldoutException(
              what + " must hold integer class labels (INT64), got FLOAT32");
    };
  }
}
