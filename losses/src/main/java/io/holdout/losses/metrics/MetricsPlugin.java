package io.holdout.losses.metrics;

import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;

/**
 * The built-in metrics of {@link MetricCatalog}, registered as a plugin like a user's: each
 * catalogue name with a factory that checks the entry's parameters and builds the metric.
 */
public final class MetricsPlugin implements Plugin {
  @Override
  public String name() {
    return "losses";
  }

  @Override
  public void register(Registry r) {
    for (String type : MetricCatalog.known()) {
      r.metric(type, c -> MetricCatalog.create(type, c.output(), c.target(), c.params()));
    }
  }
}
