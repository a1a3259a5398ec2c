package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.pytorch.TorchLosses.Regression;
import io.holdout.engine.pytorch.TorchLosses.Terms;
import io.holdout.losses.Reduction;
import io.holdout.losses.ResolvedComponent;
import java.util.List;
import java.util.Map;

/**
 * One loss component compiled for PyTorch: its parameters resolved and checked once, before the
 * session opens, by {@link io.holdout.losses.ResolvedLoss}; its targets checked on every batch by
 * {@link ResolvedComponent#check} before anything runs; its math in {@link TorchLosses}, with each
 * sample's denominator from {@link ResolvedComponent#denominators}.
 */
final class LossComponent {
  /** The loss types this backend computes. */
  static final List<String> TYPES =
      List.of(
          "mse",
          "mae",
          "smooth_l1",
          "huber",
          "cross_entropy",
          "binary_cross_entropy",
          "focal",
          "multibox_loc",
          "multibox_conf");

  private final ResolvedComponent resolved;

  private LossComponent(ResolvedComponent resolved) {
    this.resolved = resolved;
  }

  /**
   * Compiles a resolved component.
   *
   * @throws HoldoutException for a type this backend does not compute
   */
  static LossComponent compile(ResolvedComponent c) {
    if (!TYPES.contains(c.type()) && c.custom() == null) {
      throw new HoldoutException(
          "backend 'pytorch' does not support loss '"
              + c.type()
              + "' (supported: "
              + String.join(", ", TYPES)
              + ")");
    }
    return new LossComponent(c);
  }

  LossComponentSpec spec() {
    return resolved.spec();
  }

  ResolvedComponent resolved() {
    return resolved;
  }

  Reduction reduction() {
    return resolved.reduction();
  }

  /** The head this component reads. */
  String output() {
    return resolved.output();
  }

  /**
   * Fails, before anything runs, when {@code batch}'s targets for this component are missing, of
   * the wrong size or out of range (so that a bad batch cannot move batch-norm statistics in a step
   * that then fails).
   */
  void check(Batch batch) {
    resolved.check(batch);
  }

  /**
   * The component's terms on one batch, whose targets passed {@link #check}.
   *
   * @param outputs head outputs of this step
   * @param m the step's manager, owning views of the batch's targets
   * @param st stages the arrays computed in Java
   */
  Terms terms(Map<String, NDArray> outputs, Batch batch, NDManager m, Staging st) {
    NDArray pred = outputs.get(resolved.output());
    if (pred == null) {
      throw fail("reads output '" + resolved.output() + "' but the model has " + outputs.keySet());
    }
    int b = batch.size();
    if (pred.getShape().dimension() == 0
        || pred.getShape().get(0) != b
        || pred.getShape().size() != (long) b * resolved.units()) {
      throw fail(
          "output shape "
              + pred.getShape()
              + " is not ["
              + b
              + ", "
              + resolved.units()
              + " values]");
    }
    Tensor target = batch.get(resolved.target());
    double[] den = resolved.denominators(batch);
    if (resolved.custom() != null) {
      NDArray flat = pred.reshape(b, resolved.units());
      NDArray t = resolved.custom().target() == io.holdout.api.data.TargetKind.CLASS
          ? st.longs(m, labels(target)).oneHot(resolved.units())
          : values(m, target).reshape(b, resolved.units());
      return TorchExpression.terms(resolved.custom(), flat, t, den);
    }
    return switch (resolved.type()) {
      case "mse" -> TorchLosses.regression(Regression.MSE, pred, values(m, target), b, 0, den);
      case "mae" -> TorchLosses.regression(Regression.MAE, pred, values(m, target), b, 0, den);
      case "smooth_l1" ->
          TorchLosses.regression(
              Regression.SMOOTH_L1, pred, values(m, target), b, resolved.beta(), den);
      case "huber" ->
          TorchLosses.regression(
              Regression.HUBER, pred, values(m, target), b, resolved.delta(), den);
      case "cross_entropy" ->
          TorchLosses.crossEntropy(
              logits(pred),
              labels(target),
              resolved.classWeights(),
              resolved.labelSmoothing(),
              resolved.ignoreIndex(),
              den,
              st);
      case "focal" ->
          TorchLosses.focal(
              logits(pred), labels(target), resolved.gamma(), resolved.alpha(), den, st);
      case "binary_cross_entropy" ->
          TorchLosses.binaryCrossEntropy(pred, values(m, target), b, resolved.posWeight(), den);
      case "multibox_loc" -> {
        Tensor lab = batch.get(resolved.labels());
        int anchors = (int) lab.dim(1);
        yield TorchLosses.multiboxLoc(pred, values(m, target), labels(lab), b, anchors, den, st);
      }
      case "multibox_conf" -> {
        int anchors = (int) target.dim(1);
        int classes = resolved.units() / anchors;
        yield TorchLosses.multiboxConf(
            pred, labels(target), b, anchors, classes, resolved.negPosRatio(), den, st);
      }
      default -> throw new IllegalStateException("uncompiled loss type " + resolved.type());
    };
  }

  /** The target as float values, viewed in place. */
  private static NDArray values(NDManager m, Tensor target) {
    NDArray t = Tensors.view(m, target);
    return t.getDataType() == Tensors.floatType() ? t : t.toType(Tensors.floatType(), false);
  }

  /** Logits as {@code [batch, classes]} (multi-dimensional heads are refused when resolving). */
  private NDArray logits(NDArray pred) {
    return pred.getShape().dimension() == 2
        ? pred
        : pred.reshape(pred.getShape().get(0), resolved.units());
  }

  private long[] labels(Tensor t) {
    return Tensors.labels(t, "loss '" + resolved.name() + "' target '" + resolved.target() + "'");
  }

  private HoldoutException fail(String what) {
    return new HoldoutException(
        "loss '" + resolved.name() + "' (" + resolved.type() + "): " + what);
  }
}
