package io.holdout.api.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The layer catalogue: every layer type a model may use, with its config keys and what it
 * computes. {@code holdout layers} prints it with each backend's support; backends list the types
 * they compile in their capabilities.
 */
public final class LayerCatalog {
  private LayerCatalog() {}

  /**
   * One layer type.
   *
   * @param type the config name
   * @param keys its config keys with defaults, e.g. {@code filters, kernel, stride=1}
   * @param summary what it computes, in one line
   */
  public record Entry(String type, String keys, String summary) {}

  /** Every entry, in the order {@code holdout layers} lists them. */
  public static final List<Entry> ENTRIES = List.of(
      new Entry("dense", "units", "fully connected, y = x W^T + b (input flat)"),
      new Entry("conv2d", "filters, kernel, stride=1, padding=0, dilation=1, groups=1, bias=true",
          "2-D convolution; groups=channels is depthwise, kernel 1 pointwise"),
      new Entry("conv_transpose2d", "filters, kernel, stride=1, padding=0, outputPadding=0, bias=true",
          "transposed 2-D convolution (learned upsampling), weight [in, filters, k, k]"),
      new Entry("batchnorm", "", "batch normalisation over channels/features (momentum 0.1, eps 1e-5)"),
      new Entry("layer_norm", "axis=-1", "per-sample normalisation along one axis (eps 1e-5), learned scale and shift"),
      new Entry("l2norm", "scale=20", "x / ||x|| over the channels times a learned scale per channel (VGG-SSD)"),
      new Entry("maxpool", "kernel, stride=kernel, padding=0, ceil=false", "max pooling"),
      new Entry("avgpool", "kernel, stride=kernel, padding=0, ceil=false",
          "average pooling (padding not counted)"),
      new Entry("global_avgpool", "", "mean of each channel, [c, h, w] -> [c, 1, 1]"),
      new Entry("upsample", "scale, mode=nearest|bilinear, alignCorners=false",
          "integer upsampling of an image, [c, h, w] -> [c, h*scale, w*scale]"),
      new Entry("flatten", "", "[c, h, w] -> [c*h*w]"),
      new Entry("reshape", "shape (one entry may be -1)", "the same values in a new shape, row-major"),
      new Entry("embedding", "vocab, dim", "integer indices (read from the input) to rows of a learned table, [n] -> [n, dim]"),
      new Entry("dropout", "rate", "inverted dropout in training, identity in evaluation"),
      new Entry("relu", "", "max(x, 0)"),
      new Entry("relu6", "", "min(max(x, 0), 6)"),
      new Entry("leaky_relu", "slope=0.01", "x if x >= 0 else slope*x"),
      new Entry("sigmoid", "", "1 / (1 + exp(-x))"),
      new Entry("tanh", "", "tanh(x)"),
      new Entry("gelu", "", "x * Phi(x), exact (erf) form"),
      new Entry("silu", "", "x * sigmoid(x)"),
      new Entry("hard_sigmoid", "", "relu6(x + 3) / 6"),
      new Entry("hard_swish", "", "x * relu6(x + 3) / 6"),
      new Entry("softmax", "", "softmax over the features (flat) or the channels (image)"),
      new Entry("add", "inputs (2 or more)", "element-wise sum, dimensions of 1 broadcast (residuals)"),
      new Entry("mul", "inputs (2 or more)", "element-wise product, dimensions of 1 broadcast (gating)"),
      new Entry("concat", "inputs (2 or more), axis=0", "concatenation; axis 0 is channels/features"),
      new Entry("anchors", "units", "per-location predictions to rows, [k*units, h, w] -> [h*w*k, units]"));

  /** Every layer type, in catalogue order. */
  public static Set<String> types() {
    Set<String> out = new LinkedHashSet<>();
    ENTRIES.forEach(e -> out.add(e.type()));
    return out;
  }
}
