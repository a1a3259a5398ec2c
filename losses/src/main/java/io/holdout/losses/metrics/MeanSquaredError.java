package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/** Mean squared error over all predicted elements, in the target's units. */
public final class MeanSquaredError implements Metric {
  private final String output;
  private final String target;
  private double sum;
  private long count;

  public MeanSquaredError(String output, String target) {
    this.output = output;
    this.target = target;
  }

  @Override
  public String name() {
    return output + ".mse";
  }

  @Override
  public Direction direction() {
    return Direction.MIN;
  }

  @Override
  public void reset() {
    sum = 0;
    count = 0;
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    float[] p = outputs.get(output).toFloatArray();
    float[] t = batch.get(target).toFloatArray();
    for (int i = 0; i < p.length; i++) {
      double d = (double) p[i] - t[i];
      sum += d * d;
    }
    count += p.length;
  }

  @Override
  public double value() {
    return count == 0 ? Double.NaN : sum / count;
  }
}
