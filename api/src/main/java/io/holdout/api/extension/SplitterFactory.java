package io.holdout.api.extension;

import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.SplitConfig;
import io.holdout.api.data.Splitter;

/** Builds the splitter that {@code split:} describes, for a type registered under {@code split.type}. */
@FunctionalInterface
public interface SplitterFactory {
  /**
   * @param split the split section
   * @param config the whole loaded config: its seed, its file for messages, its base folder for paths
   * @throws io.holdout.api.HoldoutException one line naming the file or key at fault
   */
  Splitter create(SplitConfig split, LoadedConfig config);
}
