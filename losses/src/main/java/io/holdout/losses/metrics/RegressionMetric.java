package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Regression errors over every predicted element, in the target's units (MSE in its square): MSE,
 * RMSE (the square root of the MSE over everything, not a mean of per-batch roots), MAE, and R².
 *
 * <p>R² is {@code 1 - SS_res / SS_tot} per output column, {@code SS_tot} taken about the mean of the
 * targets being scored, then averaged over columns with equal weight. A constant prediction equal
 * to that mean scores 0, any other constant less than 0. A column whose targets are all equal
 * ({@code SS_tot = 0}, e.g. a single sample) scores 1 when predicted exactly and 0 otherwise.
 *
 * <p>With no samples every value is NaN.
 */
public final class RegressionMetric implements ResamplableMetric {
  /** Which error. */
  public enum Kind {
    MSE(Direction.MIN),
    RMSE(Direction.MIN),
    MAE(Direction.MIN),
    R2(Direction.MAX);

    private final Direction direction;

    Kind(Direction direction) {
      this.direction = direction;
    }
  }

  private final Kind kind;
  private final String output;
  private final String target;
  private final DoubleList predictions = new DoubleList();
  private final DoubleList targets = new DoubleList();
  private int width = -1;

  public RegressionMetric(Kind kind, String output, String target) {
    this.kind = Objects.requireNonNull(kind, "kind is null");
    this.output = Objects.requireNonNull(output, "output is null");
    this.target = Objects.requireNonNull(target, "target is null");
  }

  @Override
  public String name() {
    return output + "." + kind.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public Direction direction() {
    return kind.direction;
  }

  @Override
  public void reset() {
    predictions.clear();
    targets.clear();
    width = -1;
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    Tensor out = Inputs.output(name(), output, outputs, batch);
    Tensor t = batch.get(target);
    if (t.elementCount() != out.elementCount()) {
      throw new IllegalArgumentException(name() + ": output " + out + " and target " + t + " differ in size");
    }
    int w = Inputs.width(out);
    if (batch.size() > 0) {
      if (width >= 0 && w != width) {
        throw new IllegalArgumentException(name() + ": output width " + w + ", earlier batches " + width);
      }
      width = w;
    }
    float[] p = Inputs.floats(out);
    float[] y = Inputs.floats(t);
    for (int j = 0; j < p.length; j++) {
      predictions.add(p[j]);
      targets.add(y[j]);
    }
  }

  @Override
  public double value() {
    return valueOn(null);
  }

  @Override
  public int sampleCount() {
    return width <= 0 ? 0 : predictions.size() / width;
  }

  @Override
  public double valueOn(int[] indices) {
    int n = indices == null ? sampleCount() : indices.length;
    if (n == 0 || width <= 0) {
      return Double.NaN;
    }
    if (kind == Kind.R2) {
      return r2(indices, n);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      int row = indices == null ? i : indices[i];
      for (int k = 0; k < width; k++) {
        double d = predictions.get(row * width + k) - targets.get(row * width + k);
        sum += kind == Kind.MAE ? Math.abs(d) : d * d;
      }
    }
    double mean = sum / ((double) n * width);
    return kind == Kind.RMSE ? Math.sqrt(mean) : mean;
  }

  private double r2(int[] indices, int n) {
    double total = 0;
    for (int k = 0; k < width; k++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += targets.get((indices == null ? i : indices[i]) * width + k);
      }
      mean /= n;
      double ssRes = 0;
      double ssTot = 0;
      for (int i = 0; i < n; i++) {
        int j = (indices == null ? i : indices[i]) * width + k;
        double y = targets.get(j);
        double d = y - predictions.get(j);
        ssRes += d * d;
        ssTot += (y - mean) * (y - mean);
      }
      total += ssTot == 0 ? (ssRes == 0 ? 1 : 0) : 1 - ssRes / ssTot;
    }
    return total / width;
  }
}
