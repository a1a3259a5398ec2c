package io.holdout.engine.onnx;

import io.holdout.api.optim.RuleExpression;
import io.holdout.api.optim.UpdateRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A registered optimizer's {@link UpdateRule} as standard ONNX operators, the way {@link
 * OptimizerGraph} writes the built-in ones: each slot of each parameter is a graph input named
 * {@code <slot>.<param>} (the checkpoint name) whose new value is returned, and the parameter's new
 * value likewise. Scalar sub-expressions that depend on the learning rate or the step are graph
 * inputs {@code optimizer.rule_scalar_<k>}, computed in double precision in Java each step ({@link
 * #scalars}) and fed as floats; constant ones are float initializers. Gradient clipping happens
 * before, in {@link OptimizerGraph}.
 */
final class RuleGraph {
  /** The input of the {@code k}-th step scalar of a rule ({@link UpdateRule#stepScalars()}). */
  static String scalarName(int k) {
    return "optimizer.rule_scalar_" + k;
  }

  private RuleGraph() {}

  /** Adds the update of {@code params} (name to shape, in order) from their (clipped) {@code grads}. */
  static OptimizerGraph.Update build(OnnxGraph g, UpdateRule rule, Map<String, long[]> params, Map<String, String> grads) {
    List<RuleExpression> scalars = rule.stepScalars();
    for (int k = 0; k < scalars.size(); k++) {
      g.reserve(scalarName(k));
      g.input(scalarName(k), OnnxGraph.FLOAT, new long[0]);
    }
    Map<String, String> newParams = new LinkedHashMap<>();
    Map<String, String> newState = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> p : params.entrySet()) {
      for (UpdateRule.Slot s : rule.slots()) {
        String name = s.name() + "." + p.getKey();
        g.reserve(name);
        g.input(name, OnnxGraph.FLOAT, p.getValue());
        shapes.put(name, p.getValue());
      }
      Compiler c = new Compiler(g, scalars, p.getKey(), grads.get(p.getKey()));
      for (UpdateRule.Slot s : rule.slots()) {
        String v = c.compile(s.update());
        c.fresh.put(s.name(), v);
        newState.put(s.name() + "." + p.getKey(), v);
      }
      newParams.put(p.getKey(), c.compile(rule.param()));
    }
    return new OptimizerGraph.Update(newParams, newState, shapes);
  }

  /** The step scalars of step {@code t} (1 for the first) at learning rate {@code lr} (fed as floats, or doubles in float64). */
  static Map<String, Double> scalars(UpdateRule rule, double lr, long t) {
    Map<String, Double> out = new LinkedHashMap<>();
    List<RuleExpression> scalars = rule.stepScalars();
    for (int k = 0; k < scalars.size(); k++) {
      out.put(scalarName(k), scalars.get(k).scalarValue(lr, t));
    }
    return out;
  }

  /** The value every element of state input {@code state} ({@code <slot>.<param>}) starts at. */
  static double initial(UpdateRule rule, String state) {
    int dot = state.indexOf('.');
    UpdateRule.Slot s = dot < 0 ? null : rule.slot(state.substring(0, dot));
    if (s == null) {
      throw new IllegalArgumentException("'" + state + "' is not a state input of this rule");
    }
    return s.init();
  }

  /** One parameter's expressions as nodes. */
  private static final class Compiler {
    final OnnxGraph g;
    final List<RuleExpression> scalars;
    final String param;
    final String grad;
    final Map<String, String> fresh = new LinkedHashMap<>();

    Compiler(OnnxGraph g, List<RuleExpression> scalars, String param, String grad) {
      this.g = g;
      this.scalars = scalars;
      this.param = param;
      this.grad = grad;
    }

    String compile(RuleExpression e) {
      if (e.isScalar()) {
        int k = scalars.indexOf(e);
        return k >= 0 ? scalarName(k) : g.scalar(e.scalarValue(0, 0));
      }
      List<RuleExpression> a = e.args();
      return switch (e.op()) {
        case PARAM -> param;
        case GRAD -> grad;
        case STATE -> e.slot() + "." + param;
        case UPDATED -> fresh.get(e.slot());
        case NEG -> g.neg(compile(a.get(0)));
        case ABS -> g.abs(compile(a.get(0)));
        case SIGN -> g.op("Sign", List.of(compile(a.get(0))));
        case SQRT -> g.op("Sqrt", List.of(compile(a.get(0))));
        case SQUARE -> g.square(compile(a.get(0)));
        case ADD -> g.add(compile(a.get(0)), compile(a.get(1)));
        case SUB -> g.sub(compile(a.get(0)), compile(a.get(1)));
        case MUL -> g.mul(compile(a.get(0)), compile(a.get(1)));
        case DIV -> g.div(compile(a.get(0)), compile(a.get(1)));
        case MIN -> g.min(compile(a.get(0)), compile(a.get(1)));
        case MAX -> g.op("Max", List.of(compile(a.get(0)), compile(a.get(1))));
        case POW -> g.op("Pow", List.of(compile(a.get(0)), compile(a.get(1))));
        default -> throw new IllegalStateException("leaf " + e.op() + " is a scalar");
      };
    }
  }
}
