package io.holdout.api.train;

import io.holdout.api.loss.LossBreakdown;
import java.util.Map;

/** Loss breakdown and metrics of one pass over a split in inference mode. */
public record EvalSummary(String split, LossBreakdown loss, Map<String, Double> metrics, double seconds) {
  public EvalSummary {
    metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
  }
}
