package io.holdout.api.metrics;

import java.util.Locale;

/**
 * A value with a bootstrap confidence interval.
 *
 * @param value the metric over all samples
 * @param low lower bound of the interval
 * @param high upper bound of the interval
 * @param level confidence level, e.g. 0.95
 * @param resamples how many resamples gave a defined value (NaN ones are dropped)
 */
public record ConfidenceInterval(double value, double low, double high, double level, int resamples) {
  /** {@code 0.912 [0.88, 0.94]}: the value to 3 decimals, the bounds to 2. */
  public String format() {
    return format(3);
  }

  /** The value to {@code decimals} decimals, the bounds to one fewer (an interval is coarser). */
  public String format(int decimals) {
    int b = Math.max(decimals - 1, 0);
    return String.format(Locale.ROOT, "%." + decimals + "f [%." + b + "f, %." + b + "f]", value, low, high);
  }

  @Override
  public String toString() {
    return format();
  }
}
