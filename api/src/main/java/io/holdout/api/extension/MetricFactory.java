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

  /**
   * The metric of {@code config} in a run; holdout always calls this one. A factory that needs the
   * run (its detection section, its model) is written with {@link #inContext}.
   */
  default Metric create(MetricConfig config, MetricContext context) {
    return create(config);
  }

  /**
   * A factory that reads the run's {@link MetricContext}: {@code registry.metric("map",
   * MetricFactory.inContext((entry, run) -> ...))}.
   */
  static MetricFactory inContext(InContext factory) {
    return java.util.Objects.requireNonNull(factory, "factory is null");
  }

  /** A metric factory that needs the run's context. */
  @FunctionalInterface
  interface InContext extends MetricFactory {
    @Override
    Metric create(MetricConfig config, MetricContext context);

    /** Refuses: this metric is built in a run only. */
    @Override
    default Metric create(MetricConfig config) {
      throw new io.holdout.api.HoldoutException("metric '" + config.type() + "' is built in a run only (it reads"
          + " the run's config and model)");
    }
  }
}
