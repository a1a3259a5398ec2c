package io.holdout.api.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An engine-neutral dense tensor: a dtype, a shape and a direct, little-endian byte buffer holding
 * the elements in row-major (C) order.
 *
 * <p>The buffer is direct so that engines can wrap it without copying it onto the Java heap first.
 * A tensor is immutable by convention: callers must not write into {@link #buffer()}.
 */
public final class Tensor {
  private final DType dtype;
  private final long[] shape;
  private final ByteBuffer data;

  private Tensor(DType dtype, long[] shape, ByteBuffer data) {
    this.dtype = Objects.requireNonNull(dtype, "dtype is null");
    this.shape = shape.clone();
    long n = elementCount(shape);
    if ((long) data.capacity() != n * dtype.bytes()) {
      throw new IllegalArgumentException(
          "buffer of " + data.capacity() + " bytes does not hold " + dtype + Arrays.toString(shape));
    }
    this.data = data.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Number of elements of a shape; a shape of length 0 is a scalar (1 element). */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** A zero-filled tensor in a fresh direct buffer. */
  public static Tensor zeros(DType dtype, long... shape) {
    long bytes = elementCount(shape) * dtype.bytes();
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
    }
    return new Tensor(dtype, shape, ByteBuffer.allocateDirect((int) bytes));
  }

  /** Wraps an existing buffer (its position is ignored; the whole capacity is the data). */
  public static Tensor wrap(DType dtype, long[] shape, ByteBuffer data) {
    ByteBuffer b = data.duplicate();
    b.clear();
    return new Tensor(dtype, shape, b.slice());
  }

  public static Tensor ofFloats(long[] shape, float... values) {
    Tensor t = zeros(DType.FLOAT32, shape);
    if (values.length != t.elementCount()) {
      throw new IllegalArgumentException(
          values.length + " values do not fill shape " + Arrays.toString(shape));
    }
    t.data.asFloatBuffer().put(values);
    return t;
  }

  public static Tensor ofLongs(long[] shape, long... values) {
    Tensor t = zeros(DType.INT64, shape);
    if (values.length != t.elementCount()) {
      throw new IllegalArgumentException(
          values.length + " values do not fill shape " + Arrays.toString(shape));
    }
    t.data.asLongBuffer().put(values);
    return t;
  }

  public static Tensor ofInts(long[] shape, int... values) {
    Tensor t = zeros(DType.INT32, shape);
    if (values.length != t.elementCount()) {
      throw new IllegalArgumentException(
          values.length + " values do not fill shape " + Arrays.toString(shape));
    }
    t.data.asIntBuffer().put(values);
    return t;
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  public long elementCount() {
    return elementCount(shape);
  }

  /** A read view of the data: position 0, little-endian; writes through it are not allowed. */
  public ByteBuffer buffer() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Writable access for producers that fill a tensor they just created with {@link #zeros}. */
  public FloatBuffer floatBuffer() {
    requireType(DType.FLOAT32);
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }

  public LongBuffer longBuffer() {
    requireType(DType.INT64);
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
  }

  public IntBuffer intBuffer() {
    requireType(DType.INT32);
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
  }

  public float[] toFloatArray() {
    float[] out = new float[(int) elementCount()];
    floatBuffer().get(out);
    return out;
  }

  public long[] toLongArray() {
    long[] out = new long[(int) elementCount()];
    longBuffer().get(out);
    return out;
  }

  public int[] toIntArray() {
    int[] out = new int[(int) elementCount()];
    intBuffer().get(out);
    return out;
  }

  /** The same data seen with another shape of the same element count. */
  public Tensor reshape(long... newShape) {
    if (elementCount(newShape) != elementCount()) {
      throw new IllegalArgumentException(
          "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
    }
    return new Tensor(dtype, newShape, data.duplicate());
  }

  /** A deep copy in a new direct buffer. */
  public Tensor copy() {
    Tensor t = zeros(dtype, shape);
    t.data.duplicate().put(buffer());
    return t;
  }

  private void requireType(DType expected) {
    if (dtype != expected) {
      throw new IllegalStateException("tensor is " + dtype + ", not " + expected);
    }
  }

  @Override
  public String toString() {
    return "Tensor[" + dtype + Arrays.toString(shape) + "]";
  }
}
