package io.holdout.losses.reference;

import io.holdout.losses.Reduction;
import java.util.Objects;

/**
 * A loss over one batch as per-sample numerators and denominators: {@code sum} is {@code Σ num},
 * {@code mean} is {@code Σ num / Σ den}, and 0 when {@code Σ den} is 0 (nothing to count: every label
 * ignored, no positive anchor).
 *
 * <p>The denominators hold what the loss is normalised by: the number of elements of the sample
 * (regression, binary cross-entropy), 1 (focal), the weight of the sample's label (cross-entropy,
 * 0 when ignored) or the number of positive anchors in the image (MultiBox). They depend on targets
 * only, never on predictions.
 */
public record LossTerms(double[] numerators, double[] denominators) {
  public LossTerms {
    Objects.requireNonNull(numerators, "numerators is null");
    Objects.requireNonNull(denominators, "denominators is null");
    if (numerators.length != denominators.length) {
      throw new IllegalArgumentException(
          numerators.length + " numerators for " + denominators.length + " denominators");
    }
    numerators = numerators.clone();
    denominators = denominators.clone();
  }

  @Override
  public double[] numerators() {
    return numerators.clone();
  }

  @Override
  public double[] denominators() {
    return denominators.clone();
  }

  /** Number of samples. */
  public int size() {
    return numerators.length;
  }

  /** {@code Σ num} for sum, {@code Σ num / Σ den} for mean (0 when {@code Σ den} is 0). */
  public double reduce(Reduction r) {
    double num = numerator();
    return r == Reduction.SUM ? num : (denominator() == 0 ? 0 : num / denominator());
  }

  /**
   * Each sample's loss as if the batch held only that sample: {@code num_i} for sum, {@code num_i /
   * den_i} for mean (0 when {@code den_i} is 0).
   */
  public float[] perSample(Reduction r) {
    float[] out = new float[numerators.length];
    for (int i = 0; i < out.length; i++) {
      if (r == Reduction.SUM) {
        out[i] = (float) numerators[i];
      } else {
        out[i] = denominators[i] == 0 ? 0f : (float) (numerators[i] / denominators[i]);
      }
    }
    return out;
  }

  /** {@code Σ num}. */
  public double numerator() {
    double num = 0;
    for (double v : numerators) {
      num += v;
    }
    return num;
  }

  /**
   * What a split figure divides the summed numerators of these samples by: {@code Σ den} for mean,
   * the number of samples for sum (see {@link io.holdout.api.loss.LossBreakdown}).
   */
  public double count(Reduction r) {
    return r == Reduction.SUM ? numerators.length : denominator();
  }

  /** {@code Σ den}. */
  public double denominator() {
    double den = 0;
    for (double v : denominators) {
      den += v;
    }
    return den;
  }

  /**
   * The factor that turns the gradient of {@code Σ num} into the gradient of the reduced value: 1
   * for sum, {@code 1 / Σ den} for mean, 0 when {@code Σ den} is 0.
   */
  public double gradientScale(Reduction r) {
    if (r == Reduction.SUM) {
      return 1;
    }
    double den = denominator();
    return den == 0 ? 0 : 1 / den;
  }
}
