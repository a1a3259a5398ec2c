package io.holdout.api.config;

import java.util.Map;

/**
 * One entry of {@code data.transforms}: a training augmentation registered under {@code type}.
 *
 * @param type the registered name, e.g. {@code random_horizontal_flip}
 * @param params the transform's parameters, e.g. {@code {p: 0.5}} (default none)
 */
public record TransformConfig(String type, Map<String, Object> params) {}
