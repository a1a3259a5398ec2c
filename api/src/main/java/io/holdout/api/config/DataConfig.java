package io.holdout.api.config;

import java.util.List;
import java.util.Map;

/**
 * Where the data comes from.
 *
 * @param source {@code csv} (more sources: see docs/data.md)
 * @param path file or folder, relative to the config file
 * @param features input columns, in order
 * @param targets target name → how to read it
 * @param standardize fit per-feature mean/std on the training split only and apply to all splits
 * @param missing missing-value policy: {@code error} (default) or {@code skip}
 * @param delimiter CSV delimiter, default {@code ,}
 */
public record DataConfig(
    String source,
    String path,
    List<String> features,
    Map<String, TargetConfig> targets,
    Boolean standardize,
    String missing,
    String delimiter) {}
