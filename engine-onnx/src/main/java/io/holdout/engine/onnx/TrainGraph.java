package io.holdout.engine.onnx;

import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.losses.Reduction;
import io.holdout.losses.ResolvedComponent;
import io.holdout.losses.ResolvedLoss;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One whole training step as one ONNX graph (opset 18): the training forward pass, every loss
 * component with the same numerators and denominators as evaluation, the gradient of {@code Σ_k
 * weight_k · value_k} back to every trainable parameter, and the optimizer's update. Inputs: the
 * batch ({@link Batch#INPUT} and the targets), every parameter, the optimizer's state and scalars,
 * dropout masks. Outputs: each component's value and numerator for the step ({@link #VALUES},
 * {@link #NUMERATORS}), and the new value of every parameter and state tensor ({@code new.<name>}),
 * which the session feeds back as the next step's inputs.
 */
final class TrainGraph {
  /** Each component's value on the batch, float {@code [K]}. */
  static final String VALUES = "loss_values";
  /** Each component's summed numerator on the batch, float {@code [K]}. */
  static final String NUMERATORS = "loss_numerators";
  /** Prefix of the outputs holding updated parameters and state. */
  static final String NEW = "new.";

  final byte[] model;
  /** The trainable parameters the step updates, in model order. */
  final List<String> trainable;
  /** Every parameter input (trainable or not) and its shape. */
  final Map<String, long[]> params;
  /**
   * Parameters the step updates without gradients: the running statistics of the batch norms that
   * the loss's heads depend on.
   */
  final List<String> buffers;
  /** Optimizer state inputs and their shapes. */
  final Map<String, long[]> state;
  /** Each dropout mask input's shape without the batch dimension, in graph order (the order masks are drawn). */
  final Map<String, long[]> maskShapes;
  /** Each dropout mask input's rate. */
  final Map<String, Double> maskRates;
  final TargetInputs targets;

  private TrainGraph(byte[] model, List<String> trainable, Map<String, long[]> params, List<String> buffers,
      Map<String, long[]> state, Map<String, String> masks, ModelSpec spec, TargetInputs targets) {
    this.model = model;
    this.trainable = trainable;
    this.params = params;
    this.buffers = buffers;
    this.state = state;
    this.maskShapes = new LinkedHashMap<>();
    this.maskRates = new LinkedHashMap<>();
    for (Node n : spec.graph()) {
      if (n.op() instanceof LayerSpec.Dropout d) {
        maskShapes.put(masks.get(n.name()), spec.shape(n.inputs().get(0)));
        maskRates.put(masks.get(n.name()), d.rate());
      }
    }
    this.targets = targets;
  }

  /** The first part of a training step not compiled here yet, or null when all are. */
  static String unsupported(ModelSpec spec, ResolvedLoss loss, OptimizerSpec o) {
    String layer = BackwardGraph.unsupported(spec);
    if (layer != null) {
      return "layer " + layer;
    }
    for (ResolvedComponent c : loss.components()) {
      if (c.custom() == null && !LossGradients.TYPES.contains(c.type())) {
        return "loss '" + c.type() + "'";
      }
    }
    if (!o.usesRule() && !OptimizerSpec.TYPES.contains(o.type())) {
      return "optimizer '" + o.type() + "'";
    }
    return null;
  }

  static TrainGraph build(ModelSpec spec, ResolvedLoss loss, OptimizerSpec o, String producerVersion) {
    return build(spec, loss, o, producerVersion, false);
  }

  /** The training step; with {@code float64} computed in double ({@link Float64Lowering}). */
  static TrainGraph build(ModelSpec spec, ResolvedLoss loss, OptimizerSpec o, String producerVersion,
      boolean float64) {
    OnnxGraph g = new OnnxGraph("holdout-train-step", float64);
    g.reserve(Batch.INPUT);
    g.input(Batch.INPUT, OnnxGraph.FLOAT, BackwardGraph.batched(spec.inputShape()));
    BackwardGraph.Forward f = BackwardGraph.forward(g, spec, Batch.INPUT);
    TargetInputs in = new TargetInputs(g);
    Map<String, String> headGrads = new HashMap<>();
    List<String> values = new ArrayList<>();
    List<String> numerators = new ArrayList<>();
    for (ResolvedComponent r : loss.components()) {
      String node = spec.outputNode(r.output());
      String y = f.values().get(node);
      String pred = g.reshape(y, -1, r.units());
      OnnxLosses.Terms terms = CompiledLoss.compile(r).build(g, pred, in);
      values.add(g.unsqueeze(terms.reduce(g, r.reduction()), 0));
      numerators.add(g.unsqueeze(terms.numerator(g), 0));
      // d(weight · value)/d pred: weight · d(Σ num)/d pred, divided by Σ den for a mean (0 when it is 0)
      String scale = r.reduction() == Reduction.SUM ? g.scalar(r.weight())
          : g.safeDiv(g.scalar(r.weight()), g.sum(terms.denominators(), 0));
      String dPred = g.mul(LossGradients.numeratorGrad(g, r, pred, in), scale);
      headGrads.merge(node, dPred, g::add);
    }
    // heads are [B, units] or [B, anchors, units]: gradients go back in the output's own shape
    for (Map.Entry<String, String> e : headGrads.entrySet()) {
      e.setValue(g.op("Reshape", List.of(e.getValue(), g.op("Shape", List.of(f.values().get(e.getKey()))))));
    }
    out(g, VALUES, g.concat(0, values), new long[] {values.size()});
    out(g, NUMERATORS, g.concat(0, numerators), new long[] {numerators.size()});
    Map<String, String> grads = BackwardGraph.backward(g, spec, f, headGrads);
    List<String> trainable = spec.trainableFor(loss.heads());
    Map<String, long[]> params = new LinkedHashMap<>();
    for (ParamInfo p : spec.parameters()) {
      params.put(p.name(), p.shape());
    }
    Map<String, long[]> updated = new LinkedHashMap<>();
    trainable.forEach(p -> updated.put(p, params.get(p)));
    OptimizerGraph.Update u = OptimizerGraph.build(g, o, updated, grads);
    u.params().forEach((p, v) -> out(g, NEW + p, v, params.get(p)));
    u.state().forEach((s, v) -> out(g, NEW + s, v, u.stateShapes().get(s)));
    Set<String> used = spec.nodesFor(loss.heads());
    List<String> buffers = new ArrayList<>();
    f.buffers().forEach((name, v) -> {
      if (used.contains(name.substring(0, name.lastIndexOf('.')))) {
        buffers.add(name);
        out(g, NEW + name, v, params.get(name));
      }
    });
    ai.onnx.proto.OnnxMl.ModelProto proto = g.model(producerVersion, Map.of(), "holdout training step");
    if (float64) {
      // parameters and optimizer state stay double from step to step
      Set<String> state = new java.util.HashSet<>(params.keySet());
      state.addAll(u.stateShapes().keySet());
      state.addAll(OptimizerGraph.scalars(o, 1, 1).keySet()); // learning rate and bias corrections, fed exact
      proto = Float64Lowering.lower(proto, state, Set.of(VALUES, NUMERATORS));
    }
    byte[] model = proto.toByteArray();
    return new TrainGraph(model, List.copyOf(trainable), params, List.copyOf(buffers), u.stateShapes(), f.masks(),
        spec, in);
  }

  private static void out(OnnxGraph g, String name, String value, long[] shape) {
    g.reserve(name);
    g.opNamed("Identity", name, List.of(value));
    g.output(name, OnnxGraph.FLOAT, shape);
  }
}
