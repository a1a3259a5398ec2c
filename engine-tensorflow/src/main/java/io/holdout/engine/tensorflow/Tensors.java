package io.holdout.engine.tensorflow;

import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.nio.ByteBuffer;
import org.tensorflow.RawTensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Conversions between neutral {@link Tensor}s and TensorFlow tensors. Every TensorFlow tensor
 * returned here is new and native: the caller owns it and must close it.
 *
 * <p>Neutral tensors are little-endian, as TensorFlow's buffers are on every platform its natives
 * ship for, so same-typed data moves as one bulk byte copy.
 */
final class Tensors {
  private Tensors() {}

  /** A float tensor of {@code t}'s shape holding its values (integers converted). */
  static TFloat32 floats(Tensor t) {
    Shape shape = Shape.of(t.shape());
    if (t.dtype() == DType.FLOAT32) {
      return org.tensorflow.Tensor.of(TFloat32.class, shape, DataBuffers.of(t.buffer()));
    }
    long[] v = t.dtype() == DType.INT64 ? t.toLongArray() : toLongs(t.toIntArray());
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    return floats(f, t.shape());
  }

  static TFloat32 floats(float[] values, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  static TInt64 longs(long[] values, long... shape) {
    return TInt64.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  /**
   * Class labels as longs, for checks and for feeding ({@code INT64} or {@code INT32}).
   *
   * @param what names the tensor in the error for a float tensor
   */
  static long[] labels(Tensor t, String what) {
    return io.holdout.losses.TargetCheck.labels(t, what);
  }

  /** Copies a TensorFlow tensor out into a fresh neutral tensor (the source stays open). */
  static Tensor toTensor(org.tensorflow.Tensor src) {
    DType dt;
    if (src instanceof TFloat32) {
      dt = DType.FLOAT32;
    } else if (src instanceof TInt64) {
      dt = DType.INT64;
    } else if (src instanceof TInt32) {
      dt = DType.INT32;
    } else {
      throw new IllegalArgumentException("no neutral dtype for " + src.dataType());
    }
    Tensor out = Tensor.zeros(dt, src.shape().asArray());
    if (out.elementCount() > 0) {
      RawTensor raw = src.asRawTensor();
      ByteBuffer dst = out.buffer();
      raw.data().copyTo(DataBuffers.of(dst), raw.numBytes());
    }
    return out;
  }

  /** The values of a float64 tensor. */
  static double[] toDoubles(org.tensorflow.Tensor src) {
    TFloat64 t = (TFloat64) src;
    double[] out = new double[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** The values of a float tensor. */
  static float[] toFloats(org.tensorflow.Tensor src) {
    return toTensor(src).toFloatArray();
  }

  private static long[] toLongs(int[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
