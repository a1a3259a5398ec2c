package io.holdout.engine.tensorflow;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Small helpers over {@link Ops} for float graphs: constants, axes, layout changes. */
final class GraphMath {
  private GraphMath() {}

  /** A float scalar constant (the double is rounded to float once, as the PyTorch backend does). */
  static Operand<TFloat32> f(Ops tf, double v) {
    return tf.constant((float) v);
  }

  static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> x, int... axes) {
    return tf.sum(x, tf.constant(axes));
  }

  static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> x, int... axes) {
    return tf.math.mean(x, tf.constant(axes));
  }

  static Operand<TFloat32> mul(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    return tf.math.mul(a, b);
  }

  static Operand<TFloat32> mul(Ops tf, Operand<TFloat32> a, double b) {
    return tf.math.mul(a, f(tf, b));
  }

  static Operand<TFloat32> add(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    return tf.math.add(a, b);
  }

  static Operand<TFloat32> sub(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    return tf.math.sub(a, b);
  }

  static Operand<TFloat32> reshape(Ops tf, Operand<TFloat32> x, int... shape) {
    return tf.reshape(x, tf.constant(shape));
  }

  /** {@code [B, C, H, W] -> [B, H, W, C]}. */
  static Operand<TFloat32> toNhwc(Ops tf, Operand<TFloat32> x) {
    return tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 3, 1}));
  }

  /** {@code [B, H, W, C] -> [B, C, H, W]}. */
  static Operand<TFloat32> toNchw(Ops tf, Operand<TFloat32> x) {
    return tf.linalg.transpose(x, tf.constant(new int[] {0, 3, 1, 2}));
  }

  /** {@code a / b} where {@code b != 0}, else 0 (b is a target-only count or weight sum). */
  static Operand<TFloat32> safeDiv(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operand<TFloat32> nonZero = tf.dtypes.cast(tf.math.notEqual(b, f(tf, 0)), TFloat32.class);
    Operand<TFloat32> den = add(tf, b, sub(tf, f(tf, 1), nonZero));
    return tf.math.div(mul(tf, a, nonZero), den);
  }
}
