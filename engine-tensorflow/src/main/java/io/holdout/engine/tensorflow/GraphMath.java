package io.holdout.engine.tensorflow;

import io.holdout.api.backend.Precision;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * Small helpers over {@link Ops} for float graphs: constants, axes, layout changes, and the graph's
 * float type.
 *
 * <p>A graph computes in float32 or, for a {@link Precision#FLOAT64} session, in float64 ({@link
 * #register}). The code that builds graphs is written once over {@link TFloating}: constants,
 * variables and casts take the graph's type from {@link #floatType}, and feeds and fetches stay
 * float32 (batches, weights) or float64 (loss values, optimizer scalars), cast at the graph's edge.
 */
final class GraphMath {
  private GraphMath() {}

  private static final Map<ExecutionEnvironment, Class<? extends TFloating>> TYPES =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Makes {@code graph} compute in {@code p} (before any op is added). */
  static void register(Graph graph, Precision p) {
    TYPES.put(graph, p == Precision.FLOAT64 ? TFloat64.class : TFloat32.class);
  }

  /** The float type of {@code tf}'s graph (float32 unless registered otherwise). */
  @SuppressWarnings("unchecked")
  static Class<TFloating> floatType(Ops tf) {
    return (Class<TFloating>) TYPES.getOrDefault(tf.scope().env(), TFloat32.class);
  }

  static boolean float64(Ops tf) {
    return floatType(tf) == (Class<?>) TFloat64.class;
  }

  /**
   * A scalar constant of the graph's type: in float32 the double is rounded to float once, as the
   * PyTorch backend does.
   */
  @SuppressWarnings("unchecked")
  static Operand<TFloating> f(Ops tf, double v) {
    return float64(tf) ? (Operand<TFloating>) (Operand<?>) tf.constant(v)
        : (Operand<TFloating>) (Operand<?>) tf.constant((float) v);
  }

  /** A vector constant of the graph's type. */
  @SuppressWarnings("unchecked")
  static Operand<TFloating> vector(Ops tf, double[] v) {
    if (float64(tf)) {
      return (Operand<TFloating>) (Operand<?>) tf.constant(v);
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return (Operand<TFloating>) (Operand<?>) tf.constant(out);
  }

  /** {@code x} cast to the graph's float type (itself when it has it). */
  @SuppressWarnings("unchecked")
  static Operand<TFloating> toFloat(Ops tf, Operand<? extends TType> x) {
    Class<TFloating> t = floatType(tf);
    return x.type() == (Class<?>) t ? (Operand<TFloating>) x : tf.dtypes.cast(x, t);
  }

  /** {@code x} cast to {@code type} (itself when it has it): what a fetch reads. */
  @SuppressWarnings("unchecked")
  static <T extends TType> Operand<T> as(Ops tf, Operand<? extends TType> x, Class<T> type) {
    return x.type() == (Class<?>) type ? (Operand<T>) x : tf.dtypes.cast(x, type);
  }

  static Operand<TFloating> sum(Ops tf, Operand<TFloating> x, int... axes) {
    return tf.sum(x, tf.constant(axes));
  }

  static Operand<TFloating> mean(Ops tf, Operand<TFloating> x, int... axes) {
    return tf.math.mean(x, tf.constant(axes));
  }

  static Operand<TFloating> mul(Ops tf, Operand<TFloating> a, Operand<TFloating> b) {
    return tf.math.mul(a, b);
  }

  static Operand<TFloating> mul(Ops tf, Operand<TFloating> a, double b) {
    return tf.math.mul(a, f(tf, b));
  }

  static Operand<TFloating> add(Ops tf, Operand<TFloating> a, Operand<TFloating> b) {
    return tf.math.add(a, b);
  }

  static Operand<TFloating> sub(Ops tf, Operand<TFloating> a, Operand<TFloating> b) {
    return tf.math.sub(a, b);
  }

  static Operand<TFloating> reshape(Ops tf, Operand<TFloating> x, int... shape) {
    return tf.reshape(x, tf.constant(shape));
  }

  /** {@code [B, C, H, W] -> [B, H, W, C]}. */
  static Operand<TFloating> toNhwc(Ops tf, Operand<TFloating> x) {
    return tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 3, 1}));
  }

  /** {@code [B, H, W, C] -> [B, C, H, W]}. */
  static Operand<TFloating> toNchw(Ops tf, Operand<TFloating> x) {
    return tf.linalg.transpose(x, tf.constant(new int[] {0, 3, 1, 2}));
  }

  /** {@code a / b} where {@code b != 0}, else 0 (b is a target-only count or weight sum). */
  static Operand<TFloating> safeDiv(Ops tf, Operand<TFloating> a, Operand<TFloating> b) {
    Operand<TFloating> nonZero = toFloat(tf, tf.math.notEqual(b, f(tf, 0)));
    Operand<TFloating> den = add(tf, b, sub(tf, f(tf, 1), nonZero));
    return tf.math.div(mul(tf, a, nonZero), den);
  }
}
