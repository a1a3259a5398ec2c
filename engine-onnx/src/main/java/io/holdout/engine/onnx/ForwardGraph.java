package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;
import static io.holdout.engine.onnx.OnnxGraph.ints;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ModelSpec}'s inference-mode forward pass as ONNX operations, over NCHW activations and
 * PyTorch's parameter layouts, which are ONNX's own (dense {@code [out, in]} through {@code Gemm}
 * with {@code transB}, convolution OIHW), so weights go in unchanged. Every state tensor is an
 * initializer named by its portable name ({@code trunk.0.weight}, ...).
 *
 * <p>Evaluation semantics, as the PyTorch and TensorFlow backends evaluate: dropout is the identity,
 * batch norm normalises with the running statistics (epsilon 1e-5), max pooling rounds down. A
 * multi-scale head convolves each tap (3×3, stride 1, padding 1), permutes {@code [B, k·u, H, W]}
 * to {@code [B, H, W, k·u]}, reshapes it to {@code [B, H·W·k, u]} and concatenates the taps along
 * the anchors.
 */
final class ForwardGraph {
  /** PyTorch's batch-norm epsilon. */
  static final float BN_EPS = 1e-5f;

  private ForwardGraph() {}

  /**
   * Reserves the name of every parameter of {@code spec} in {@code g} (they become initializers
   * later, see {@link #withWeights}) and adds the forward pass over the value {@code input}.
   *
   * @return each head's output value, in head order: {@code [B, units]} or {@code [B, A, units]}
   */
  static Map<String, String> build(OnnxGraph g, ModelSpec spec, String input) {
    for (ParamInfo p : spec.parameters()) {
      g.reserve(p.name());
    }
    List<String> taps = new ArrayList<>();
    String x = input;
    long[] shape = spec.inputShape();
    for (int i = 0; i < spec.trunk().size(); i++) {
      LayerSpec l = spec.trunk().get(i);
      x = layer(g, l, "trunk." + i + ".", x, shape);
      shape = l.outputShape(shape, "trunk layer " + i);
      taps.add(x);
    }
    List<long[]> tapShapes = spec.trunkShapes();
    Map<String, String> out = new LinkedHashMap<>();
    for (HeadSpec h : spec.heads()) {
      if (h.isMultiScale()) {
        out.put(h.name(), multiScale(g, h, taps, tapShapes));
        continue;
      }
      String y = x;
      long[] s = shape;
      for (int j = 0; j < h.layers().size(); j++) {
        LayerSpec l = h.layers().get(j);
        y = layer(g, l, "heads." + h.name() + "." + j + ".", y, s);
        s = l.outputShape(s, "head '" + h.name() + "' layer " + j);
      }
      out.put(h.name(), y);
    }
    return out;
  }

  /** One layer over {@code x} (its shape without the batch is {@code in}). */
  private static String layer(OnnxGraph g, LayerSpec l, String p, String x, long[] in) {
    if (l instanceof LayerSpec.Dense) {
      return g.op("Gemm", List.of(x, p + "weight", p + "bias"), attr("transB", 1));
    } else if (l instanceof LayerSpec.Conv2d c) {
      return conv(g, x, p + "weight", p + "bias", c.kernel(), c.stride(), c.padding());
    } else if (l instanceof LayerSpec.MaxPool m) {
      return g.op("MaxPool", List.of(x), ints("kernel_shape", m.kernel(), m.kernel()),
          ints("strides", m.stride(), m.stride()));
    } else if (l instanceof LayerSpec.BatchNorm) {
      // over axis 1: the features of [B, F] or the channels of [B, C, H, W]
      return g.op("BatchNormalization",
          List.of(x, p + "weight", p + "bias", p + "running_mean", p + "running_var"),
          attr("epsilon", BN_EPS));
    } else if (l instanceof LayerSpec.Flatten) {
      return in.length == 1 ? x : g.op("Flatten", List.of(x), attr("axis", 1));
    } else if (l instanceof LayerSpec.Relu) {
      return g.op("Relu", List.of(x));
    } else if (l instanceof LayerSpec.Dropout) {
      return x;
    }
    throw new IllegalArgumentException("layer type '" + l.type() + "' is not compiled by onnx");
  }

  private static String conv(OnnxGraph g, String x, String weight, String bias, int kernel, int stride,
      int padding) {
    return g.op("Conv", List.of(x, weight, bias), ints("kernel_shape", kernel, kernel),
        ints("strides", stride, stride), ints("pads", padding, padding, padding, padding));
  }

  private static String multiScale(OnnxGraph g, HeadSpec h, List<String> taps, List<long[]> shapes) {
    List<String> parts = new ArrayList<>();
    for (int j = 0; j < h.taps().size(); j++) {
      int t = h.taps().get(j);
      String p = "heads." + h.name() + "." + j + ".";
      String y = conv(g, taps.get(t), p + "weight", p + "bias", 3, 1, 1);
      long[] s = shapes.get(t);
      long cells = s[1] * s[2] * h.anchorsPerLocation();
      parts.add(g.reshape(g.transpose(y, 0, 2, 3, 1), -1, cells, h.units()));
    }
    return g.concat(1, parts);
  }

  /** The initializers of {@code weights}, in {@link ModelSpec#parameters()} order. */
  static List<TensorProto> initializers(ModelSpec spec, Weights weights) {
    List<TensorProto> out = new ArrayList<>();
    for (ParamInfo p : spec.parameters()) {
      out.add(OnnxGraph.tensor(p.name(), weights.get(p.name())));
    }
    return out;
  }

  /** {@code template} (a graph whose parameters are not yet initializers) with {@code weights} in. */
  static ModelProto withWeights(ModelProto template, ModelSpec spec, Weights weights) {
    ModelProto.Builder m = template.toBuilder();
    m.getGraphBuilder().addAllInitializer(initializers(spec, weights));
    return m.build();
  }
}
