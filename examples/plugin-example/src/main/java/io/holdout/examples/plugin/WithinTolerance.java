package io.holdout.examples.plugin;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.MetricConfig;
import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * The share of predicted values within {@code params.tolerance} of their target (in the target's
 * units), over every element of a regression head: {@code |prediction - target| <= tolerance}.
 * Higher is better; NaN before any sample.
 */
public final class WithinTolerance implements Metric {
  /** The config name. */
  public static final String TYPE = "within_tolerance";

  private final String output;
  private final String target;
  private final double tolerance;
  private long hits;
  private long count;

  public WithinTolerance(String output, String target, double tolerance) {
    this.output = Objects.requireNonNull(output, "output is null");
    this.target = Objects.requireNonNull(target, "target is null");
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be a finite number >= 0, got " + tolerance);
    }
    this.tolerance = tolerance;
  }

  /**
   * The metric of a config entry; its one parameter, {@code tolerance}, is required.
   *
   * @throws HoldoutException one line naming the parameter when it is missing, unknown or bad
   */
  static WithinTolerance fromConfig(MetricConfig c) {
    for (String key : c.params().keySet()) {
      if (!key.equals("tolerance")) {
        throw new HoldoutException("metric '" + TYPE + "' has no parameter '" + key + "' (known: tolerance)");
      }
    }
    Object t = c.params().get("tolerance");
    if (!(t instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
      throw new HoldoutException("metric '" + TYPE + "': parameter 'tolerance' must be a number >= 0 (in the"
          + " target's units), got " + (t == null ? "nothing" : t instanceof String ? "'" + t + "'" : t));
    }
    return new WithinTolerance(c.output(), c.target(), n.doubleValue());
  }

  @Override
  public String name() {
    return output + "." + TYPE;
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  public void reset() {
    hits = 0;
    count = 0;
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    Tensor out = outputs.get(output);
    if (out == null) {
      throw new IllegalArgumentException(name() + ": no output of head '" + output + "' (have " + outputs.keySet()
          + ")");
    }
    float[] p = out.toFloatArray();
    float[] y = batch.get(target).toFloatArray();
    if (p.length != y.length) {
      throw new IllegalArgumentException(name() + ": " + p.length + " predictions for " + y.length + " targets");
    }
    for (int i = 0; i < p.length; i++) {
      if (Math.abs((double) p[i] - y[i]) <= tolerance) {
        hits++;
      }
    }
    count += p.length;
  }

  @Override
  public double value() {
    return count == 0 ? Double.NaN : (double) hits / count;
  }
}
