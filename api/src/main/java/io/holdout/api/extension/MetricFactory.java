package io.holdout.api.extension;

import io.holdout.api.config.MetricConfig;
import io.holdout.api.metrics.Metric;

/** Builds a fresh metric from its config entry; one instance per evaluation pass. */
@FunctionalInterface
public interface MetricFactory {
  /**
   * @param config the entry: its {@code output} head, {@code target} (null for the head's own) and
   *     {@code params} (never null here)
   * @throws io.holdout.api.HoldoutException one line naming the bad parameter when the entry does
   *     not fit this metric
   */
  Metric create(MetricConfig config);
}
