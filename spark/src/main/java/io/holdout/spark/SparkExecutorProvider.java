package io.holdout.spark;

import io.holdout.api.sweep.SweepExecutor;
import io.holdout.api.sweep.SweepExecutorProvider;
import java.util.Map;

/** {@code --executor spark}: cheap to instantiate; Spark starts in {@link #open}. */
public final class SparkExecutorProvider implements SweepExecutorProvider {
  @Override
  public String name() {
    return "spark";
  }

  @Override
  public String artifact() {
    return "holdout-spark";
  }

  @Override
  public SweepExecutor open(Map<String, String> options) {
    return SparkSweepExecutor.start(options.getOrDefault("master", "local[*]"));
  }
}
