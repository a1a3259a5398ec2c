package io.holdout.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Conversions between neutral {@link Tensor}s and ONNX Runtime tensors. Every {@link OnnxTensor}
 * returned here is new and native: the caller owns it and must close it.
 *
 * <p>Neutral tensors live in direct little-endian buffers, which is the native order on every
 * platform the bundled natives ship for, so float and int64 tensors are handed to ONNX Runtime in
 * place, without a copy; the caller keeps the neutral tensor reachable until the run is over.
 */
final class Feeds {
  private Feeds() {}

  /** A float tensor of {@code t}'s shape holding its values (integers converted). */
  static OnnxTensor floats(OrtEnvironment env, Tensor t) throws OrtException {
    if (t.dtype() == DType.FLOAT32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      return OnnxTensor.createTensor(env, t.buffer().asFloatBuffer(), t.shape());
    }
    long[] v = t.dtype() == DType.INT64 ? t.toLongArray() : toLongs(t);
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(f), t.shape());
  }

  /**
   * An int64 tensor of class labels ({@code INT64} or {@code INT32} in the batch).
   *
   * @param what names the tensor in the error for a float tensor
   */
  static OnnxTensor labels(OrtEnvironment env, Tensor t, String what) throws OrtException {
    if (t.dtype() == DType.INT64 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      return OnnxTensor.createTensor(env, t.buffer().asLongBuffer(), t.shape());
    }
    return OnnxTensor.createTensor(env, LongBuffer.wrap(labels(t, what)), t.shape());
  }

  /**
   * Class labels as longs, for checks and for feeding ({@code INT64} or {@code INT32}).
   *
   * @param what names the tensor in the error for a float tensor
   */
  static long[] labels(Tensor t, String what) {
    return io.holdout.losses.TargetCheck.labels(t, what);
  }

  /** The values of a float or double ONNX Runtime value (loss values: double in float64 sessions). */
  static double[] doubles(OnnxValue value, String what) {
    if (value instanceof OnnxTensor t && t.getInfo().type == ai.onnxruntime.OnnxJavaType.DOUBLE) {
      java.nio.DoubleBuffer d = t.getDoubleBuffer();
      double[] out = new double[d.remaining()];
      d.get(out);
      return out;
    }
    float[] f = toTensor(value, what).toFloatArray();
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  /**
   * Copies a float ONNX Runtime value out into a fresh neutral float32 tensor (a double one, the
   * state of a float64 session, rounded); the source stays open.
   */
  static Tensor toTensor(OnnxValue value, String what) {
    if (value instanceof OnnxTensor t && t.getInfo().type == ai.onnxruntime.OnnxJavaType.DOUBLE) {
      java.nio.DoubleBuffer d = t.getDoubleBuffer();
      Tensor out = Tensor.zeros(DType.FLOAT32, t.getInfo().getShape());
      java.nio.FloatBuffer f = out.floatBuffer();
      while (d.hasRemaining()) {
        f.put((float) d.get());
      }
      return out;
    }
    if (!(value instanceof OnnxTensor t) || t.getInfo().type != ai.onnxruntime.OnnxJavaType.FLOAT) {
      throw new IllegalStateException(what + " is not a float tensor: " + value.getInfo());
    }
    TensorInfo info = t.getInfo();
    Tensor out = Tensor.zeros(DType.FLOAT32, info.getShape());
    if (out.elementCount() > 0) {
      out.floatBuffer().put(t.getFloatBuffer());
    }
    return out;
  }

  private static long[] toLongs(Tensor t) {
    int[] v = t.toIntArray();
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
