package io.holdout.api.metrics;

import java.util.List;
import java.util.Map;

/**
 * Confidence intervals for metrics that have just been computed over a split (e.g. a seeded
 * bootstrap over their per-sample records). The trainer asks for them once, for the test split.
 */
@FunctionalInterface
public interface IntervalEstimator {
  /**
   * The interval of each metric that supports one, by metric name; metrics without support are left
   * out.
   */
  Map<String, ConfidenceInterval> estimate(List<Metric> metrics);
}
