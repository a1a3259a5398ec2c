package io.holdout.api.config;

import java.util.List;

/**
 * A model output. Its width comes from the target: the number of classes for {@code
 * classification}, the target's width for {@code regression}.
 *
 * @param type {@code classification} or {@code regression}
 * @param target the target it predicts (default: the head's name)
 * @param layers hidden layers before the output layer (default none)
 */
public record HeadConfig(String type, String target, List<LayerConfig> layers) {}
