package io.holdout.losses.metrics;

import io.holdout.api.metrics.Metric;

/**
 * A metric that keeps what it needs per sample, so that it can be recomputed on a resample of the
 * samples added since {@link #reset()}: the basis of {@link Bootstrap} confidence intervals.
 */
public interface ResamplableMetric extends Metric {
  /** Number of samples added since {@link #reset()} (ignored labels not counted). */
  int sampleCount();

  /**
   * The metric over the samples at {@code indices} (in {@code [0, sampleCount())}, repeats allowed),
   * exactly as {@link #value()} computes it over all of them.
   */
  double valueOn(int[] indices);
}
