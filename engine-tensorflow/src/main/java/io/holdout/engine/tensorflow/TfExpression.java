package io.holdout.engine.tensorflow;

import static io.holdout.engine.tensorflow.GraphMath.f;
import static io.holdout.engine.tensorflow.GraphMath.sum;

import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.LossExpression;
import java.util.IdentityHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * A plugin's {@link CustomLoss} as graph operations with gradients over {@code [B, U]} operands,
 * each node built once; softplus as {@code relu(x) + log1p(e^-|x|)}, which never overflows and
 * uses only operations that have gradients in TensorFlow's C++ registry.
 */
final class TfExpression {
  private TfExpression() {}

  /**
   * The terms of {@code loss}: each sample's numerator is the expression summed over its values,
   * its denominator its number of values or 1.
   *
   * @param pred {@code [B, U]}
   * @param target {@code [B, U]} float targets, or one-hot rows of class labels
   */
  static TfLosses.Terms terms(Ops tf, CustomLoss loss, Operand<TFloating> pred, Operand<TFloating> target,
      int units) {
    Map<LossExpression, Operand<TFloating>> v = new IdentityHashMap<>();
    for (LossExpression e : loss.expression().postOrder()) {
      v.put(e, node(tf, e, v, pred, target));
    }
    double den = loss.normalisation() == CustomLoss.Normalisation.ELEMENTS ? units : 1;
    return new TfLosses.Terms(sum(tf, v.get(loss.expression()), 1), TfLosses.perSampleConstant(tf, target, den));
  }

  private static Operand<TFloating> node(Ops tf, LossExpression e, Map<LossExpression, Operand<TFloating>> v,
      Operand<TFloating> pred, Operand<TFloating> target) {
    Operand<TFloating> a = e.args().isEmpty() ? null : v.get(e.args().get(0));
    Operand<TFloating> b = e.args().size() < 2 ? null : v.get(e.args().get(1));
    return switch (e.op()) {
      case PRED -> pred;
      case TARGET, ONE_HOT_TARGET -> target;
      case CONSTANT -> f(tf, e.value());
      case NEG -> tf.math.neg(a);
      case ABS -> tf.math.abs(a);
      case SQUARE -> tf.math.square(a);
      case SQRT -> tf.math.sqrt(a);
      case EXP -> tf.math.exp(a);
      case LOG -> tf.math.log(a);
      case LOG1P -> tf.math.log1p(a);
      case TANH -> tf.math.tanh(a);
      case SIGMOID -> tf.math.sigmoid(a);
      case SOFTPLUS -> tf.math.add(tf.nn.relu(a), tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(a)))));
      case RELU -> tf.nn.relu(a);
      case LOG_SOFTMAX -> tf.nn.logSoftmax(a);
      case ADD -> tf.math.add(a, b);
      case SUB -> tf.math.sub(a, b);
      case MUL -> tf.math.mul(a, b);
      case DIV -> tf.math.div(a, b);
      case MIN -> tf.math.minimum(a, b);
      case MAX -> tf.math.maximum(a, b);
    };
  }
}
