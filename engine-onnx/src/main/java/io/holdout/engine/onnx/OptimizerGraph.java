package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;

import io.holdout.api.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimizer's update as standard ONNX operators in the training-step graph: each parameter and
 * each state tensor is a graph input whose new value is a graph output, so they can stay in ONNX
 * Runtime between steps (outputs fed back as the next step's inputs).
 *
 * <p>The update rules are PyTorch's, operation for operation as the PyTorch backend applies them
 * (see {@link OptimizerSpec}): SGD {@code g = grad + wd·p}, {@code b = μ·b + g}, Nesterov {@code g +
 * μ·b}, {@code p -= lr·g}; Adam and AdamW {@code m += (g - m)(1-β1)}, {@code v = β2·v + (1-β2)·g²},
 * {@code p -= (lr/(1-β1^t))·m / (√v/√(1-β2^t) + eps)}, AdamW first {@code p *= 1 - lr·wd}. What
 * depends on the step number is computed in double precision in Java each step and fed as float
 * scalars ({@link #scalars}), as the PyTorch backend does. State tensors carry the PyTorch backend's
 * names ({@code momentum.<p>}, {@code exp_avg.<p>}, {@code exp_avg_sq.<p>}), so checkpoints move
 * between engines. An optimizer that is not built in is its update rule's graph ({@link RuleGraph}).
 */
final class OptimizerGraph {
  /** SGD: the learning rate; Adam: {@code lr / (1 - β1^t)}. */
  static final String STEP_SIZE = "optimizer.step_size";
  /** Adam: {@code √(1 - β2^t)}. */
  static final String BC2_SQRT = "optimizer.bc2_sqrt";
  /** AdamW: {@code 1 - lr·wd}. */
  static final String DECAY = "optimizer.decay";

  /**
   * The update's graph values.
   *
   * @param params each parameter's new value by parameter name
   * @param state each state tensor's new value by state name (which is also its input's name)
   * @param stateShapes each state tensor's shape by state name
   */
  record Update(Map<String, String> params, Map<String, String> state, Map<String, long[]> stateShapes) {}

  private OptimizerGraph() {}

  /**
   * Adds the update of {@code params} (name to shape, in order) from their gradients {@code grads}.
   */
  static Update build(OnnxGraph g, OptimizerSpec o, Map<String, long[]> params, Map<String, String> grads) {
    List<String> names = new ArrayList<>(params.keySet());
    Map<String, String> gs = new LinkedHashMap<>();
    for (String p : names) {
      gs.put(p, grads.get(p));
    }
    if (o.clipNorm() > 0) {
      gs = clip(g, gs, o.clipNorm());
    }
    if (o.usesRule()) {
      return RuleGraph.build(g, o.rule(), params, gs);
    }
    g.reserve(STEP_SIZE);
    g.input(STEP_SIZE, OnnxGraph.FLOAT, new long[0]);
    return flat(g, o, params, gs);
  }

  /**
   * The same update over every parameter at once: parameters, gradients and state tensors flattened
   * and concatenated into one vector each, the rule applied once, the results split back (a dozen
   * operators instead of a dozen per parameter, which on a network of hundreds of parameters cost
   * more than the arithmetic; element for element the same arithmetic).
   */
  private static Update flat(OnnxGraph g, OptimizerSpec o, Map<String, long[]> params, Map<String, String> gs) {
    List<String> names = new ArrayList<>(params.keySet());
    long[] sizes = names.stream().mapToLong(p -> java.util.Arrays.stream(params.get(p)).reduce(1, (a, b) -> a * b))
        .toArray();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    // each tensor of a parameter's shape as a vector (1-d ones already are), then all of them joined
    java.util.function.Function<List<String>, String> joined = xs -> {
      List<String> flat = new ArrayList<>();
      for (int i = 0; i < xs.size(); i++) {
        flat.add(params.get(names.get(i)).length == 1 ? xs.get(i) : g.reshape(xs.get(i), -1));
      }
      return g.concat(0, flat);
    };
    java.util.function.Function<String, String> state = prefix -> joined.apply(names.stream()
        .map(p -> state(g, prefix + p, params.get(p), shapes)).toList());
    String p = joined.apply(names);
    String grad = joined.apply(names.stream().map(gs::get).toList());
    Map<String, String> newState = new LinkedHashMap<>();
    String newP;
    switch (o.type()) {
      case "sgd" -> {
        if (o.weightDecay() != 0) {
          grad = g.add(grad, g.mul(p, o.weightDecay()));
        }
        if (o.momentum() != 0) {
          String nb = g.add(g.mul(state.apply("momentum."), o.momentum()), grad);
          split(g, nb, names, sizes, params, "momentum.", newState);
          grad = o.nesterov() ? g.add(grad, g.mul(nb, o.momentum())) : nb;
        }
        newP = g.sub(p, g.mul(grad, STEP_SIZE));
      }
      case "adam", "adamw" -> {
        boolean decoupled = o.type().equals("adamw");
        g.reserve(BC2_SQRT);
        g.input(BC2_SQRT, OnnxGraph.FLOAT, new long[0]);
        if (decoupled && o.weightDecay() != 0) {
          g.reserve(DECAY);
          g.input(DECAY, OnnxGraph.FLOAT, new long[0]);
        }
        if (o.weightDecay() != 0 && !decoupled) {
          grad = g.add(grad, g.mul(p, o.weightDecay()));
        }
        String m = state.apply("exp_avg.");
        String v = state.apply("exp_avg_sq.");
        String nm = g.add(m, g.mul(g.sub(grad, m), 1 - o.beta1()));
        String nv = g.add(g.mul(v, o.beta2()), g.mul(g.square(grad), 1 - o.beta2()));
        split(g, nm, names, sizes, params, "exp_avg.", newState);
        split(g, nv, names, sizes, params, "exp_avg_sq.", newState);
        String denom = g.add(g.div(g.op("Sqrt", List.of(nv)), BC2_SQRT), g.scalar(o.eps()));
        String update = g.mul(g.div(nm, denom), STEP_SIZE);
        String base = decoupled && o.weightDecay() != 0 ? g.mul(p, DECAY) : p;
        newP = g.sub(base, update);
      }
      default -> throw new IllegalArgumentException("optimizer '" + o.type() + "' has no ONNX update");
    }
    Map<String, String> newParams = new LinkedHashMap<>();
    split(g, newP, names, sizes, params, "", newParams);
    return new Update(newParams, newState, shapes);
  }

  /** {@code flat} split back into one tensor per parameter, of its shape, under {@code prefix + name}. */
  private static void split(OnnxGraph g, String flat, List<String> names, long[] sizes, Map<String, long[]> params,
      String prefix, Map<String, String> into) {
    List<String> parts = g.opMulti("Split", List.of(flat, g.vector(sizes)), names.size(), attr("axis", 0L));
    for (int i = 0; i < names.size(); i++) {
      long[] shape = params.get(names.get(i));
      into.put(prefix + names.get(i), shape.length == 1 ? parts.get(i) : g.reshape(parts.get(i), shape));
    }
  }

  /**
   * The scalars of step {@code t} (1 for the first step), computed in double precision; fed
   * rounded to float, as the PyTorch backend applies them, or as doubles in float64 sessions.
   */
  static Map<String, Double> scalars(OptimizerSpec o, double lr, long t) {
    if (o.usesRule()) {
      return RuleGraph.scalars(o.rule(), lr, t);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (o.type().equals("sgd")) {
      out.put(STEP_SIZE, lr);
      return out;
    }
    out.put(STEP_SIZE, lr / (1 - Math.pow(o.beta1(), t)));
    out.put(BC2_SQRT, Math.sqrt(1 - Math.pow(o.beta2(), t)));
    if (o.type().equals("adamw") && o.weightDecay() != 0) {
      out.put(DECAY, 1 - lr * o.weightDecay());
    }
    return out;
  }

  /** The value every element of state input {@code state} starts at (0 but for a rule's slots). */
  static double initial(OptimizerSpec o, String state) {
    return o.usesRule() ? RuleGraph.initial(o.rule(), state) : 0;
  }

  /** A state tensor: a graph input of the parameter's shape. */
  private static String state(OnnxGraph g, String name, long[] shape, Map<String, long[]> shapes) {
    g.reserve(name);
    g.input(name, OnnxGraph.FLOAT, shape);
    shapes.put(name, shape);
    return name;
  }

  /**
   * Every gradient scaled by {@code max / (norm + 1e-6)} where their global L2 norm exceeds {@code
   * max} (PyTorch's {@code clip_grad_norm_}).
   */
  private static Map<String, String> clip(OnnxGraph g, Map<String, String> grads, double max) {
    String sum = null;
    for (String v : grads.values()) {
      String s = g.op("ReduceSumSquare", List.of(g.reshape(v, -1)), attr("keepdims", 0));
      sum = sum == null ? s : g.add(sum, s);
    }
    String norm = g.op("Sqrt", List.of(sum));
    String scale = g.where(g.op("Greater", List.of(norm, g.scalar(max))),
        g.div(g.scalar(max), g.add(norm, g.scalar(1e-6))), g.scalar(1));
    Map<String, String> out = new LinkedHashMap<>();
    grads.forEach((k, v) -> out.put(k, g.mul(v, scale)));
    return out;
  }
}
