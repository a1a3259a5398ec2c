package io.holdout.api.data;

import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.util.Arrays;

/**
 * One named value of one sample, on the Java heap: float data (features, regression targets, boxes)
 * or integer data (class labels). The loader stacks fields of many samples into a {@link Tensor}.
 */
public record Field(DType dtype, long[] shape, float[] floats, long[] longs) {

  public Field {
    long n = Tensor.elementCount(shape);
    if (dtype == DType.FLOAT32 && (floats == null || floats.length != n)) {
      throw new IllegalArgumentException("float field does not fill " + Arrays.toString(shape));
    }
    if (dtype == DType.INT64 && (longs == null || longs.length != n)) {
      throw new IllegalArgumentException("long field does not fill " + Arrays.toString(shape));
    }
    if (dtype == DType.INT32) {
      throw new IllegalArgumentException("sample fields are FLOAT32 or INT64");
    }
  }

  public static Field floats(long[] shape, float... values) {
    return new Field(DType.FLOAT32, shape, values, null);
  }

  /** A 1-D float vector. */
  public static Field vector(float... values) {
    return new Field(DType.FLOAT32, new long[] {values.length}, values, null);
  }

  /** A class label (a scalar). */
  public static Field label(long value) {
    return new Field(DType.INT64, new long[0], null, new long[] {value});
  }

  public static Field longs(long[] shape, long... values) {
    return new Field(DType.INT64, shape, null, values);
  }

  public long elementCount() {
    return Tensor.elementCount(shape);
  }
}
