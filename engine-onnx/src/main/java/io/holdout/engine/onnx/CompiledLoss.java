package io.holdout.engine.onnx;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.engine.onnx.OnnxLosses.Regression;
import io.holdout.engine.onnx.OnnxLosses.Terms;
import io.holdout.losses.Reduction;
import io.holdout.losses.ResolvedComponent;
import java.util.List;

/**
 * One loss component compiled for ONNX: its parameters resolved and checked against the head once,
 * before the session opens, by {@link io.holdout.losses.ResolvedLoss}; its operations added to the
 * session's graph; its inputs checked in Java before every run ({@link ResolvedComponent#check}),
 * so that a bad batch fails with a message naming the component rather than a kernel error.
 */
final class CompiledLoss {
  /** The loss types this backend computes (the whole catalogue). */
  static final List<String> TYPES = List.of("mse", "mae", "smooth_l1", "huber", "cross_entropy",
      "binary_cross_entropy", "focal", "multibox_loc", "multibox_conf");

  private final ResolvedComponent resolved;

  private CompiledLoss(ResolvedComponent resolved) {
    this.resolved = resolved;
  }

  /**
   * Compiles a resolved component.
   *
   * @throws HoldoutException for a type this backend does not compute
   */
  static CompiledLoss compile(ResolvedComponent c) {
    if (!TYPES.contains(c.type()) && c.custom() == null) {
      throw new HoldoutException("backend '" + OnnxBackend.NAME + "' does not support loss '"
          + c.type() + "' (supported: " + String.join(", ", TYPES) + ")");
    }
    return new CompiledLoss(c);
  }

  LossComponentSpec spec() {
    return resolved.spec();
  }

  Reduction reduction() {
    return resolved.reduction();
  }

  /**
   * Adds this component's operations on the head output {@code pred} (flattened to {@code [B,
   * values per sample]}) to {@code g}.
   */
  Terms build(OnnxGraph g, String pred, TargetInputs in) {
    ResolvedComponent r = resolved;
    int units = r.units();
    String target = r.target();
    if (r.custom() != null) {
      String t = r.custom().target() == io.holdout.api.data.TargetKind.CLASS
          ? OnnxExpression.oneHot(g, OnnxLosses.flatLabels(g, in.labels(target)), units)
          : g.reshape(in.floats(target), -1, units);
      return OnnxExpression.terms(g, r.custom(), pred, t, units);
    }
    return switch (r.type()) {
      case "mse" -> OnnxLosses.regression(g, Regression.MSE, pred, in.floats(target), units, 0);
      case "mae" -> OnnxLosses.regression(g, Regression.MAE, pred, in.floats(target), units, 0);
      case "smooth_l1" ->
          OnnxLosses.regression(g, Regression.SMOOTH_L1, pred, in.floats(target), units, r.beta());
      case "huber" -> OnnxLosses.regression(g, Regression.HUBER, pred, in.floats(target), units, r.delta());
      case "cross_entropy" -> OnnxLosses.crossEntropy(
          g, pred, in.labels(target), units, r.classWeights(), r.labelSmoothing(), r.ignoreIndex());
      case "focal" -> OnnxLosses.focal(g, pred, in.labels(target), units, r.gamma(), r.alpha());
      case "binary_cross_entropy" ->
          OnnxLosses.binaryCrossEntropy(g, pred, in.floats(target), units, r.posWeight());
      case "multibox_loc" -> OnnxLosses.multiboxLoc(
          g, pred, in.floats(target), in.labels(r.labels()), units / 4);
      case "multibox_conf" -> OnnxLosses.multiboxConf(g, pred, in.labels(target), r.negPosRatio());
      default -> throw new IllegalStateException("uncompiled loss type " + r.type());
    };
  }

  /**
   * Checks this component's targets in {@code batch} before a run: present, of the right size and
   * type, labels in range.
   *
   * @throws HoldoutException naming the component and what is wrong
   */
  void check(Batch batch) {
    resolved.check(batch);
  }
}
