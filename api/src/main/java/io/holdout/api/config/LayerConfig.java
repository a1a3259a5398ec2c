package io.holdout.api.config;

import java.util.List;

/**
 * One layer, or one node of a graph model. Types and their keys: {@code dense} (units), {@code
 * conv2d} (filters, kernel, stride 1, padding 0, dilation 1, groups 1, bias true), {@code batchnorm},
 * {@code maxpool} and {@code avgpool} (kernel, stride = kernel, padding 0, ceil false), {@code
 * global_avgpool}, {@code flatten}, {@code dropout} (rate), the activations {@code relu}, {@code
 * relu6}, {@code leaky_relu} (slope 0.01), {@code sigmoid}, {@code tanh}, {@code gelu}, {@code
 * silu}, {@code hard_sigmoid}, {@code hard_swish}, {@code softmax}, and the nodes of several inputs
 * {@code add}, {@code mul} and {@code concat} (axis 0), {@code anchors} (units), {@code
 * conv_transpose2d} (filters, kernel, stride 1, padding 0, outputPadding 0, bias true), {@code
 * layer_norm} (axis -1, the last), {@code l2norm} (scale 20), {@code upsample} (scale, mode nearest
 * or bilinear, alignCorners false), {@code reshape} (shape, one entry may be -1) and {@code
 * embedding} (vocab, dim).
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
    Integer axis,
    Integer outputPadding,
    Double scale,
    String mode,
    Boolean alignCorners,
    List<Long> shape,
    Integer vocab,
    Integer dim) {}
