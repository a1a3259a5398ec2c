package io.holdout.api.sweep;

import java.util.Map;

/**
 * Service-provider entry of a sweep executor, listed in {@code
 * META-INF/services/io.holdout.api.sweep.SweepExecutorProvider}. It must be cheap: a provider is
 * instantiated when the CLI looks executors up by name, so it loads none of its libraries before
 * {@link #open}.
 */
public interface SweepExecutorProvider {
  /** The name {@code --executor} picks, e.g. {@code spark}. */
  String name();

  /** Maven artifact that provides it, for messages such as "add holdout-spark". */
  String artifact();

  /**
   * Starts the executor.
   *
   * @param options settings from the command line, e.g. {@code master -> local[2]}
   * @throws io.holdout.api.HoldoutException on a bad setting, in one line
   */
  SweepExecutor open(Map<String, String> options);
}
