package io.holdout.engine.onnx;

import io.holdout.losses.TargetCheck;
import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.onnx.OnnxLosses.Regression;
import io.holdout.engine.onnx.OnnxLosses.Terms;
import io.holdout.losses.LossParams;
import io.holdout.losses.Reduction;
import java.util.Arrays;
import java.util.List;

/**
 * One loss component compiled for ONNX: its parameters parsed once (with the catalogue's defaults)
 * when the session opens, its operations added to the session's graph, and its inputs checked in
 * Java before every run, so that a bad batch fails with a message naming the component rather than
 * a kernel error.
 */
final class CompiledLoss {
  /** The loss types this backend computes (the whole catalogue). */
  static final List<String> TYPES = List.of("mse", "mae", "smooth_l1", "huber", "cross_entropy",
      "binary_cross_entropy", "focal", "multibox_loc", "multibox_conf");

  private final LossComponentSpec spec;
  private final Reduction reduction;
  private final int units;
  /** beta, delta, label smoothing, pos_weight, gamma or neg_pos_ratio, by type. */
  private final double a;
  /** class_weights or alpha, null for all 1. */
  private final double[] classWeights;
  private final long ignoreIndex;
  /** multibox_loc's anchor labels tensor. */
  private final String labels;

  private CompiledLoss(LossComponentSpec spec, Reduction reduction, int units, double a,
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
   * @throws HoldoutException for an unknown type or parameter, a bad value, or a parameter that
   *     cannot fit the head (class weights of the wrong length, box offsets not a multiple of 4,
   *     class logits that are not {@code [batch, classes]})
   */
  static CompiledLoss compile(LossComponentSpec c, long[] headShape) {
    LossParams p = LossParams.of(c);
    int units = Math.toIntExact(Tensor.elementCount(headShape));
    Reduction r = p.reduction();
    CompiledLoss lc = switch (c.type()) {
      case "mse", "mae" -> new CompiledLoss(c, r, units, 0, null, 0, null);
      case "smooth_l1" -> new CompiledLoss(c, r, units, atLeast(c, "beta", p.number("beta"), false), null, 0, null);
      case "huber" -> new CompiledLoss(c, r, units, atLeast(c, "delta", p.number("delta"), true), null, 0, null);
      case "cross_entropy" -> new CompiledLoss(c, r, units, p.number("label_smoothing", 0, 1),
          p.numbers("class_weights"), p.integer("ignore_index"), null);
      case "binary_cross_entropy" ->
          new CompiledLoss(c, r, units, atLeast(c, "pos_weight", p.number("pos_weight"), true), null, 0, null);
      case "focal" -> new CompiledLoss(
          c, r, units, atLeast(c, "gamma", p.number("gamma"), false), p.numbers("alpha"), 0, null);
      case "multibox_loc" -> new CompiledLoss(c, r, units, 0, null, 0, p.string("labels"));
      case "multibox_conf" -> new CompiledLoss(
          c, r, units, atLeast(c, "neg_pos_ratio", p.number("neg_pos_ratio"), false), null, 0, null);
      default -> throw new HoldoutException("backend '" + OnnxBackend.NAME + "' does not support loss '"
          + c.type() + "' (supported: " + String.join(", ", TYPES) + ")");
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
      case "cross_entropy" -> checkWeights("class_weights");
      case "focal" -> checkWeights("alpha");
      case "multibox_loc" -> {
        if (units % 4 != 0) {
          throw fail("head '" + spec.output() + "' has " + units + " outputs, not 4 box offsets per anchor");
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
   * Adds this component's operations on the head output {@code pred} (flattened to {@code [B,
   * values per sample]}) to {@code g}.
   */
  Terms build(OnnxGraph g, String pred, TargetInputs in) {
    return switch (spec.type()) {
      case "mse" -> OnnxLosses.regression(g, Regression.MSE, pred, in.floats(spec.target()), units, 0);
      case "mae" -> OnnxLosses.regression(g, Regression.MAE, pred, in.floats(spec.target()), units, 0);
      case "smooth_l1" ->
          OnnxLosses.regression(g, Regression.SMOOTH_L1, pred, in.floats(spec.target()), units, a);
      case "huber" -> OnnxLosses.regression(g, Regression.HUBER, pred, in.floats(spec.target()), units, a);
      case "cross_entropy" -> OnnxLosses.crossEntropy(
          g, pred, in.labels(spec.target()), units, classWeights, a, ignoreIndex);
      case "focal" -> OnnxLosses.focal(g, pred, in.labels(spec.target()), units, a, classWeights);
      case "binary_cross_entropy" ->
          OnnxLosses.binaryCrossEntropy(g, pred, in.floats(spec.target()), units, a);
      case "multibox_loc" -> OnnxLosses.multiboxLoc(
          g, pred, in.floats(spec.target()), in.labels(labels), units / 4);
      case "multibox_conf" -> OnnxLosses.multiboxConf(g, pred, in.labels(spec.target()), a);
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

  private void checkWeights(String key) {
    if (classWeights != null && classWeights.length != units) {
      throw fail("parameter '" + key + "' has " + classWeights.length + " values for " + units + " classes");
    }
  }

  private HoldoutException fail(String what) {
    return new HoldoutException("loss '" + spec.name() + "' (" + spec.type() + "): " + what);
  }

  /** {@code v}, checked {@code >= 0} (or {@code > 0} when {@code strict}). */
  private static double atLeast(LossComponentSpec c, String key, double v, boolean strict) {
    if (strict ? !(v > 0) : !(v >= 0)) {
      throw new HoldoutException("loss '" + c.name() + "' (" + c.type() + "): parameter '" + key
          + "' must be " + (strict ? "> 0" : ">= 0") + ", got " + v);
    }
    return v;
  }
}
