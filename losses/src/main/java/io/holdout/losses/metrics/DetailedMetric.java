package io.holdout.losses.metrics;

import io.holdout.api.metrics.Metric;

/**
 * A metric whose result is more than one number (a confusion matrix, per-class scores); {@link
 * #value()} is its headline number and {@link #detail()} the full structure, for reports.
 *
 * @param <T> the type of the full result
 */
public interface DetailedMetric<T> extends Metric {
  /** The full result over everything added since {@link #reset()}. */
  T detail();
}
