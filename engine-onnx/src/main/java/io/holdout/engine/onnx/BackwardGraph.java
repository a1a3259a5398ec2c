package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;

import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's training forward pass and its reverse-mode derivative, emitted as standard ONNX
 * operators (opset 18) into one graph, so that a stock ONNX Runtime build computes gradients.
 *
 * <p>Each catalogue layer has a backward rule written with the static shapes the model spec infers
 * (only the batch dimension is dynamic): {@code Gemm}'s gradients are a {@code MatMul} and a
 * transposed {@code Gemm}, activations multiply by their derivative written elementwise with
 * PyTorch's conventions at the kinks, {@code Concat} splits, {@code Add} and {@code Mul} route.
 * Where a value feeds several nodes its gradients are summed. Dropout multiplies by a mask fed as a
 * graph input (from the engine-neutral {@link io.holdout.api.model.DropoutStream}), so every engine
 * drops the same units.
 *
 * <p>Layers without a rule yet are reported by {@link #unsupported(ModelSpec)}, so a session can
 * refuse them before training with one line.
 */
final class BackwardGraph {
  /** The layer types with a backward rule here. */
  static final java.util.Set<String> TYPES;

  static {
    java.util.Set<String> t = new java.util.TreeSet<>(List.of("dense", "relu", "flatten", "reshape", "dropout", "add",
        "mul", "concat"));
    for (LayerSpec.Activation.Fn fn : LayerSpec.Activation.Fn.values()) {
      t.add(fn.id());
    }
    TYPES = java.util.Collections.unmodifiableSet(t);
  }

  /** Whether {@code l} has a backward rule here. */
  static boolean differentiates(LayerSpec l) {
    return TYPES.contains(l.type());
  }

  private BackwardGraph() {}

  /** The first layer type of {@code spec} without a backward rule, or null when all have one. */
  static String unsupported(ModelSpec spec) {
    for (Node n : spec.graph()) {
      if (!differentiates(n.op())) {
        return n.op().type() + " (node '" + n.name() + "')";
      }
    }
    return null;
  }

  /**
   * The training forward pass: every node's output value by node name (the model input under
   * {@link ModelSpec#INPUT}), and each dropout node's mask input by node name.
   */
  record Forward(Map<String, String> values, Map<String, String> masks) {}

  /**
   * Adds the training forward pass over {@code input}: every parameter is a graph input of its own
   * name (the session feeds it, and gets its update back as an output), and each dropout node reads
   * a mask input named {@code mask.<node>} of the node's full shape (batch first).
   */
  static Forward forward(OnnxGraph g, ModelSpec spec, String input) {
    for (ParamInfo p : spec.parameters()) {
      g.reserve(p.name());
      g.input(p.name(), OnnxGraph.FLOAT, p.shape());
    }
    Map<String, String> values = new HashMap<>();
    Map<String, String> masks = new LinkedHashMap<>();
    values.put(ModelSpec.INPUT, input);
    for (Node n : spec.graph()) {
      List<String> in = n.inputs().stream().map(values::get).toList();
      String y;
      if (n.op() instanceof LayerSpec.Dropout) {
        String mask = "mask." + n.name();
        g.input(mask, OnnxGraph.FLOAT, batched(spec.shape(n.inputs().get(0))));
        masks.put(n.name(), mask);
        y = g.mul(in.get(0), mask);
      } else {
        y = ForwardGraph.layer(g, n.op(), n.name() + ".", in, spec.shape(n.inputs().get(0)));
      }
      values.put(n.name(), y);
    }
    return new Forward(values, masks);
  }

  /**
   * Adds the backward pass from the gradients of the head outputs.
   *
   * @param headGrads gradient of the loss with respect to each node feeding a head, by node name
   * @return the gradient of every parameter, by parameter name ({@code <node>.weight}, ...)
   */
  static Map<String, String> backward(OnnxGraph g, ModelSpec spec, Forward f, Map<String, String> headGrads) {
    Map<String, String> grads = new HashMap<>(headGrads);
    Map<String, String> params = new LinkedHashMap<>();
    List<Node> nodes = new ArrayList<>(spec.graph());
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      String dy = grads.get(n.name());
      if (dy == null) {
        continue; // nothing downstream of this node reaches the loss
      }
      List<String> xs = n.inputs().stream().map(f.values()::get).toList();
      String y = f.values().get(n.name());
      String p = n.name() + ".";
      List<String> dxs = layer(g, spec, n, p, xs, y, dy, f, params);
      for (int k = 0; k < dxs.size(); k++) {
        String from = n.inputs().get(k);
        if (from.equals(ModelSpec.INPUT) || dxs.get(k) == null) {
          continue;
        }
        grads.merge(from, dxs.get(k), g::add);
      }
    }
    return params;
  }

  /** The gradients of a node's inputs; parameter gradients go into {@code params}. */
  private static List<String> layer(OnnxGraph g, ModelSpec spec, Node n, String p, List<String> xs, String y,
      String dy, Forward f, Map<String, String> params) {
    LayerSpec l = n.op();
    String x = xs.get(0);
    if (l instanceof LayerSpec.Dense) {
      // y = x·Wᵀ + b with W [out, in]
      params.put(p + "weight", g.op("Gemm", List.of(dy, x), attr("transA", 1)));
      params.put(p + "bias", g.op("ReduceSum", List.of(dy, g.vector(0)), attr("keepdims", 0)));
      return List.of(g.op("MatMul", List.of(dy, p + "weight")));
    } else if (l instanceof LayerSpec.Relu) {
      return List.of(g.mul(dy, g.cast(g.op("Greater", List.of(x, g.scalar(0))), OnnxGraph.FLOAT)));
    } else if (l instanceof LayerSpec.Activation a) {
      return List.of(activation(g, a, x, y, dy));
    } else if (l instanceof LayerSpec.Flatten || l instanceof LayerSpec.Reshape) {
      return List.of(g.op("Reshape", List.of(dy, g.op("Shape", List.of(x)))));
    } else if (l instanceof LayerSpec.Dropout) {
      return List.of(g.mul(dy, f.masks().get(n.name())));
    } else if (l instanceof LayerSpec.Add) {
      List<String> out = new ArrayList<>();
      xs.forEach(ignored -> out.add(dy));
      return out;
    } else if (l instanceof LayerSpec.Mul) {
      List<String> out = new ArrayList<>();
      for (int k = 0; k < xs.size(); k++) {
        String d = dy;
        for (int j = 0; j < xs.size(); j++) {
          if (j != k) {
            d = g.mul(d, xs.get(j));
          }
        }
        out.add(d);
      }
      return out;
    } else if (l instanceof LayerSpec.Concat c) {
      long[] sizes = new long[xs.size()];
      for (int k = 0; k < sizes.length; k++) {
        sizes[k] = spec.shape(n.inputs().get(k))[c.axis()];
      }
      return g.opMulti("Split", List.of(dy, g.vector(sizes)), sizes.length, attr("axis", (long) c.axis() + 1));
    }
    throw new IllegalArgumentException("layer type '" + l.type() + "' has no backward rule on onnx");
  }

  /**
   * {@code dy·f'(x)}, with the derivative PyTorch's autograd uses, kinks included: ReLU6 and hard
   * sigmoid pass the gradient strictly inside their linear range, leaky ReLU takes slope 1 only
   * for {@code x > 0}, hard swish takes {@code x/3 + 1/2} on {@code [-3, 3]}.
   */
  private static String activation(OnnxGraph g, LayerSpec.Activation a, String x, String y, String dy) {
    return switch (a.fn()) {
      case RELU6 -> g.mul(dy, inside(g, x, 0, 6));
      case LEAKY_RELU -> g.mul(dy, g.where(g.op("Greater", List.of(x, g.scalar(0))), g.scalar(1),
          g.scalar(a.alpha())));
      case SIGMOID -> g.mul(dy, g.mul(y, g.sub(g.scalar(1), y)));
      case TANH -> g.mul(dy, g.sub(g.scalar(1), g.square(y)));
      case GELU -> {
        // Φ(x) + x·φ(x)
        String cdf = g.mul(g.add(g.scalar(1), g.op("Erf", List.of(g.mul(x, 1 / Math.sqrt(2))))), 0.5);
        String pdf = g.mul(g.op("Exp", List.of(g.mul(g.square(x), -0.5))), 1 / Math.sqrt(2 * Math.PI));
        yield g.mul(dy, g.add(cdf, g.mul(x, pdf)));
      }
      case SILU -> {
        String s = g.op("Sigmoid", List.of(x));
        yield g.mul(dy, g.mul(s, g.add(g.scalar(1), g.mul(x, g.sub(g.scalar(1), s)))));
      }
      case HARD_SIGMOID -> g.mul(g.mul(dy, inside(g, x, -3, 3)), 1.0 / 6);
      case HARD_SWISH -> {
        String below = g.op("Less", List.of(x, g.scalar(-3)));
        String above = g.op("Greater", List.of(x, g.scalar(3)));
        String mid = g.add(g.mul(x, 1.0 / 3), g.scalar(0.5));
        yield g.mul(dy, g.where(below, g.scalar(0), g.where(above, g.scalar(1), mid)));
      }
      case SOFTMAX -> {
        // y·(dy - Σ_c dy·y) over the class axis
        String dot = g.op("ReduceSum", List.of(g.mul(dy, y), g.vector(1)), attr("keepdims", 1));
        yield g.mul(y, g.sub(dy, dot));
      }
    };
  }

  /** 1 where {@code lo < x < hi}, else 0, as floats. */
  private static String inside(OnnxGraph g, String x, double lo, double hi) {
    String in = g.op("And", List.of(g.op("Greater", List.of(x, g.scalar(lo))), g.op("Less", List.of(x, g.scalar(hi)))));
    return g.cast(in, OnnxGraph.FLOAT);
  }

  /** {@code [-1, shape...]}: a per-sample shape with a dynamic batch first. */
  static long[] batched(long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = -1;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }
}
