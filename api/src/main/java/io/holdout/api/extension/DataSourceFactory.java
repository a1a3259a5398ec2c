package io.holdout.api.extension;

import io.holdout.api.config.DataConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.data.Dataset;

/** Opens the dataset that {@code data:} describes, for a source registered under {@code data.source}. */
@FunctionalInterface
public interface DataSourceFactory {
  /**
   * @param data the data section (its paths relative to the config: resolve them with {@code
   *     config.resolve})
   * @param config the whole loaded config: its file for messages, its seed for generated data
   * @throws io.holdout.api.HoldoutException one line naming the file or key at fault
   */
  Dataset open(DataConfig data, LoadedConfig config);
}
