package io.holdout.api.config;

import java.util.List;
import java.util.Map;

/**
 * The model: an optional named architecture or an imported network (its nodes come first), then
 * {@code layers} (a chain, or graph nodes that name their inputs), then one head per output, keyed by
 * head name.
 *
 * @param architecture a backbone of the catalogue ({@code mobilenet_v2}, {@code resnet18}, ...,
 *     or one with {@code _ssdlite} for SSD-Lite's extra layers); null for none
 * @param width the architecture's width multiplier (default 1.0)
 * @param onnx an ONNX file (relative to the config file) whose graph and weights become the model's
 *     first nodes; a head with no {@code from} and no layers takes one of its outputs, with its
 *     trained output layer (see docs/models.md, "Import an ONNX model"); null for none
 */
public record ModelConfig(String architecture, Double width, String onnx, List<LayerConfig> layers,
    Map<String, HeadConfig> heads) {}
