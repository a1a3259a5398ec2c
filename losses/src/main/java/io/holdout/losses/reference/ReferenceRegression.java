package io.holdout.losses.reference;

import java.util.Objects;

/**
 * Element-wise regression losses of {@code d = prediction - target}, with their derivatives in
 * {@code d}. Each sample's numerator sums its elements and its denominator is its element count,
 * so {@code mean} is the mean over every element of the batch.
 *
 * <ul>
 *   <li>{@code mse}: {@code d²}
 *   <li>{@code mae}: {@code |d|} (derivative {@code sign(d)}, 0 at 0)
 *   <li>{@code smooth_l1}: {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| -
 *       0.5·beta}; {@code beta = 0} is L1
 *   <li>{@code huber}: {@code 0.5·d²} where {@code |d| <= delta}, else {@code delta·(|d| -
 *       0.5·delta)}
 * </ul>
 */
public final class ReferenceRegression {
  private ReferenceRegression() {}

  /** The element-wise losses; {@code a} is beta for smooth L1 and delta for Huber. */
  enum Kind {
    MSE,
    MAE,
    SMOOTH_L1,
    HUBER;

    double value(double d, double a) {
      double ad = Math.abs(d);
      return switch (this) {
        case MSE -> d * d;
        case MAE -> ad;
        case SMOOTH_L1 -> ad < a ? 0.5 * d * d / a : ad - 0.5 * a;
        case HUBER -> ad <= a ? 0.5 * d * d : a * (ad - 0.5 * a);
      };
    }

    double derivative(double d, double a) {
      return switch (this) {
        case MSE -> 2 * d;
        case MAE -> Math.signum(d);
        case SMOOTH_L1 -> Math.abs(d) < a ? d / a : Math.signum(d);
        case HUBER -> Math.abs(d) <= a ? d : a * Math.signum(d);
      };
    }
  }

  /** Mean of {@code (p - t)²} over all elements. */
  public static double mse(float[] pred, float[] target) {
    return mean(Kind.MSE, pred, target, 0);
  }

  /** Mean of {@code |p - t|} over all elements. */
  public static double mae(float[] pred, float[] target) {
    return mean(Kind.MAE, pred, target, 0);
  }

  /** Mean smooth L1 over all elements. */
  public static double smoothL1(float[] pred, float[] target, double beta) {
    return mean(Kind.SMOOTH_L1, pred, target, beta);
  }

  /** Mean Huber loss over all elements. */
  public static double huber(float[] pred, float[] target, double delta) {
    return mean(Kind.HUBER, pred, target, delta);
  }

  /** Gradient of {@link #mse} w.r.t. the prediction: {@code 2 (p - t) / n}. */
  public static double[] mseGrad(float[] pred, float[] target) {
    return meanGrad(Kind.MSE, pred, target, 0);
  }

  /** Gradient of {@link #mae}: {@code sign(p - t) / n}. */
  public static double[] maeGrad(float[] pred, float[] target) {
    return meanGrad(Kind.MAE, pred, target, 0);
  }

  /** Gradient of {@link #smoothL1}: {@code d / beta / n} inside, {@code sign(d) / n} outside. */
  public static double[] smoothL1Grad(float[] pred, float[] target, double beta) {
    return meanGrad(Kind.SMOOTH_L1, pred, target, beta);
  }

  /** Gradient of {@link #huber}: {@code d / n} inside, {@code delta·sign(d) / n} outside. */
  public static double[] huberGrad(float[] pred, float[] target, double delta) {
    return meanGrad(Kind.HUBER, pred, target, delta);
  }

  static LossTerms terms(Kind kind, float[] pred, float[] target, int batch, double a) {
    checkSizes(kind, pred, target, batch);
    int per = batch == 0 ? 0 : pred.length / batch;
    double[] num = new double[batch];
    double[] den = new double[batch];
    for (int i = 0; i < batch; i++) {
      for (int j = i * per; j < (i + 1) * per; j++) {
        num[i] += kind.value((double) pred[j] - target[j], a);
      }
      den[i] = per;
    }
    return new LossTerms(num, den);
  }

  /** Gradient of {@code Σ num} w.r.t. each prediction element. */
  static double[] numeratorGrad(Kind kind, float[] pred, float[] target, double a) {
    double[] g = new double[pred.length];
    for (int j = 0; j < pred.length; j++) {
      g[j] = kind.derivative((double) pred[j] - target[j], a);
    }
    return g;
  }

  private static double mean(Kind kind, float[] pred, float[] target, double a) {
    checkSizes(kind, pred, target, 1);
    double s = 0;
    for (int i = 0; i < pred.length; i++) {
      s += kind.value((double) pred[i] - target[i], a);
    }
    return pred.length == 0 ? 0 : s / pred.length;
  }

  private static double[] meanGrad(Kind kind, float[] pred, float[] target, double a) {
    checkSizes(kind, pred, target, 1);
    double[] g = numeratorGrad(kind, pred, target, a);
    for (int i = 0; i < g.length; i++) {
      g[i] /= pred.length;
    }
    return g;
  }

  private static void checkSizes(Kind kind, float[] pred, float[] target, int batch) {
    Objects.requireNonNull(pred, "prediction is null");
    Objects.requireNonNull(target, "target is null");
    String name = kind.name().toLowerCase(java.util.Locale.ROOT);
    if (pred.length != target.length) {
      throw new IllegalArgumentException(name + ": prediction has " + pred.length
          + " elements, target " + target.length);
    }
    if (batch > 0 && pred.length % batch != 0) {
      throw new IllegalArgumentException(
          name + ": " + pred.length + " elements do not split into " + batch + " samples");
    }
  }
}
