package io.holdout.api.config;

import java.util.List;
import java.util.Map;

/**
 * The model: an optional named architecture (its nodes come first), then {@code layers} (a chain,
 * or graph nodes that name their inputs), then one head per output, keyed by head name.
 *
 * @param architecture a backbone of the catalogue ({@code mobilenet_v2}, {@code resnet18}, ...,
 *     or one with {@code _ssdlite} for SSD-Lite's extra layers); null for none
 * @param width the architecture's width multiplier (default 1.0)
 */
public record ModelConfig(String architecture, Double width, List<LayerConfig> layers,
    Map<String, HeadConfig> heads) {}
