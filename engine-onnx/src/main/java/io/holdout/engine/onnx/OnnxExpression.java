package io.holdout.engine.onnx;

import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.LossExpression;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plugin's {@link CustomLoss} as standard ONNX operations over {@code [B, U]} values, each node
 * added once; {@code log1p} as {@code Log(1 + x)} and softplus as {@code Relu(x) + Log(1 + e^-|x|)}
 * (no overflow).
 */
final class OnnxExpression {
  private OnnxExpression() {}

  /**
   * The terms of {@code loss}: each sample's numerator is the expression summed over its values,
   * its denominator its number of values or 1.
   *
   * @param pred {@code [B, U]}
   * @param target {@code [B, U]} float targets, or one-hot rows of class labels
   */
  static OnnxLosses.Terms terms(OnnxGraph g, CustomLoss loss, String pred, String target, int units) {
    Map<LossExpression, String> v = new IdentityHashMap<>();
    for (LossExpression e : loss.expression().postOrder()) {
      v.put(e, node(g, e, v, pred, target));
    }
    double den = loss.normalisation() == CustomLoss.Normalisation.ELEMENTS ? units : 1;
    return new OnnxLosses.Terms(g.sum(v.get(loss.expression()), 1), OnnxLosses.perSample(g, pred, den));
  }

  /** One-hot float rows {@code [B, classes]} of {@code [B]} int64 labels. */
  static String oneHot(OnnxGraph g, String labels, int classes) {
    String range = g.op("Range", List.of(g.scalarLong(0), g.scalarLong(classes), g.scalarLong(1)));
    return g.cast(g.op("Equal", List.of(g.unsqueeze(labels, 1), range)), OnnxGraph.FLOAT);
  }

  private static String node(OnnxGraph g, LossExpression e, Map<LossExpression, String> v, String pred,
      String target) {
    String a = e.args().isEmpty() ? null : v.get(e.args().get(0));
    String b = e.args().size() < 2 ? null : v.get(e.args().get(1));
    return switch (e.op()) {
      case PRED -> pred;
      case TARGET, ONE_HOT_TARGET -> target;
      case CONSTANT -> g.scalar(e.value());
      case NEG -> g.neg(a);
      case ABS -> g.abs(a);
      case SQUARE -> g.square(a);
      case SQRT -> g.op("Sqrt", List.of(a));
      case EXP -> g.op("Exp", List.of(a));
      case LOG -> g.op("Log", List.of(a));
      case LOG1P -> g.op("Log", List.of(g.add(a, g.scalar(1))));
      case TANH -> g.op("Tanh", List.of(a));
      case SIGMOID -> g.op("Sigmoid", List.of(a));
      case SOFTPLUS -> g.add(g.op("Relu", List.of(a)),
          g.op("Log", List.of(g.add(g.op("Exp", List.of(g.neg(g.abs(a)))), g.scalar(1)))));
      case RELU -> g.op("Relu", List.of(a));
      case LOG_SOFTMAX -> g.logSoftmax(a, 1);
      case ADD -> g.add(a, b);
      case SUB -> g.sub(a, b);
      case MUL -> g.mul(a, b);
      case DIV -> g.div(a, b);
      case MIN -> g.min(a, b);
      case MAX -> g.op("Max", List.of(a, b));
    };
  }

  /**
   * {@code d Σ num / d pred}: the expression's reverse-mode gradient summed over every value, with
   * the reference's derivatives ({@code io.holdout.losses.reference.ReferenceExpression}): {@code
   * abs} takes slope 1 at 0, {@code relu} 0 at 0, a tie of {@code min}/{@code max} goes to the second
   * operand. Sub-expressions that do not depend on the prediction get no gradient.
   */
  static String gradient(OnnxGraph g, CustomLoss loss, String pred, String target) {
    Map<LossExpression, String> v = new IdentityHashMap<>();
    List<LossExpression> order = new java.util.ArrayList<>();
    java.util.Set<LossExpression> depends = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (LossExpression e : loss.expression().postOrder()) {
      if (!v.containsKey(e)) {
        v.put(e, node(g, e, v, pred, target));
        order.add(e);
      }
      if (e.op() == LossExpression.Op.PRED || e.args().stream().anyMatch(depends::contains)) {
        depends.add(e);
      }
    }
    Map<LossExpression, String> grads = new IdentityHashMap<>();
    grads.put(loss.expression(), g.filled(g.op("Shape", List.of(pred)), 1f));
    for (int k = order.size() - 1; k >= 0; k--) {
      LossExpression e = order.get(k);
      String gy = grads.get(e);
      if (gy == null || e.args().isEmpty()) {
        continue;
      }
      LossExpression first = e.args().get(0);
      String a = v.get(first);
      String y = v.get(e);
      if (e.args().size() == 1) {
        String ga = switch (e.op()) {
          case NEG -> g.neg(gy);
          case ABS -> g.mul(gy, g.where(g.op("GreaterOrEqual", List.of(a, g.scalar(0))), g.scalar(1), g.scalar(-1)));
          case SQUARE -> g.mul(gy, g.mul(a, 2.0));
          case SQRT -> g.div(g.mul(gy, 0.5), y);
          case EXP -> g.mul(gy, y);
          case LOG -> g.div(gy, a);
          case LOG1P -> g.div(gy, g.add(a, g.scalar(1)));
          case TANH -> g.mul(gy, g.sub(g.scalar(1), g.square(y)));
          case SIGMOID -> g.mul(gy, g.mul(y, g.sub(g.scalar(1), y)));
          case SOFTPLUS -> g.mul(gy, g.op("Sigmoid", List.of(a)));
          case RELU -> g.mul(gy, g.cast(g.op("Greater", List.of(a, g.scalar(0))), OnnxGraph.FLOAT));
          case LOG_SOFTMAX -> g.sub(gy, g.mul(g.op("Exp", List.of(y)),
              g.op("ReduceSum", List.of(gy, g.vector(1)), OnnxGraph.attr("keepdims", 1))));
          default -> throw new IllegalStateException("no derivative for " + e.op());
        };
        accumulate(g, grads, depends, first, ga);
        continue;
      }
      LossExpression second = e.args().get(1);
      String b = v.get(second);
      String ga;
      String gb;
      switch (e.op()) {
        case ADD -> {
          ga = gy;
          gb = gy;
        }
        case SUB -> {
          ga = gy;
          gb = g.neg(gy);
        }
        case MUL -> {
          ga = g.mul(gy, b);
          gb = g.mul(gy, a);
        }
        case DIV -> {
          ga = g.div(gy, b);
          gb = g.neg(g.div(g.mul(gy, a), g.square(b)));
        }
        case MIN, MAX -> {
          String firstWins = g.op(e.op() == LossExpression.Op.MIN ? "Less" : "Greater", List.of(a, b));
          ga = g.where(firstWins, gy, g.scalar(0));
          gb = g.where(firstWins, g.scalar(0), gy);
        }
        default -> throw new IllegalStateException("no derivative for " + e.op());
      }
      accumulate(g, grads, depends, first, ga);
      accumulate(g, grads, depends, second, gb);
    }
    String out = grads.get(LossExpression.pred());
    return out != null ? out : g.mul(pred, 0.0);
  }

  private static void accumulate(OnnxGraph g, Map<LossExpression, String> grads,
      java.util.Set<LossExpression> depends, LossExpression at, String grad) {
    if (depends.contains(at)) {
      grads.merge(at, grad, g::add);
    }
  }
}
