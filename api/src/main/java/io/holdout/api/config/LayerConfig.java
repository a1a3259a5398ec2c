package io.holdout.api.config;

import java.util.List;

/**
 * One layer, or one node of a graph model. Types and their keys: {@code dense} (units), {@code
 * conv2d} (filters, kernel, stride 1, padding 0, dilation 1, groups 1, bias true), {@code batchnorm},
 * {@code maxpool} and {@code avgpool} (kernel, stride = kernel, padding 0, ceil false), {@code
 * global_avgpool}, {@code flatten}, {@code dropout} (rate), the activations {@code relu}, {@code
 * relu6}, {@code leaky_relu} (slope 0.01), {@code sigmoid}, {@code tanh}, {@code gelu}, {@code
 * silu}, {@code hard_sigmoid}, {@code hard_swish}, {@code softmax}, and the nodes of several inputs
 * {@code add}, {@code mul} and {@code concat} (axis 0), and {@code anchors} (units).
 *
 * @param name the node's name (its parameters are {@code <name>.weight}, ...); default {@code
 *     trunk.<i>}
 * @param inputs the nodes it reads ({@code input} is the model input); default the previous layer
 */
public record LayerConfig(
    String type,
    String name,
    List<String> inputs,
    Integer units,
    Double rate,
    Integer filters,
    Integer kernel,
    Integer stride,
    Integer padding,
    Integer dilation,
    Integer groups,
    Boolean bias,
    Boolean ceil,
    Double slope,
    Integer axis) {}
