package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * Fraction of samples whose arg-max logit equals the label (the lowest class index wins a tie; a
 * single-logit output predicts class 1 when its logit is {@code > 0}). Samples labelled with the
 * ignore index (-100 by default) are skipped. With no samples the value is NaN.
 */
public final class Accuracy implements ResamplableMetric {
  private final String output;
  private final TopKAccuracy top1;

  public Accuracy(String output, String target) {
    this(output, target, -100);
  }

  /** @param ignoreIndex label of samples to skip */
  public Accuracy(String output, String target, long ignoreIndex) {
    this.output = Objects.requireNonNull(output, "output is null");
    this.top1 = new TopKAccuracy(output + ".accuracy", output, target, 1, ignoreIndex);
  }

  @Override
  public String name() {
    return top1.name();
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  public void reset() {
    top1.reset();
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    top1.update(outputs, batch);
  }

  @Override
  public double value() {
    return top1.value();
  }

  @Override
  public int sampleCount() {
    return top1.sampleCount();
  }

  @Override
  public double valueOn(int[] indices) {
    return top1.valueOn(indices);
  }
}
