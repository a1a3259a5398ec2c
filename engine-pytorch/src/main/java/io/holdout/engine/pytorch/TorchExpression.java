package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.LossExpression;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plugin's {@link CustomLoss} as differentiable PyTorch operations over {@code [B, U]} arrays:
 * the expression's nodes evaluated once each, in order, every constant an engine-allocated scalar
 * (see {@link TorchLosses}); softplus as {@code relu(x) + log(1 + e^-|x|)}, which never overflows.
 */
final class TorchExpression {
  private TorchExpression() {}

  /**
   * The terms of {@code loss}: each sample's numerator is the expression summed over its values.
   *
   * @param pred {@code [B, U]} with gradient
   * @param target {@code [B, U]} float targets, or one-hot rows of class labels
   * @param den each sample's denominator
   */
  static TorchLosses.Terms terms(CustomLoss loss, NDArray pred, NDArray target, double[] den) {
    List<LossExpression> order = loss.expression().postOrder();
    Map<LossExpression, NDArray> v = new IdentityHashMap<>();
    NDManager m = pred.getManager();
    for (LossExpression e : order) {
      v.put(e, node(e, v, pred, target, m));
    }
    NDArray value = v.get(loss.expression());
    if (value.getShape().dimension() != 2) {
      throw new IllegalStateException("expression " + loss.expression() + " is not [batch, values]");
    }
    return new TorchLosses.Terms(value.sum(new int[] {1}), den);
  }

  private static NDArray node(LossExpression e, Map<LossExpression, NDArray> v, NDArray pred, NDArray target,
      NDManager m) {
    NDArray a = e.args().isEmpty() ? null : v.get(e.args().get(0));
    NDArray b = e.args().size() < 2 ? null : v.get(e.args().get(1));
    return switch (e.op()) {
      case PRED -> pred;
      case TARGET, ONE_HOT_TARGET -> target;
      case CONSTANT -> Tensors.scalar(m, e.value());
      case NEG -> a.neg();
      case ABS -> a.abs();
      case SQUARE -> a.square();
      case SQRT -> a.sqrt();
      case EXP -> a.exp();
      case LOG -> a.log();
      case LOG1P -> a.add(Tensors.scalar(m, 1)).log();
      case TANH -> a.tanh();
      case SIGMOID -> Activation.sigmoid(a);
      case SOFTPLUS -> Activation.relu(a).add(a.abs().neg().exp().add(Tensors.scalar(m, 1)).log());
      case RELU -> Activation.relu(a);
      case LOG_SOFTMAX -> a.logSoftmax(1);
      case ADD -> a.add(b);
      case SUB -> a.sub(b);
      case MUL -> a.mul(b);
      case DIV -> a.div(b);
      case MIN -> a.minimum(b);
      case MAX -> a.maximum(b);
    };
  }
}
