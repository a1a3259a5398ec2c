package io.holdout.api.config;

import java.util.List;

/**
 * One target column.
 *
 * @param column CSV column (default: the target's name)
 * @param type {@code class} or {@code number}
 * @param classes class names in index order (default: as found in the data, sorted)
 */
public record TargetConfig(String column, String type, List<String> classes) {}
