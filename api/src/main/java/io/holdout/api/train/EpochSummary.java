package io.holdout.api.train;

import io.holdout.api.loss.LossBreakdown;
import java.util.Map;

/**
 * One finished epoch: the train loss over the epoch's samples (as measured during the epoch, with
 * dropout on and weights changing; see {@link io.holdout.api.loss.LossMeter}), val loss and metrics
 * on the weights at the epoch's end, the learning
 * rate used, wall time, training throughput and the time the training thread waited for data.
 *
 * @param val null when the run has no validation split
 */
public record EpochSummary(
    int epoch,
    LossBreakdown train,
    LossBreakdown val,
    Map<String, Double> valMetrics,
    double lr,
    double seconds,
    double samplesPerSecond,
    double dataWaitSeconds) {
  public EpochSummary {
    valMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(valMetrics));
  }
}
