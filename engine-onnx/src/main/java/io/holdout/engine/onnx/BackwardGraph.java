package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;
import static io.holdout.engine.onnx.OnnxGraph.ints;

import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * <p>{@link #TYPES} names the layers with a rule (every catalogue entry); {@link
 * #unsupported(ModelSpec)} names any other, so a session can refuse it before training with one line.
 */
final class BackwardGraph {
  /** The layer types with a backward rule here. */
  static final java.util.Set<String> TYPES;

  static {
    java.util.Set<String> t = new java.util.TreeSet<>(List.of("dense", "relu", "flatten", "reshape", "dropout", "add",
        "mul", "concat", "conv2d", "maxpool", "avgpool", "global_avgpool", "batchnorm", "anchors", "conv_transpose2d",
        "layer_norm", "l2norm", "upsample", "embedding"));
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
  record Forward(Map<String, String> values, Map<String, String> masks, Map<String, List<String>> saved,
      Map<String, String> buffers, Set<String> reluAfterPool, Map<String, List<Node>> siblings,
      Map<String, String> siblingWeights) {}

  /**
   * Sibling convolutions: ungrouped convolutions that read the same node with the same kernel,
   * stride, padding, dilation and bias (the heads of a tap), by the name of the first in graph order.
   * Each group runs as one convolution over its kernels stacked (and is differentiated as one), which
   * reads the input once where each sibling read it again.
   */
  static Map<String, List<Node>> siblingConvs(ModelSpec spec) {
    Map<String, List<Node>> byKey = new LinkedHashMap<>();
    for (Node n : spec.graph()) {
      if (n.op() instanceof LayerSpec.Conv2d c && c.groups() == 1 && n.inputs().size() == 1) {
        String key = n.inputs().get(0) + "|" + c.kernel() + "|" + c.stride() + "|" + c.padding() + "|" + c.dilation()
            + "|" + c.bias();
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
      }
    }
    Map<String, List<Node>> out = new HashMap<>();
    for (List<Node> group : byKey.values()) {
      if (group.size() > 1) {
        out.put(group.get(0).name(), List.copyOf(group));
      }
    }
    return out;
  }

  /**
   * The ReLU nodes whose only reader is a max pooling (and that are no head's output): those are
   * computed after the pooling instead, on a quarter of the values for a 2×2 pool. {@code
   * maxpool(relu(x)) = relu(maxpool(x))}, and the gradients agree too: where a window's maximum is
   * positive both route it to the window's first maximum with ReLU's slope 1; where it is not, both
   * give zero.
   */
  static Set<String> reluAfterPool(ModelSpec spec) {
    Map<String, Integer> readers = new HashMap<>();
    Map<String, Node> byName = new HashMap<>();
    for (Node n : spec.graph()) {
      byName.put(n.name(), n);
      for (String in : n.inputs()) {
        readers.merge(in, 1, Integer::sum);
      }
    }
    Set<String> outputs = new java.util.HashSet<>();
    spec.heads().forEach(h -> outputs.add(spec.outputNode(h.name())));
    Set<String> out = new java.util.HashSet<>();
    for (Node n : spec.graph()) {
      if (n.op() instanceof LayerSpec.MaxPool && n.inputs().size() == 1) {
        Node r = byName.get(n.inputs().get(0));
        if (r != null && r.op() instanceof LayerSpec.Relu && readers.get(r.name()) == 1 && !outputs.contains(r.name())) {
          out.add(r.name());
        }
      }
    }
    return out;
  }

  /**
   * Adds the training forward pass over {@code input}: every parameter is a graph input of its own
   * name (the session feeds it, and gets its update back as an output), and each dropout node reads
   * a mask input named {@code mask.<node>} of the node's full shape (batch first). Batch norm
   * normalises with the batch's statistics and yields its updated running statistics ({@link
   * Forward#buffers()}, by parameter name); max pooling keeps the index of each window's maximum for
   * the backward pass.
   */
  static Forward forward(OnnxGraph g, ModelSpec spec, String input) {
    for (ParamInfo p : spec.parameters()) {
      g.reserve(p.name());
      g.input(p.name(), OnnxGraph.FLOAT, p.shape());
    }
    Map<String, String> values = new HashMap<>();
    Map<String, String> masks = new LinkedHashMap<>();
    Map<String, List<String>> saved = new HashMap<>();
    Map<String, String> buffers = new LinkedHashMap<>();
    values.put(ModelSpec.INPUT, input);
    Set<String> swapped = reluAfterPool(spec);
    Map<String, List<Node>> siblings = siblingConvs(spec);
    Map<String, String> siblingWeights = new HashMap<>();
    for (Node n : spec.graph()) {
      if (values.containsKey(n.name())) {
        continue; // a sibling convolution, computed with the first of its group
      }
      List<String> in = n.inputs().stream().map(values::get).toList();
      long[] inShape = spec.shape(n.inputs().get(0));
      String p = n.name() + ".";
      List<Node> group = siblings.get(n.name());
      if (group != null) {
        LayerSpec.Conv2d c = (LayerSpec.Conv2d) n.op();
        String w = g.concat(0, group.stream().map(m -> m.name() + ".weight").toList());
        siblingWeights.put(n.name(), w);
        List<String> inputs = new ArrayList<>(List.of(in.get(0), w));
        if (c.bias()) {
          inputs.add(g.concat(0, group.stream().map(m -> m.name() + ".bias").toList()));
        }
        int pad = c.padding();
        String all = g.op("Conv", inputs, ints("kernel_shape", c.kernel(), c.kernel()),
            ints("strides", c.stride(), c.stride()), ints("pads", pad, pad, pad, pad),
            ints("dilations", c.dilation(), c.dilation()));
        List<String> ys = g.opMulti("Split", List.of(all, g.vector(group.stream()
            .mapToLong(m -> ((LayerSpec.Conv2d) m.op()).filters()).toArray())), group.size(), attr("axis", 1));
        for (int k = 0; k < group.size(); k++) {
          values.put(group.get(k).name(), ys.get(k));
        }
        continue;
      }
      String y;
      if (n.op() instanceof LayerSpec.Conv2d c && smallDepthwise(c, inShape, spec.shape(n.name()))) {
        y = smallDepthwise(g, c, p, in.get(0), inShape, spec.shape(n.name()), saved, n.name());
      } else if (swapped.contains(n.name())) {
        y = in.get(0); // applied after the pooling that reads it
      } else if (n.op() instanceof LayerSpec.Dropout) {
        String mask = "mask." + n.name();
        g.input(mask, OnnxGraph.FLOAT, batched(inShape));
        masks.put(n.name(), mask);
        y = g.mul(in.get(0), mask);
      } else if (n.op() instanceof LayerSpec.BatchNorm) {
        y = batchNormTraining(g, p, in.get(0), inShape, saved, buffers, n.name());
      } else if (n.op() instanceof LayerSpec.MaxPool m) {
        List<String> out = g.opMulti("MaxPool", List.of(in.get(0)), 2, ints("kernel_shape", m.kernel(), m.kernel()),
            ints("strides", m.stride(), m.stride()), ints("pads", m.padding(), m.padding(), m.padding(), m.padding()),
            attr("ceil_mode", m.ceil() ? 1 : 0));
        y = swapped.contains(n.inputs().get(0)) ? g.op("Relu", List.of(out.get(0))) : out.get(0);
        saved.put(n.name(), List.of(out.get(1)));
      } else {
        y = ForwardGraph.layer(g, n.op(), p, in, inShape);
      }
      values.put(n.name(), y);
    }
    return new Forward(values, masks, saved, buffers, swapped, siblings, siblingWeights);
  }

  /** PyTorch's batch-norm momentum for the running statistics. */
  static final double BN_MOMENTUM = 0.1;

  /**
   * Batch norm in training: {@code x̂ = (x - μ_B)/√(σ²_B + ε)} over every axis but the channels,
   * {@code y = γ·x̂ + β}; running mean and variance move by {@link #BN_MOMENTUM} towards the batch's
   * mean and unbiased variance, as PyTorch's. Saves {@code x̂} and {@code 1/√(σ²_B + ε)}.
   */
  private static String batchNormTraining(OnnxGraph g, String p, String x, long[] in, Map<String, List<String>> saved,
      Map<String, String> buffers, String node) {
    String axes = in.length == 1 ? g.vector(0) : g.vector(0, 2, 3);
    long[] b = in.length == 1 ? new long[] {1, in[0]} : new long[] {1, in[0], 1, 1};
    String mean = g.op("ReduceMean", List.of(x, axes), attr("keepdims", 1));
    String centered = g.sub(x, mean);
    String var = g.op("ReduceMean", List.of(g.square(centered), axes), attr("keepdims", 1));
    String inv = g.op("Reciprocal", List.of(g.op("Sqrt", List.of(g.add(var, g.scalar(ForwardGraph.BN_EPS))))));
    saved.put(node, List.of(centered, inv));
    // n / (n - 1) with n = the values per channel in this batch
    String n = g.div(g.cast(g.op("Size", List.of(x)), OnnxGraph.FLOAT), g.scalar(in[0]));
    String unbiased = g.mul(g.reshape(var, in[0]), g.div(n, g.sub(n, g.scalar(1))));
    buffers.put(p + "running_mean", g.add(g.mul(p + "running_mean", 1 - BN_MOMENTUM),
        g.mul(g.reshape(mean, in[0]), BN_MOMENTUM)));
    buffers.put(p + "running_var", g.add(g.mul(p + "running_var", 1 - BN_MOMENTUM), g.mul(unbiased, BN_MOMENTUM)));
    // (x - μ)·(γ/√(σ² + ε)) + β: x̂ itself is never formed (the backward pass folds 1/√(σ² + ε) in too)
    return g.add(g.mul(centered, g.mul(inv, g.reshape(p + "weight", b))), g.reshape(p + "bias", b));
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
    Set<String> later = new java.util.HashSet<>(); // sibling convolutions after the first of their group
    f.siblings().values().forEach(group -> group.subList(1, group.size()).forEach(m -> later.add(m.name())));
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      if (later.contains(n.name())) {
        continue; // differentiated with the first of its group, whose turn comes after every reader of it
      }
      List<Node> group = f.siblings().get(n.name());
      if (group != null && group.stream().allMatch(m -> grads.containsKey(m.name()))) {
        siblingsBackward(g, spec, group, f, grads, params);
        continue;
      }
      List<Node> each = new ArrayList<>(group == null ? List.of(n) : group);
      java.util.Collections.reverse(each);
      for (Node m : each) {
        String dy = grads.get(m.name());
        if (dy == null) {
          continue; // nothing downstream of this node reaches the loss
        }
        List<String> xs = m.inputs().stream().map(f.values()::get).toList();
        String y = f.values().get(m.name());
        List<String> dxs = layer(g, spec, m, m.name() + ".", xs, y, dy, f, params);
        for (int k = 0; k < dxs.size(); k++) {
          String from = m.inputs().get(k);
          if (from.equals(ModelSpec.INPUT) || dxs.get(k) == null) {
            continue;
          }
          grads.merge(from, unbroadcast(g, dxs.get(k), spec.shape(from), spec.shape(m.name())), g::add);
        }
      }
    }
    return params;
  }

  /**
   * The backward pass of a group of sibling convolutions as one convolution: their output
   * gradients stacked along the channels, the stacked kernels' gradient split back into each
   * sibling's, and one input gradient through the stacked kernels.
   */
  private static void siblingsBackward(OnnxGraph g, ModelSpec spec, List<Node> group, Forward f,
      Map<String, String> grads, Map<String, String> params) {
    Node first = group.get(0);
    LayerSpec.Conv2d c = (LayerSpec.Conv2d) first.op();
    long[] filters = group.stream().mapToLong(m -> ((LayerSpec.Conv2d) m.op()).filters()).toArray();
    long total = java.util.Arrays.stream(filters).sum();
    long[] out = spec.shape(first.name());
    out[0] = total;
    String dy = g.concat(1, group.stream().map(m -> grads.get(m.name())).toList());
    String from = first.inputs().get(0);
    Map<String, String> stacked = new HashMap<>();
    String dx = conv(g, new LayerSpec.Conv2d((int) total, c.kernel(), c.stride(), c.padding(), c.dilation(), 1,
        c.bias()), "stacked.", f.siblingWeights().get(first.name()), f.values().get(from), dy, spec.shape(from), out,
        stacked, !from.equals(ModelSpec.INPUT));
    List<String> w = g.opMulti("Split", List.of(stacked.get("stacked.weight"), g.vector(filters)), group.size(),
        attr("axis", 0));
    List<String> b = c.bias() ? g.opMulti("Split", List.of(stacked.get("stacked.bias"), g.vector(filters)),
        group.size(), attr("axis", 0)) : null;
    for (int k = 0; k < group.size(); k++) {
      params.put(group.get(k).name() + ".weight", w.get(k));
      if (b != null) {
        params.put(group.get(k).name() + ".bias", b.get(k));
      }
    }
    if (dx != null) {
      grads.merge(from, dx, g::add);
    }
  }

  /**
   * {@code d} (of the broadcast shape {@code out}) summed over the axes where an input of shape
   * {@code in} was broadcast ({@code add} and {@code mul} of a {@code [c, 1, 1]} gate, say).
   */
  private static String unbroadcast(OnnxGraph g, String d, long[] in, long[] out) {
    if (in.length != out.length || java.util.Arrays.equals(in, out)) {
      return d;
    }
    List<Long> axes = new ArrayList<>();
    for (int i = 0; i < in.length; i++) {
      if (in[i] == 1 && out[i] != 1) {
        axes.add((long) i + 1);
      }
    }
    return axes.isEmpty() ? d : g.op("ReduceSum", List.of(d, g.vector(axes.stream().mapToLong(Long::longValue)
        .toArray())), attr("keepdims", 1));
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
    } else if (l instanceof LayerSpec.Relu && f.reluAfterPool().contains(n.name())) {
      return List.of(dy); // its slope was applied by the pooling that reads it
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
    } else if (l instanceof LayerSpec.Conv2d c && f.saved().containsKey(n.name())
        && smallDepthwise(c, spec.shape(n.inputs().get(0)), spec.shape(n.name()))) {
      // null for the model's input: nothing upstream needs its gradient
      return java.util.Collections.singletonList(smallDepthwiseGrad(g, c, p, dy, spec.shape(n.inputs().get(0)),
          spec.shape(n.name()), f.saved().get(n.name()), params, !n.inputs().get(0).equals(ModelSpec.INPUT)));
    } else if (l instanceof LayerSpec.Conv2d c) {
      String dx = conv(g, c, p, p + "weight", x, dy, spec.shape(n.inputs().get(0)), spec.shape(n.name()), params,
          !n.inputs().get(0).equals(ModelSpec.INPUT));
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      out.add(dx);
      return out;
    } else if (l instanceof LayerSpec.MaxPool && f.reluAfterPool().contains(n.inputs().get(0))) {
      // relu(maxpool(x)): ReLU's slope on the pooled values first, then the pooling's routing
      String masked = g.mul(dy, g.cast(g.op("Greater", List.of(y, g.scalar(0))), OnnxGraph.FLOAT));
      return maxPoolGrad(g, spec, n, (LayerSpec.MaxPool) l, x, masked, f);
    } else if (l instanceof LayerSpec.MaxPool m) {
      return maxPoolGrad(g, spec, n, m, x, dy, f);
    } else if (l instanceof LayerSpec.AvgPool a) {
      return List.of(avgPool(g, a, dy, spec.shape(n.inputs().get(0)), spec.shape(n.name())));
    } else if (l instanceof LayerSpec.GlobalAvgPool) {
      long[] in = spec.shape(n.inputs().get(0));
      return List.of(g.op("Expand", List.of(g.mul(dy, 1.0 / (in[1] * in[2])), g.op("Shape", List.of(x)))));
    } else if (l instanceof LayerSpec.BatchNorm) {
      long[] in = spec.shape(n.inputs().get(0));
      String axes = in.length == 1 ? g.vector(0) : g.vector(0, 2, 3);
      long[] b = in.length == 1 ? new long[] {1, in[0]} : new long[] {1, in[0], 1, 1};
      return List.of(batchNormGrad(g, p, dy, f.saved().get(n.name()).get(0), f.saved().get(n.name()).get(1), axes, b,
          params));
    } else if (l instanceof LayerSpec.ConvTranspose2d c) {
      long[] in = spec.shape(n.inputs().get(0));
      long[] out = spec.shape(n.name());
      if (c.bias()) {
        params.put(p + "bias", g.op("ReduceSum", List.of(dy, g.vector(0, 2, 3)), attr("keepdims", 0)));
      }
      // the adjoint of a transposed convolution is the convolution with the same kernel; its kernel
      // gradient is a convolution's kernel gradient with the roles of input and output swapped
      params.put(p + "weight", kernelGradient(g, dy, x, out, in, c.kernel(), c.stride(), 1, c.padding()));
      int pad = c.padding();
      return List.of(g.op("Conv", List.of(dy, p + "weight"), ints("kernel_shape", c.kernel(), c.kernel()),
          ints("strides", c.stride(), c.stride()), ints("pads", pad, pad, pad, pad)));
    } else if (l instanceof LayerSpec.LayerNorm ln) {
      long[] in = spec.shape(n.inputs().get(0));
      int a = ln.axisOf(in.length) + 1;
      String axis = g.vector(a);
      String others = allBut(g, in.length + 1, a);
      long[] b = ForwardGraph.broadcast(in.length + 1, a, in[a - 1]);
      String centered = g.sub(x, g.op("ReduceMean", List.of(x, axis), attr("keepdims", 1)));
      String var = g.op("ReduceMean", List.of(g.square(centered), axis), attr("keepdims", 1));
      String inv = g.op("Reciprocal", List.of(g.op("Sqrt", List.of(g.add(var, g.scalar(LayerSpec.LayerNorm.EPS))))));
      String xhat = g.mul(centered, inv);
      return List.of(normalisationGrad(g, p, dy, xhat, inv, others, axis, b, params));
    } else if (l instanceof LayerSpec.L2Norm) {
      // y = w·x/r with r = √(Σ_c x² + eps): dx = (du - u·Σ_c du·u)/r, u = x/r, du = w·dy
      long[] in = spec.shape(n.inputs().get(0));
      long[] b = ForwardGraph.broadcast(in.length + 1, 1, in[0]);
      String others = allBut(g, in.length + 1, 1);
      String r = g.op("Sqrt", List.of(g.add(g.op("ReduceSumSquare", List.of(x, g.vector(1)), attr("keepdims", 1)),
          g.scalar(LayerSpec.L2Norm.EPS))));
      String u = g.div(x, r);
      params.put(p + "weight", g.op("ReduceSum", List.of(g.mul(dy, u), others), attr("keepdims", 0)));
      String du = g.mul(dy, g.reshape(p + "weight", b));
      String dot = g.op("ReduceSum", List.of(g.mul(du, u), g.vector(1)), attr("keepdims", 1));
      return List.of(g.div(g.sub(du, g.mul(u, dot)), r));
    } else if (l instanceof LayerSpec.Upsample up) {
      // the interpolation is a matrix per axis, y = A_h·x·A_wᵀ: dx = A_hᵀ·dy·A_w
      long[] in = spec.shape(n.inputs().get(0));
      long[] out = spec.shape(n.name());
      String ah = g.floats("upsample_rows", interpolation(up, in[1], out[1], true), in[1], out[1]);
      String aw = g.floats("upsample_cols", interpolation(up, in[2], out[2], false), out[2], in[2]);
      return List.of(g.op("MatMul", List.of(g.op("MatMul", List.of(ah, dy)), aw)));
    } else if (l instanceof LayerSpec.Embedding e) {
      // rows of the table that were looked up collect their outputs' gradients; indices get none
      String idx = g.reshape(g.cast(x, OnnxGraph.INT64), -1, 1);
      String rows = g.op("Expand", List.of(idx, g.vector(1, e.dim())));
      String zeros = g.filled(g.vector(e.vocab(), e.dim()), 0f);
      params.put(p + "weight", g.op("ScatterElements", List.of(zeros, rows, g.reshape(dy, -1, e.dim())),
          attr("axis", 0L), attr("reduction", "add")));
      java.util.ArrayList<String> none = new java.util.ArrayList<>();
      none.add(null);
      return none;
    } else if (l instanceof LayerSpec.Anchors) {
      long[] in = spec.shape(n.inputs().get(0));
      return List.of(g.transpose(g.reshape(dy, -1, in[1], in[2], in[0]), 0, 3, 1, 2));
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
   * Convolution with kernel {@code weight} (null for the input's gradient unless {@code
   * inputGradient}; the kernel's and bias's gradients go into {@code params} as {@code p + "weight"}
   * and {@code p + "bias"}): the input's gradient is a convolution of {@code dy} with the flipped
   * kernel at stride 1, the transposed convolution with the same kernel otherwise (output padding
   * restores rows the stride dropped). The kernel's gradient is, for ungrouped convolutions, the
   * patches product ({@link #im2colKernelGradient}) where the output has at least twice the input's
   * channels, else per-tap products ({@link #kernelGradient}); for grouped ones (and every one with
   * {@code -Dholdout.onnx.kernelGradient=conv}) a convolution of the input with {@code dy} as its
   * kernel, batch and channels swapped (stride and dilation swapped too), per group, cropped to the
   * kernel size. {@code -Dholdout.onnx.kernelGradient=im2col} or {@code taps} forces one form (for
   * measurements).
   */
  private static String conv(OnnxGraph g, LayerSpec.Conv2d c, String p, String weight, String x, String dy, long[] in,
      long[] out, Map<String, String> params, boolean inputGradient) {
    int k = c.kernel();
    int s = c.stride();
    int d = c.dilation();
    int pad = c.padding();
    long groups = c.groups();
    long cg = in[0] / groups;
    long og = out[0] / groups;
    if (c.bias()) {
      params.put(p + "bias", g.op("ReduceSum", List.of(dy, g.vector(0, 2, 3)), attr("keepdims", 0)));
    }
    String w;
    String mode = System.getProperty("holdout.onnx.kernelGradient", "auto");
    if (groups == 1 && k > 1 && (mode.equals("im2col") || mode.equals("auto") && out[0] >= 2 * in[0])) {
      w = im2colKernelGradient(g, x, dy, in, out, k, s, d, pad);
    } else if (groups == 1 && !mode.equals("conv")) {
      w = kernelGradient(g, x, dy, in, out, k, s, d, pad);
    } else {
      String xt = g.reshape(g.transpose(g.reshape(x, -1, groups, cg, in[1], in[2]), 2, 1, 0, 3, 4),
          cg, -1, in[1], in[2]);
      String dyt = g.reshape(g.transpose(g.reshape(dy, -1, groups, og, out[1], out[2]), 1, 2, 0, 3, 4),
          out[0], -1, out[1], out[2]);
      w = g.op("Conv", List.of(xt, dyt), ints("kernel_shape", out[1], out[2]), ints("strides", d, d),
          ints("dilations", s, s), ints("pads", pad, pad, pad, pad), attr("group", groups));
      long kh = (in[1] + 2L * pad - (long) s * (out[1] - 1) - 1) / d + 1;
      long kw = (in[2] + 2L * pad - (long) s * (out[2] - 1) - 1) / d + 1;
      w = g.transpose(w, 1, 0, 2, 3);
      if (kh != k || kw != k) {
        w = g.op("Slice", List.of(w, g.vector(0, 0), g.vector(k, k), g.vector(2, 3)));
      }
    }
    params.put(p + "weight", w);
    if (!inputGradient) {
      return null; // the model's input: nothing upstream needs it (and ONNX Runtime would compute it)
    }
    if (s == 1 && pad <= d * (k - 1)) {
      // stride 1: the input's gradient is a plain convolution of dy with the kernel flipped in space
      // and its channel axes swapped per group (a faster kernel than ConvTranspose's)
      String flipped = g.op("Slice", List.of(weight, g.vector(-1, -1), g.vector(-k - 1, -k - 1),
          g.vector(2, 3), g.vector(-1, -1)));
      String swapped = g.reshape(g.transpose(g.reshape(flipped, groups, og, cg, k, k), 0, 2, 1, 3, 4), in[0], og, k, k);
      long q = (long) d * (k - 1) - pad;
      return g.op("Conv", List.of(dy, swapped), ints("kernel_shape", k, k), ints("dilations", d, d),
          ints("pads", q, q, q, q), attr("group", groups));
    }
    long oph = in[1] - ((out[1] - 1) * s + (long) d * (k - 1) + 1 - 2L * pad);
    long opw = in[2] - ((out[2] - 1) * s + (long) d * (k - 1) + 1 - 2L * pad);
    return g.op("ConvTranspose", List.of(dy, weight), ints("kernel_shape", k, k), ints("strides", s, s),
        ints("dilations", d, d), ints("pads", pad, pad, pad, pad), ints("output_padding", oph, opw),
        attr("group", groups));
  }

  /**
   * An ungrouped convolution's kernel gradient, one matrix product per kernel tap: at stride 1 with
   * fewer output than input channels, {@code dy} shifted onto the input's grid against the input;
   * otherwise {@code dy} as {@code [C_out, B·H_out·W_out]} against that tap's shifted, strided window
   * of the zero-padded input ({@code Slice}) as {@code [C_in, B·H_out·W_out]}.
   */
  private static String kernelGradient(OnnxGraph g, String x, String dy, long[] in, long[] out, int k, int s, int d,
      int pad) {
    // channels first, [C_in, B, H, W]: each window reshapes to rows without a transpose
    String xt = g.transpose(x, 1, 0, 2, 3);
    List<String> taps = new ArrayList<>();
    if (s == 1 && out[0] < in[0]) {
      // fewer output than input channels: shift dy instead of the input. Tap (i, j) places dy at row
      // i·d - pad, column j·d - pad of a zero canvas of the input's size (cropping what falls on the
      // padding, which only ever met zeros), and the product runs over the input as it is, without a
      // window copied out of it or a padded copy of it
      String xs = g.reshape(xt, in[0], -1); // [C_in, B·H·W]
      String dyt = g.transpose(dy, 1, 0, 2, 3); // [C_out, B, H_out, W_out]
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          long r = (long) i * d - pad;
          long c = (long) j * d - pad;
          String canvas = g.op("Pad", List.of(dyt,
              g.vector(0, 0, r, c, 0, 0, in[1] - out[1] - r, in[2] - out[2] - c)));
          taps.add(g.unsqueeze(g.op("Gemm", List.of(g.reshape(canvas, out[0], -1), xs), attr("transB", 1)), 2));
        }
      }
      return g.reshape(taps.size() == 1 ? taps.get(0) : g.concat(2, taps), out[0], in[0], k, k);
    }
    String padded = pad == 0 ? xt : g.op("Pad", List.of(xt, g.vector(0, 0, pad, pad, 0, 0, pad, pad)));
    String dys = g.reshape(g.transpose(dy, 1, 0, 2, 3), out[0], -1); // [C_out, B·H_out·W_out]
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        long r = (long) i * d;
        long c = (long) j * d;
        String window = g.op("Slice", List.of(padded, g.vector(r, c), g.vector(r + (out[1] - 1) * s + 1,
            c + (out[2] - 1) * s + 1), g.vector(2, 3), g.vector(s, s))); // [C_in, B, H_out, W_out]
        // this tap's [C_out, C_in] slice of the kernel gradient
        taps.add(g.unsqueeze(g.op("Gemm", List.of(dys, g.reshape(window, in[0], -1)), attr("transB", 1)), 2));
      }
    }
    return g.reshape(taps.size() == 1 ? taps.get(0) : g.concat(2, taps), out[0], in[0], k, k);
  }

  /**
   * An ungrouped convolution's kernel gradient from the input's patches: a grouped convolution with
   * one-hot kernels lays every tap of every input channel out as a channel ({@code [B, C_in·k·k,
   * H_out, W_out]}, channel {@code c·k·k + tap}, the kernel's own order), and one batched product
   * with {@code dy} ({@code [B, C_out, H_out·W_out]}) summed over the batch gives {@code [C_out,
   * C_in·k·k]}. It reads {@code dy} once where the per-tap products read it {@code k·k} times: the
   * cheaper form where the output has many more channels than the input (a network's first layer).
   */
  private static String im2colKernelGradient(OnnxGraph g, String x, String dy, long[] in, long[] out, int k, int s,
      int d, int pad) {
    int taps = k * k;
    long cols = in[0] * taps;
    float[] onehot = new float[(int) (cols * taps)];
    for (int c = 0; c < in[0]; c++) {
      for (int t = 0; t < taps; t++) {
        onehot[(c * taps + t) * taps + t] = 1f;
      }
    }
    String kernel = g.floats("patch_kernel", onehot, cols, 1, k, k);
    String patches = g.op("Conv", List.of(x, kernel), ints("kernel_shape", k, k), ints("strides", s, s),
        ints("dilations", d, d), ints("pads", pad, pad, pad, pad), attr("group", in[0]));
    long p = out[1] * out[2];
    String product = g.op("MatMul", List.of(g.reshape(dy, -1, out[0], p),
        g.transpose(g.reshape(patches, -1, cols, p), 0, 2, 1))); // [B, C_out, C_in·k·k]
    return g.reshape(g.op("ReduceSum", List.of(product, g.vector(0)), attr("keepdims", 0)), out[0], in[0], k, k);
  }

  /** The largest feature map (pixels) on which a depthwise convolution runs as per-channel matrices. */
  static final int SMALL_MAP = 36;

  /**
   * A depthwise convolution (one input and one output channel per group) on a small map: ONNX
   * Runtime's grouped {@code Conv} pays per channel and image for a few dozen products there, so
   * it runs instead as one {@code [P_out, P_in]} matrix per channel, built from the kernel by a
   * constant tap-to-position map, times the channel's pixels of every image, batched over the
   * channels ({@link #smallDepthwise(OnnxGraph, LayerSpec.Conv2d, String, String, long[], long[], Map, String)}).
   */
  static boolean smallDepthwise(LayerSpec.Conv2d c, long[] in, long[] out) {
    return c.groups() > 1 && c.groups() == in[0] && c.filters() == in[0] && in[1] * in[2] <= SMALL_MAP
        && out[1] * out[2] <= SMALL_MAP && !"conv".equals(System.getProperty("holdout.onnx.depthwise"));
  }

  /** The constant {@code [k·k, P_out·P_in]}: 1 where tap t of output pixel o reads input pixel i. */
  private static float[] tapMap(LayerSpec.Conv2d c, long[] in, long[] out) {
    int k = c.kernel();
    int pin = (int) (in[1] * in[2]);
    int pout = (int) (out[1] * out[2]);
    float[] map = new float[k * k * pout * pin];
    for (int oh = 0; oh < out[1]; oh++) {
      for (int ow = 0; ow < out[2]; ow++) {
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < k; j++) {
            long ih = (long) oh * c.stride() - c.padding() + (long) i * c.dilation();
            long iw = (long) ow * c.stride() - c.padding() + (long) j * c.dilation();
            if (ih >= 0 && ih < in[1] && iw >= 0 && iw < in[2]) {
              int o = (int) (oh * out[2] + ow);
              map[((i * k + j) * pout + o) * pin + (int) (ih * in[2] + iw)] = 1f;
            }
          }
        }
      }
    }
    return map;
  }

  /** The forward pass of {@link #smallDepthwise(LayerSpec.Conv2d, long[], long[])}; saves the matrices and the input. */
  private static String smallDepthwise(OnnxGraph g, LayerSpec.Conv2d c, String p, String x, long[] in, long[] out,
      Map<String, List<String>> saved, String node) {
    long ch = in[0];
    long pin = in[1] * in[2];
    long pout = out[1] * out[2];
    int taps = c.kernel() * c.kernel();
    String map = g.floats("tap_map", tapMap(c, in, out), taps, pout * pin);
    String m = g.reshape(g.op("MatMul", List.of(g.reshape(p + "weight", ch, taps), map)), ch, pout, pin);
    String xt = g.transpose(g.reshape(x, -1, ch, pin), 1, 2, 0); // [C, P_in, B]
    saved.put(node, List.of(m, xt, map));
    String y = g.reshape(g.transpose(g.op("MatMul", List.of(m, xt)), 2, 0, 1), -1, ch, out[1], out[2]);
    return c.bias() ? g.add(y, g.reshape(p + "bias", 1, ch, 1, 1)) : y;
  }

  /** The backward pass of the per-channel-matrix depthwise convolution; returns the input's gradient. */
  private static String smallDepthwiseGrad(OnnxGraph g, LayerSpec.Conv2d c, String p, String dy, long[] in, long[] out,
      List<String> kept, Map<String, String> params, boolean inputGradient) {
    long ch = in[0];
    String m = kept.get(0);
    String xt = kept.get(1);
    String map = kept.get(2);
    if (c.bias()) {
      params.put(p + "bias", g.op("ReduceSum", List.of(dy, g.vector(0, 2, 3)), attr("keepdims", 0)));
    }
    String dyt = g.transpose(g.reshape(dy, -1, ch, out[1] * out[2]), 1, 2, 0); // [C, P_out, B]
    String dm = g.op("MatMul", List.of(dyt, g.transpose(xt, 0, 2, 1))); // [C, P_out, P_in]
    params.put(p + "weight", g.reshape(g.op("Gemm", List.of(g.reshape(dm, ch, -1), map), attr("transB", 1L)),
        ch, 1, c.kernel(), c.kernel()));
    if (!inputGradient) {
      return null;
    }
    String dxt = g.op("MatMul", List.of(g.transpose(m, 0, 2, 1), dyt)); // [C, P_in, B]
    return g.reshape(g.transpose(dxt, 2, 0, 1), -1, ch, in[1], in[2]);
  }

  /** Max pooling's backward: each window's gradient to its (first) maximum, at the saved indices. */
  private static List<String> maxPoolGrad(OnnxGraph g, ModelSpec spec, Node n, LayerSpec.MaxPool m, String x,
      String dy, Forward f) {
    String indices = f.saved().get(n.name()).get(0);
    long[] in = spec.shape(n.inputs().get(0));
    if (m.kernel() == m.stride() && m.padding() == 0 && in[1] % m.kernel() == 0 && in[2] % m.kernel() == 0) {
      // windows that tile the input: each maximum gets its window's gradient and every other cell
      // nothing, which is MaxUnpool at the saved indices
      return List.of(g.op("MaxUnpool", List.of(dy, indices, g.op("Shape", List.of(x))),
          ints("kernel_shape", m.kernel(), m.kernel()), ints("strides", m.stride(), m.stride())));
    }
    // each window's gradient goes to its maximum: scatter-add dy at the saved flat indices
    String flat = g.op("ScatterElements", List.of(g.filled(g.unsqueeze(g.op("Size", List.of(x)), 0), 0f),
        g.reshape(indices, -1), g.reshape(dy, -1)), attr("axis", 0L), attr("reduction", "add"));
    return List.of(g.op("Reshape", List.of(flat, g.op("Shape", List.of(x)))));
  }

  /**
   * Average pooling without the padding in the counts: {@code dy} divided by each window's count of
   * real cells, spread over its window by a transposed convolution with a kernel of ones per channel
   * (cropped to the input; windows past the edge in ceil mode lose what falls outside).
   */
  private static String avgPool(OnnxGraph g, LayerSpec.AvgPool a, String dy, long[] in, long[] out) {
    int k = a.kernel();
    int s = a.stride();
    int pad = a.padding();
    float[] counts = new float[(int) (out[1] * out[2])];
    for (int i = 0; i < out[1]; i++) {
      for (int j = 0; j < out[2]; j++) {
        counts[(int) (i * out[2] + j)] = 1f / (cells(i, s, pad, k, in[1]) * cells(j, s, pad, k, in[2]));
      }
    }
    String scaled = g.mul(dy, g.floats("avgpool_inverse_counts", counts, 1, 1, out[1], out[2]));
    float[] ones = new float[(int) (in[0] * k * k)];
    java.util.Arrays.fill(ones, 1f);
    String kernel = g.floats("avgpool_ones", ones, in[0], 1, k, k);
    long[] ends = new long[2];
    long[] extra = new long[2];
    for (int axis = 0; axis < 2; axis++) {
      long full = (out[axis + 1] - 1) * s + k - pad;
      ends[axis] = Math.max(0, full - in[axis + 1]);
      extra[axis] = Math.max(0, in[axis + 1] - full);
    }
    return g.op("ConvTranspose", List.of(scaled, kernel), ints("kernel_shape", k, k), ints("strides", s, s),
        ints("pads", pad, pad, ends[0], ends[1]), ints("output_padding", extra[0], extra[1]), attr("group", in[0]));
  }

  /**
   * The backward pass of {@code y = γ·x̂ + β} with {@code x̂ = (x - mean)·inv} normalised over
   * {@code statAxes} (batch norm: all but the channels; layer norm: its one axis): {@code γ}'s and
   * {@code β}'s gradients summed over {@code paramAxes}, and {@code dx = inv·(dx̂ - mean(dx̂) -
   * x̂·mean(dx̂·x̂))} with {@code dx̂ = γ·dy}.
   *
   * @param b the shape {@code γ} broadcasts as
   */
  private static String normalisationGrad(OnnxGraph g, String p, String dy, String xhat, String inv, String paramAxes,
      String statAxes, long[] b, Map<String, String> params) {
    params.put(p + "weight", g.op("ReduceSum", List.of(g.mul(dy, xhat), paramAxes), attr("keepdims", 0)));
    params.put(p + "bias", g.op("ReduceSum", List.of(dy, paramAxes), attr("keepdims", 0)));
    String dxhat = g.mul(dy, g.reshape(p + "weight", b));
    String m1 = g.op("ReduceMean", List.of(dxhat, statAxes), attr("keepdims", 1));
    String m2 = g.op("ReduceMean", List.of(g.mul(dxhat, xhat), statAxes), attr("keepdims", 1));
    return g.mul(inv, g.sub(g.sub(dxhat, m1), g.mul(xhat, m2)));
  }

  /**
   * Batch norm's backward from the saved {@code x - μ} and {@code inv = 1/√(σ² + ε)} ({@code x̂ = (x -
   * μ)·inv}, never formed): {@code Σ dy·x̂ = inv·Σ dy·(x - μ)} and {@code Σ dy} are the parameters'
   * gradients, and the means of {@code dx̂ = γ·dy} in {@code dx = inv·(dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂))}
   * follow from them, so {@code dx = γ·inv·(dy - (x - μ)·inv·Σ(dy·x̂)/n - Σdy/n)}: four passes over
   * the activations after the two sums, every per-channel factor folded into one tensor.
   *
   * @param b the shape per-channel values broadcast as
   */
  private static String batchNormGrad(OnnxGraph g, String p, String dy, String centered, String inv, String axes,
      long[] b, Map<String, String> params) {
    String flatInv = g.reshape(inv, b[1]);
    String wgrad = g.mul(g.op("ReduceSum", List.of(g.mul(dy, centered), axes), attr("keepdims", 0)), flatInv);
    String bgrad = g.op("ReduceSum", List.of(dy, axes), attr("keepdims", 0));
    params.put(p + "weight", wgrad);
    params.put(p + "bias", bgrad);
    // n = the values per channel in this batch
    String n = g.div(g.cast(g.op("Size", List.of(dy)), OnnxGraph.FLOAT), g.scalar(b[1]));
    String k = g.mul(inv, g.reshape(p + "weight", b));
    String a = g.reshape(g.div(g.mul(wgrad, flatInv), n), b);
    String c = g.reshape(g.div(bgrad, n), b);
    return g.mul(g.sub(g.sub(dy, g.mul(centered, a)), c), k);
  }

  /** The axes {@code [0, rank)} but {@code axis}, as an int64 vector. */
  private static String allBut(OnnxGraph g, int rank, int axis) {
    return g.vector(java.util.stream.IntStream.range(0, rank).filter(i -> i != axis).asLongStream().toArray());
  }

  /**
   * The interpolation matrix of one axis, {@code n} cells to {@code m}, as the forward pass (and
   * PyTorch) interpolates: nearest takes cell {@code floor(j/f)}; bilinear takes {@code src =
   * (j+0.5)/f - 0.5} clamped at 0 (or {@code j·(n-1)/(m-1)} with aligned corners) between its two
   * neighbours. Transposed ({@code [n, m]}) when {@code transposed}, else {@code [m, n]}.
   */
  private static float[] interpolation(LayerSpec.Upsample up, long n, long m, boolean transposed) {
    float[] a = new float[(int) (n * m)];
    for (int j = 0; j < m; j++) {
      int i0;
      int i1;
      double lambda;
      if (!up.bilinear()) {
        i0 = (int) Math.min(n - 1, j / up.scale());
        i1 = i0;
        lambda = 0;
      } else {
        double src = up.alignCorners() ? (m == 1 ? 0 : j * (double) (n - 1) / (m - 1))
            : Math.max(0, (j + 0.5) / up.scale() - 0.5);
        i0 = (int) Math.min(n - 1, Math.floor(src));
        i1 = (int) Math.min(n - 1, i0 + 1);
        lambda = src - i0;
      }
      add(a, transposed, n, m, i0, j, 1 - lambda);
      add(a, transposed, n, m, i1, j, lambda);
    }
    return a;
  }

  private static void add(float[] a, boolean transposed, long n, long m, int i, int j, double v) {
    int at = (int) (transposed ? i * m + j : j * n + i);
    a[at] += (float) v;
  }

  /** How many of window {@code i}'s {@code k} cells lie inside an axis of {@code n} cells. */
  private static long cells(long i, int s, int pad, int k, long n) {
    long start = i * s - pad;
    return Math.min(start + k, n) - Math.max(start, 0);
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
