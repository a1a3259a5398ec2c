package io.holdout.examples.plugin;

import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;

/**
 * The example's parts: the metric {@code within_tolerance}. Listed in {@code
 * META-INF/services/io.holdout.api.extension.Plugin}, so putting this jar on the class path is all
 * it takes; configs then name the metric like a built-in one.
 */
public final class ExamplePlugin implements Plugin {
  @Override
  public String name() {
    return "plugin-example";
  }

  @Override
  public void register(Registry registry) {
    registry.metric(WithinTolerance.TYPE, WithinTolerance::fromConfig);
  }
}
