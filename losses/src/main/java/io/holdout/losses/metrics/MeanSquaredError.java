package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/**
 * Mean squared error over all predicted elements, in the target's units squared; NaN with no
 * samples. The same as {@link RegressionMetric} of kind MSE.
 */
public final class MeanSquaredError implements ResamplableMetric {
  private final RegressionMetric mse;

  public MeanSquaredError(String output, String target) {
    this.mse = new RegressionMetric(RegressionMetric.Kind.MSE, output, target);
  }

  @Override
  public String name() {
    return mse.name();
  }

  @Override
  public Direction direction() {
    return Direction.MIN;
  }

  @Override
  public void reset() {
    mse.reset();
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    mse.update(outputs, batch);
  }

  @Override
  public double value() {
    return mse.value();
  }

  @Override
  public int sampleCount() {
    return mse.sampleCount();
  }

  @Override
  public double valueOn(int[] indices) {
    return mse.valueOn(indices);
  }
}
