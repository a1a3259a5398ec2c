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
}
