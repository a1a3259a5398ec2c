package io.holdout.engine.tensorflow;

import io.holdout.losses.TargetCheck;
import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.tensorflow.TfLosses.Regression;
import io.holdout.engine.tensorflow.TfLosses.Terms;
import io.holdout.losses.LossParams;
import io.holdout.losses.Reduction;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One loss component compiled for TensorFlow: its parameters parsed once (with the catalogue's
 * defaults) when the session opens, its graph built once, and its inputs checked in Java before
 * every run, so that a bad batch fails with a message naming the component instead of a kernel
 * error.
 */
final class LossComponent {
  /** The loss types this backend computes (the whole catalogue). */
  static final List<String> TYPES = List.of("mse", "mae", "smooth_l1", "huber", "cross_entropy",
      "binary_cross_entropy", "focal", "multibox_loc", "multibox_conf");

  private final LossComponentSpec spec;
  private final Reduction reduction;
  private final int units;
  private final double a;
  private final double[] classWeights;
  private final long ignoreIndex;
  private final String labels;

  private LossComponent(LossComponentSpec spec, Reduction reduction, int units, double a,
      double[] classWeights, long ignoreIndex, String labels) {
    this.spec = spec;
    this.reduction = reduction;
    this.units = units;
    this.a = a;
    this.classWeights = classWeights;
    this.ignoreIndex = ignoreIndex;
    this.labels = labels;
  }

  /**
   * Parses {@code c}'s parameters for a head whose output per sample has shape {@code headShape}.
   *
   * @throws HoldoutException for an unknown type, parameter, a bad value, or a parameter that
   *     cannot fit the head (class weights of the wrong length, box offsets not a multiple of 4,
   *     class logits that are not {@code [batch, classes]})
   */
  static LossComponent compile(LossComponentSpec c, long[] headShape) {
    LossParams p = LossParams.of(c);
    int units = Math.toIntExact(Tensor.elementCount(headShape));
    Reduction r = p.reduction();
    LossComponent lc = switch (c.type()) {
      case "mse", "mae" -> new LossComponent(c, r, units, 0, null, 0, null);
      case "smooth_l1" -> new LossComponent(c, r, units, nonNegative(c, "beta", p.number("beta")), null, 0, null);
      case "huber" -> new LossComponent(c, r, units, positive(c, "delta", p.number("delta")), null, 0, null);
      case "cross_entropy" -> new LossComponent(c, r, units, p.number("label_smoothing", 0, 1),
          p.numbers("class_weights"), p.integer("ignore_index"), null);
      case "binary_cross_entropy" ->
          new LossComponent(c, r, units, positive(c, "pos_weight", p.number("pos_weight")), null, 0, null);
      case "focal" -> new LossComponent(
          c, r, units, nonNegative(c, "gamma", p.number("gamma")), p.numbers("alpha"), 0, null);
      case "multibox_loc" -> new LossComponent(c, r, units, 0, null, 0, p.string("labels"));
      case "multibox_conf" -> new LossComponent(
          c, r, units, nonNegative(c, "neg_pos_ratio", p.number("neg_pos_ratio")), null, 0, null);
      default -> throw new HoldoutException("backend 'tensorflow' does not support loss '" + c.type()
          + "' (supported: " + String.join(", ", TYPES) + ")");
    };
    lc.checkHead(headShape);
    return lc;
  }

  private void checkHead(long[] headShape) {
    if ((spec.type().equals("cross_entropy") || spec.type().equals("focal")) && headShape.length != 1) {
      throw fail("logits must be [batch, classes], but head '" + spec.output() + "' outputs [batch, "
          + Arrays.toString(headShape).replaceAll("[\\[\\]]", "") + "]");
    }
    switch (spec.type()) {
      case "cross_entropy" -> checkWeights(classWeights, "class_weights");
      case "focal" -> checkWeights(classWeights, "alpha");
      case "multibox_loc" -> {
        if (units % 4 != 0) {
          throw fail("head '" + spec.output() + "' has " + units
              + " outputs, not 4 box offsets per anchor");
        }
      }
      default -> { }
    }
  }

  LossComponentSpec spec() {
    return spec;
  }

  Reduction reduction() {
    return reduction;
  }

  /**
   * The graph of this component's terms on the head output {@code pred}, flattened to {@code [B,
   * values per sample]}.
   */
  Terms build(Ops tf, Operand<TFloat32> pred, TargetFeeds feeds) {
    Ops s = tf.withSubScope("loss_" + spec.name().replaceAll("[^A-Za-z0-9_.\\-]", "_"));
    return switch (spec.type()) {
      case "mse" -> TfLosses.regression(s, Regression.MSE, pred, feeds.floats(spec.target()), units, 0);
      case "mae" -> TfLosses.regression(s, Regression.MAE, pred, feeds.floats(spec.target()), units, 0);
      case "smooth_l1" ->
          TfLosses.regression(s, Regression.SMOOTH_L1, pred, feeds.floats(spec.target()), units, a);
      case "huber" -> TfLosses.regression(s, Regression.HUBER, pred, feeds.floats(spec.target()), units, a);
      case "cross_entropy" -> TfLosses.crossEntropy(
          s, pred, feeds.labels(spec.target()), units, classWeights, a, ignoreIndex);
      case "focal" -> TfLosses.focal(s, pred, feeds.labels(spec.target()), units, a, classWeights);
      case "binary_cross_entropy" ->
          TfLosses.binaryCrossEntropy(s, pred, feeds.floats(spec.target()), units, a);
      case "multibox_loc" -> TfLosses.multiboxLoc(
          s, pred, feeds.floats(spec.target()), feeds.labels(labels), units / 4);
      case "multibox_conf" -> TfLosses.multiboxConf(s, pred, feeds.labels(spec.target()), units, a);
      default -> throw new IllegalStateException("uncompiled loss type " + spec.type());
    };
  }

  /**
   * Checks this component's targets in {@code batch} before a run: present, of the right size and
   * type, labels in range.
   *
   * @throws HoldoutException naming the component and what is wrong
   */
  void check(Batch batch) {
    TargetCheck.check(spec, units, ignoreIndex, labels, batch);
  }

  private void checkWeights(double[] w, String key) {
    if (w != null && w.length != units) {
      throw fail("parameter '" + key + "' has " + w.length + " values for " + units + " classes");
    }
  }

  private HoldoutException fail(String what) {
    return new HoldoutException("loss '" + spec.name() + "' (" + spec.type() + "): " + what);
  }

  private static double nonNegative(LossComponentSpec c, String key, double v) {
    if (!(v >= 0)) {
      throw new HoldoutException(
          "loss '" + c.name() + "' (" + c.type() + "): parameter '" + key + "' must be >= 0, got " + v);
    }
    return v;
  }

  private static double positive(LossComponentSpec c, String key, double v) {
    if (!(v > 0)) {
      throw new HoldoutException(
          "loss '" + c.name() + "' (" + c.type() + "): parameter '" + key + "' must be > 0, got " + v);
    }
    return v;
  }
}
