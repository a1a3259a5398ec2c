package io.holdout.api.train;

import io.holdout.api.HoldoutException;
import io.holdout.api.metrics.Direction;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The one value that plateau decisions watch — early stopping, reduce-on-plateau and the "best"
 * checkpoint — with its direction. Keys: {@code val.total} (default), {@code val.<component>} for a
 * loss component (minimised), {@code val.<metric>} for a metric (direction from the metric: {@code
 * min} for errors, {@code max} for accuracy, AUC, mAP).
 */
public final class Monitor {
  private final String key;
  private final Direction direction;
  private final double minDelta;
  private double best = Double.NaN;
  private int bestEpoch;
  private int badEpochs;

  public Monitor(String key, Direction direction, double minDelta) {
    this.key = Objects.requireNonNull(key, "key is null");
    this.direction = Objects.requireNonNull(direction, "direction is null");
    if (!(minDelta >= 0)) {
      throw new IllegalArgumentException("minDelta must be >= 0");
    }
    this.minDelta = minDelta;
  }

  /**
   * Resolves {@code key} against the loss components and metric directions of a run, before it
   * starts; an unknown key fails listing the valid ones.
   */
  public static Monitor resolve(String key, java.util.List<String> components, Map<String, Direction> metrics,
      double minDelta) {
    if (!key.startsWith("val.")) {
      throw new HoldoutException("trainer.monitor '" + key + "' must watch the validation split (val.total, "
          + "val.<component>, val.<metric>)");
    }
    String name = key.substring(4);
    if (name.equals("total") || components.contains(name)) {
      return new Monitor(key, Direction.MIN, minDelta);
    }
    Direction d = metrics.get(name);
    if (d == null) {
      StringBuilder known = new StringBuilder("val.total");
      components.forEach(c -> known.append(", val.").append(c));
      metrics.keySet().forEach(m -> known.append(", val.").append(m));
      throw new HoldoutException("trainer.monitor: unknown key '" + key + "' (known: " + known + ")");
    }
    return new Monitor(key, d, minDelta);
  }

  /** Reads the monitored value from an epoch summary. */
  public double valueOf(EpochSummary s) {
    if (s.val() == null) {
      throw new HoldoutException("trainer.monitor '" + key + "' needs a validation split, but it is empty");
    }
    String name = key.substring(4);
    if (name.equals("total")) {
      return s.val().total();
    }
    if (s.val().raw().containsKey(name)) {
      return s.val().raw(name);
    }
    return s.valMetrics().get(name);
  }

  /** Records an epoch; returns true when it is a new best. */
  public boolean update(int epoch, double value) {
    if (direction.improves(value, best, minDelta)) {
      best = value;
      bestEpoch = epoch;
      badEpochs = 0;
      return true;
    }
    badEpochs++;
    return false;
  }

  /** {@code val loss 4.61 did not improve on best 4.58 (min delta 0.01)}. */
  public String describeNoImprovement(double value) {
    return String.format(Locale.ROOT, "%s %s did not improve on best %s (%s, min delta %s)", key, fmt(value),
        fmt(best), direction == Direction.MIN ? "lower is better" : "higher is better", minDelta);
  }

  /** Four significant digits without trailing zeros: 4.61, 3, 0.0001234. */
  public static String fmt(double v) {
    String s = String.format(Locale.ROOT, "%.4g", v);
    if (s.contains("e")) {
      return s.replaceAll("\\.?0+e", "e");
    }
    return s.contains(".") ? s.replaceAll("\\.?0+$", "") : s;
  }

  public String key() {
    return key;
  }

  public Direction direction() {
    return direction;
  }

  public double best() {
    return best;
  }

  public int bestEpoch() {
    return bestEpoch;
  }

  /** Epochs since the last improvement. */
  public int badEpochs() {
    return badEpochs;
  }

  /** Restores state saved by {@link #best()}, {@link #bestEpoch()} and {@link #badEpochs()}. */
  public void restore(double best, int bestEpoch, int badEpochs) {
    this.best = best;
    this.bestEpoch = bestEpoch;
    this.badEpochs = badEpochs;
  }
}
