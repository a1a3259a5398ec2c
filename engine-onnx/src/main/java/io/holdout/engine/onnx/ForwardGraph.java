package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;
import static io.holdout.engine.onnx.OnnxGraph.ints;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import java.util.ArrayList;
import java.util.HashMap;
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
 * batch norm normalises with the running statistics (epsilon 1e-5), pooling rounds as the spec
 * says. An anchors node permutes {@code [B, k·u, H, W]} to {@code [B, H, W, k·u]} and reshapes it
 * to {@code [B, H·W·k, u]}.
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
    Map<String, String> values = new HashMap<>();
    values.put(ModelSpec.INPUT, input);
    for (Node n : spec.graph()) {
      List<String> in = n.inputs().stream().map(values::get).toList();
      values.put(n.name(), layer(g, n.op(), n.name() + ".", in, spec.shape(n.inputs().get(0))));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (HeadSpec h : spec.heads()) {
      out.put(h.name(), values.get(spec.outputNode(h.name())));
    }
    return out;
  }

  /** One node over its inputs {@code xs} (the first one's shape without the batch is {@code in}). */
  static String layer(OnnxGraph g, LayerSpec l, String p, List<String> xs, long[] in) {
    String x = xs.get(0);
    if (l instanceof LayerSpec.Dense) {
      return g.op("Gemm", List.of(x, p + "weight", p + "bias"), attr("transB", 1));
    } else if (l instanceof LayerSpec.Conv2d c) {
      List<String> inputs = c.bias() ? List.of(x, p + "weight", p + "bias") : List.of(x, p + "weight");
      int pad = c.padding();
      return g.op("Conv", inputs, ints("kernel_shape", c.kernel(), c.kernel()),
          ints("strides", c.stride(), c.stride()), ints("pads", pad, pad, pad, pad),
          ints("dilations", c.dilation(), c.dilation()), attr("group", c.groups()));
    } else if (l instanceof LayerSpec.MaxPool m) {
      return g.op("MaxPool", List.of(x), ints("kernel_shape", m.kernel(), m.kernel()),
          ints("strides", m.stride(), m.stride()), ints("pads", m.padding(), m.padding(), m.padding(), m.padding()),
          attr("ceil_mode", m.ceil() ? 1 : 0));
    } else if (l instanceof LayerSpec.AvgPool m) {
      return g.op("AveragePool", List.of(x), ints("kernel_shape", m.kernel(), m.kernel()),
          ints("strides", m.stride(), m.stride()), ints("pads", m.padding(), m.padding(), m.padding(), m.padding()),
          attr("ceil_mode", m.ceil() ? 1 : 0), attr("count_include_pad", 0));
    } else if (l instanceof LayerSpec.GlobalAvgPool) {
      return g.op("GlobalAveragePool", List.of(x));
    } else if (l instanceof LayerSpec.BatchNorm) {
      // over axis 1: the features of [B, F] or the channels of [B, C, H, W]
      return g.op("BatchNormalization",
          List.of(x, p + "weight", p + "bias", p + "running_mean", p + "running_var"),
          attr("epsilon", BN_EPS));
    } else if (l instanceof LayerSpec.Flatten) {
      return in.length == 1 ? x : g.op("Flatten", List.of(x), attr("axis", 1));
    } else if (l instanceof LayerSpec.Relu) {
      return g.op("Relu", List.of(x));
    } else if (l instanceof LayerSpec.Activation a) {
      return activation(g, a, x);
    } else if (l instanceof LayerSpec.Dropout) {
      return x;
    } else if (l instanceof LayerSpec.Add || l instanceof LayerSpec.Mul) {
      String y = x;
      for (int i = 1; i < xs.size(); i++) {
        y = l instanceof LayerSpec.Add ? g.add(y, xs.get(i)) : g.mul(y, xs.get(i));
      }
      return y;
    } else if (l instanceof LayerSpec.Concat c) {
      return g.concat(c.axis() + 1, xs);
    } else if (l instanceof LayerSpec.Anchors a) {
      long rows = in[1] * in[2] * (in[0] / a.units());
      return g.reshape(g.transpose(x, 0, 2, 3, 1), -1, rows, a.units());
    }
    if (l instanceof LayerSpec.ConvTranspose2d c) {
      List<String> inputs = c.bias() ? List.of(x, p + "weight", p + "bias") : List.of(x, p + "weight");
      int pad = c.padding();
      return g.op("ConvTranspose", inputs, ints("kernel_shape", c.kernel(), c.kernel()),
          ints("strides", c.stride(), c.stride()), ints("pads", pad, pad, pad, pad),
          ints("output_padding", c.outputPadding(), c.outputPadding()));
    } else if (l instanceof LayerSpec.LayerNorm n) {
      int a = n.axisOf(in.length);
      if (a == in.length - 1) {
        return g.op("LayerNormalization", List.of(x, p + "weight", p + "bias"), attr("axis", -1L),
            attr("epsilon", (float) LayerSpec.LayerNorm.EPS));
      }
      // another axis (an image's channels): the statistics along it, scale and shift reshaped to broadcast
      String axes = g.vector(a + 1);
      String centered = g.sub(x, g.op("ReduceMean", List.of(x, axes), attr("keepdims", 1)));
      String var = g.op("ReduceMean", List.of(g.square(centered), axes), attr("keepdims", 1));
      String y = g.div(centered, g.op("Sqrt", List.of(g.add(var, g.scalar(LayerSpec.LayerNorm.EPS)))));
      long[] b = broadcast(in.length + 1, a + 1, in[a]);
      return g.add(g.mul(y, g.reshape(p + "weight", b)), g.reshape(p + "bias", b));
    } else if (l instanceof LayerSpec.L2Norm) {
      String sq = g.op("ReduceSumSquare", List.of(x, g.vector(1)), attr("keepdims", 1));
      String y = g.div(x, g.op("Sqrt", List.of(g.add(sq, g.scalar(LayerSpec.L2Norm.EPS)))));
      return g.mul(y, g.reshape(p + "weight", broadcast(in.length + 1, 1, in[0])));
    } else if (l instanceof LayerSpec.Upsample u) {
      float f = u.scale();
      String scales = g.floats("scales", new float[] {1, 1, f, f}, 4);
      return u.bilinear()
          ? g.op("Resize", List.of(x, "", scales), attr("mode", "linear"),
              attr("coordinate_transformation_mode", u.alignCorners() ? "align_corners" : "half_pixel"))
          : g.op("Resize", List.of(x, "", scales), attr("mode", "nearest"),
              attr("coordinate_transformation_mode", "asymmetric"), attr("nearest_mode", "floor"));
    } else if (l instanceof LayerSpec.Reshape r) {
      long[] shape = new long[r.shape().size() + 1];
      shape[0] = -1;
      long[] out = r.outputShape(in, p);
      System.arraycopy(out, 0, shape, 1, out.length);
      return g.reshape(x, shape);
    } else if (l instanceof LayerSpec.Embedding) {
      return g.op("Gather", List.of(p + "weight", g.cast(x, OnnxGraph.INT64)), attr("axis", 0L));
    }
    throw new IllegalArgumentException("layer type '" + l.type() + "' is not compiled by onnx");
  }

  /** {@code [1, .., n, .., 1]} of rank {@code rank} with {@code n} at {@code axis}. */
  static long[] broadcast(int rank, int axis, long n) {
    long[] b = new long[rank];
    java.util.Arrays.fill(b, 1);
    b[axis] = n;
    return b;
  }

  /** Activations as opset-18 operators (GELU composed with {@code Erf}, opset 18 has no Gelu). */
  private static String activation(OnnxGraph g, LayerSpec.Activation a, String x) {
    return switch (a.fn()) {
      case RELU6 -> g.op("Clip", List.of(x, g.scalar(0), g.scalar(6)));
      // LeakyRelu's slope is a float attribute: in float64 a double slope (leaky_relu's convention at 0)
      case LEAKY_RELU -> g.float64() ? g.where(g.op("Greater", List.of(x, g.scalar(0))), x, g.mul(x, a.alpha()))
          : g.op("LeakyRelu", List.of(x), attr("alpha", (float) a.alpha()));
      case SIGMOID -> g.op("Sigmoid", List.of(x));
      case TANH -> g.op("Tanh", List.of(x));
      case GELU -> g.mul(g.mul(x, 0.5), g.add(g.scalar(1), g.op("Erf", List.of(g.mul(x, 1 / Math.sqrt(2))))));
      case SILU -> g.mul(x, g.op("Sigmoid", List.of(x)));
      // HardSigmoid's 1/6 is a float attribute and HardSwish has a float kernel only: in float64
      // relu6(x + 3) / 6 (and x times it) from double scalars
      case HARD_SIGMOID -> g.float64() ? hardSigmoid64(g, x)
          : g.op("HardSigmoid", List.of(x), attr("alpha", 1f / 6), attr("beta", 0.5f));
      case HARD_SWISH -> g.float64() ? g.mul(x, hardSigmoid64(g, x)) : g.op("HardSwish", List.of(x));
      case SOFTMAX -> g.op("Softmax", List.of(x), attr("axis", 1));
    };
  }

  /** {@code relu6(x + 3) / 6} from double scalars (float64 graphs). */
  private static String hardSigmoid64(OnnxGraph g, String x) {
    return g.div(g.op("Clip", List.of(g.add(x, g.scalar(3)), g.scalar(0), g.scalar(6))), g.scalar(6));
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
