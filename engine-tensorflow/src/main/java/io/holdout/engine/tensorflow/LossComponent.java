package io.holdout.engine.tensorflow;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.engine.tensorflow.TfLosses.Regression;
import io.holdout.engine.tensorflow.TfLosses.Terms;
import io.holdout.losses.Reduction;
import io.holdout.losses.ResolvedComponent;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * One loss component compiled for TensorFlow: its parameters resolved and checked against the head
 * once, before the session opens, by {@link io.holdout.losses.ResolvedLoss}; its graph built once;
 * its inputs checked in Java before every run ({@link ResolvedComponent#check}), so that a bad
 * batch fails with a message naming the component instead of a kernel error.
 */
final class LossComponent {
  /** The loss types this backend computes (the whole catalogue). */
  static final List<String> TYPES = List.of("mse", "mae", "smooth_l1", "huber", "cross_entropy",
      "binary_cross_entropy", "focal", "multibox_loc", "multibox_conf");

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
      throw new HoldoutException("backend 'tensorflow' does not support loss '" + c.type()
          + "' (supported: " + String.join(", ", TYPES) + ")");
    }
    return new LossComponent(c);
  }

  LossComponentSpec spec() {
    return resolved.spec();
  }

  Reduction reduction() {
    return resolved.reduction();
  }

  /**
   * The graph of this component's terms on the head output {@code pred}, flattened to {@code [B,
   * values per sample]}.
   */
  Terms build(Ops tf, Operand<TFloating> pred, TargetFeeds feeds) {
    Ops s = tf.withSubScope("loss_" + resolved.name().replaceAll("[^A-Za-z0-9_.\\-]", "_"));
    ResolvedComponent r = resolved;
    int units = r.units();
    String target = r.target();
    if (r.custom() != null) {
      Operand<TFloating> t = r.custom().target() == io.holdout.api.data.TargetKind.CLASS
          ? TfLosses.oneHot(s, feeds.labels(target), s.constant(units))
          : GraphMath.reshape(s, feeds.floats(target), -1, units);
      return TfExpression.terms(s, r.custom(), pred, t, units);
    }
    return switch (r.type()) {
      case "mse" -> TfLosses.regression(s, Regression.MSE, pred, feeds.floats(target), units, 0);
      case "mae" -> TfLosses.regression(s, Regression.MAE, pred, feeds.floats(target), units, 0);
      case "smooth_l1" ->
          TfLosses.regression(s, Regression.SMOOTH_L1, pred, feeds.floats(target), units, r.beta());
      case "huber" -> TfLosses.regression(s, Regression.HUBER, pred, feeds.floats(target), units, r.delta());
      case "cross_entropy" -> TfLosses.crossEntropy(
          s, pred, feeds.labels(target), units, r.classWeights(), r.labelSmoothing(), r.ignoreIndex());
      case "focal" -> TfLosses.focal(s, pred, feeds.labels(target), units, r.gamma(), r.alpha());
      case "binary_cross_entropy" ->
          TfLosses.binaryCrossEntropy(s, pred, feeds.floats(target), units, r.posWeight());
      case "multibox_loc" -> TfLosses.multiboxLoc(
          s, pred, feeds.floats(target), feeds.labels(r.labels()), units / 4);
      case "multibox_conf" -> TfLosses.multiboxConf(s, pred, feeds.labels(target), units, r.negPosRatio());
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
