package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/** Fraction of samples whose arg-max logit equals the label. */
public final class Accuracy implements Metric {
  private final String output;
  private final String target;
  private long correct;
  private long total;

  public Accuracy(String output, String target) {
    this.output = output;
    this.target = target;
  }

  @Override
  public String name() {
    return output + ".accuracy";
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  public void reset() {
    correct = 0;
    total = 0;
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    Tensor logits = outputs.get(output);
    float[] p = logits.toFloatArray();
    long[] y = batch.get(target).toLongArray();
    int c = (int) logits.dim(1);
    for (int i = 0; i < y.length; i++) {
      int best = 0;
      for (int k = 1; k < c; k++) {
        if (p[i * c + k] > p[i * c + best]) {
          best = k;
        }
      }
      if (best == y[i]) {
        correct++;
      }
      total++;
    }
  }

  @Override
  public double value() {
    return total == 0 ? Double.NaN : (double) correct / total;
  }
}
