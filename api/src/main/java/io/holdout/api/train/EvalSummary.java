package io.holdout.api.train;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.metrics.ConfidenceInterval;
import java.util.Map;

/**
 * Loss breakdown and metrics of one pass over a split in inference mode.
 *
 * @param intervals confidence intervals of the metrics that have one (the test split's, by
 *     bootstrap); empty when none were asked for
 */
public record EvalSummary(String split, LossBreakdown loss, Map<String, Double> metrics, double seconds,
    Map<String, ConfidenceInterval> intervals) {
  public EvalSummary {
    metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    intervals = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(intervals));
  }

  /** A summary without intervals. */
  public EvalSummary(String split, LossBreakdown loss, Map<String, Double> metrics, double seconds) {
    this(split, loss, metrics, seconds, Map.of());
  }

  /** This summary with {@code intervals}. */
  public EvalSummary withIntervals(Map<String, ConfidenceInterval> intervals) {
    return new EvalSummary(split, loss, metrics, seconds, intervals);
  }
}
