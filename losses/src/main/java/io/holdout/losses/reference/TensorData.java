package io.holdout.losses.reference;

import io.holdout.api.tensor.Tensor;
import java.util.Arrays;

/** Reads neutral tensors into Java arrays, converting between integer and float types. */
final class TensorData {
  private TensorData() {}

  static float[] floats(Tensor t) {
    switch (t.dtype()) {
      case FLOAT32:
        return t.toFloatArray();
      case INT64: {
        long[] l = t.toLongArray();
        float[] f = new float[l.length];
        for (int i = 0; i < l.length; i++) {
          f[i] = l[i];
        }
        return f;
      }
      case INT32: {
        int[] n = t.toIntArray();
        float[] f = new float[n.length];
        for (int i = 0; i < n.length; i++) {
          f[i] = n[i];
        }
        return f;
      }
      default:
        throw new IllegalArgumentException("unsupported dtype " + t.dtype());
    }
  }

  static long[] longs(Tensor t, String what) {
    switch (t.dtype()) {
      case INT64:
        return t.toLongArray();
      case INT32: {
        int[] n = t.toIntArray();
        long[] l = new long[n.length];
        for (int i = 0; i < n.length; i++) {
          l[i] = n[i];
        }
        return l;
      }
      default:
        throw new IllegalArgumentException(what + " must be integer class labels, got " + t);
    }
  }

  static void requireShape(Tensor t, String what, long... shape) {
    if (!Arrays.equals(t.shape(), shape)) {
      throw new IllegalArgumentException(
          what + " must have shape " + Arrays.toString(shape) + ", got " + t);
    }
  }
}
