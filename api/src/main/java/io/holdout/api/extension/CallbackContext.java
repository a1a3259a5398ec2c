package io.holdout.api.extension;

import io.holdout.api.config.LoadedConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What a callback of a run may use.
 *
 * @param config the run's loaded config (its file, resolved values and base folder)
 * @param runFolder the run folder, where a callback may write files of its own
 * @param console the run's console, where its epoch lines go
 * @param lossComponents the loss components' names, in config order
 * @param metrics the metrics' report keys, e.g. {@code species.accuracy}
 */
public record CallbackContext(LoadedConfig config, Path runFolder, PrintStream console, List<String> lossComponents,
    List<String> metrics) {
  public CallbackContext {
    lossComponents = List.copyOf(lossComponents);
    metrics = List.copyOf(metrics);
  }
}
