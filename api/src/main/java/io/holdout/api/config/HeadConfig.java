package io.holdout.api.config;

import java.util.List;

/**
 * A model output. Its width comes from the target: the number of classes for {@code
 * classification}, the target's width for {@code regression}. A head with {@code taps} is a
 * multi-scale (SSD) head: it reads the outputs of those layers and predicts per default box; on a
 * detection target its width is 4 box offsets ({@code regression}) or the classes plus the
 * background ({@code classification}).
 *
 * @param type {@code classification} or {@code regression}
 * @param target the target it predicts (default: the head's name)
 * @param layers hidden layers before the output layer (default none; none for a multi-scale head)
 * @param from the layer (node name) a usual head reads (default: the last layer)
 * @param taps the layers whose outputs a multi-scale head reads: node names, or 0-based indices of
 *     {@code model.layers} (default none)
 * @param anchorsPerLocation default boxes per feature-map cell of a multi-scale head (default: from
 *     {@code detection.anchors.ratios}, {@code 2 + 2·ratios})
 * @param predictor a multi-scale head's predictor per tap: {@code conv} (SSD's 3×3 convolution,
 *     the default) or {@code separable} (SSD-Lite's depthwise-separable one)
 */
public record HeadConfig(String type, String target, List<LayerConfig> layers, String from, List<String> taps,
    Integer anchorsPerLocation, String predictor) {}
