package io.holdout.api.loss;

import io.holdout.api.data.TargetKind;
import java.util.Objects;

/**
 * A loss type a plugin defines without engine code: an element-wise {@link LossExpression} summed
 * over each sample's values, and how the split figure is normalised. It fits holdout's exact split
 * accounting: each sample contributes a numerator (the summed expression) and a denominator ({@link
 * Normalisation#ELEMENTS}: its number of values; {@link Normalisation#SAMPLES}: 1), and {@code
 * reduction: mean} divides the summed numerators by the summed denominators.
 *
 * @param target the kind of target it compares with: {@link TargetKind#NUMBER} (the expression
 *     reads {@link LossExpression#target()}) or {@link TargetKind#CLASS} (it reads {@link
 *     LossExpression#oneHotTarget()}, over a classification head's logits)
 * @param expression the per-element value; it must read the prediction
 * @param normalisation what a sample counts for under {@code reduction: mean}
 * @param description one sentence for docs and messages, e.g. "mean of log(cosh(d)) over every element"
 */
public record CustomLoss(TargetKind target, LossExpression expression, Normalisation normalisation,
    String description) {
  /** What one sample counts for in the denominator of {@code reduction: mean}. */
  public enum Normalisation {
    /** Its number of values (the mean over every element, as {@code mse}). */
    ELEMENTS,
    /** 1 (the mean over samples, as {@code cross_entropy} without weights). */
    SAMPLES
  }

  public CustomLoss {
    Objects.requireNonNull(target, "target kind is null");
    Objects.requireNonNull(expression, "expression is null");
    Objects.requireNonNull(normalisation, "normalisation is null");
    Objects.requireNonNull(description, "description is null");
    if (target != TargetKind.NUMBER && target != TargetKind.CLASS) {
      throw new IllegalArgumentException("a custom loss compares with number or class targets, not " + target);
    }
    if (!expression.uses(LossExpression.Op.PRED)) {
      throw new IllegalArgumentException("a custom loss expression must read pred: " + expression);
    }
    if (target == TargetKind.NUMBER && expression.uses(LossExpression.Op.ONE_HOT_TARGET)) {
      throw new IllegalArgumentException("one_hot(target) needs class targets: " + expression);
    }
    if (target == TargetKind.CLASS && expression.uses(LossExpression.Op.TARGET)) {
      throw new IllegalArgumentException("class targets are read as one_hot(target): " + expression);
    }
  }
}
