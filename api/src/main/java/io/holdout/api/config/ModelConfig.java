package io.holdout.api.config;

import java.util.List;
import java.util.Map;

/** A trunk of layers shared by all heads, then one head per output, keyed by head name. */
public record ModelConfig(List<LayerConfig> layers, Map<String, HeadConfig> heads) {}
