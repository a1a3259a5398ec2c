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
import io.holdout.losses.LossParams;
import io.holdout.losses.Reduction;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One loss component compiled for PyTorch: its parameters parsed once (with the catalogue's
 * defaults), its inputs checked on every batch, its math in {@link TorchLosses}.
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

  private final LossComponentSpec spec;
  private final Reduction reduction;
  private final double a;
  private final double[] classWeights;
  private final long ignoreIndex;
  private final String labels;

  private LossComponent(
      LossComponentSpec spec,
      Reduction reduction,
      double a,
      double[] classWeights,
      long ignoreIndex,
      String labels) {
    this.spec = spec;
    this.reduction = reduction;
    this.a = a;
    this.classWeights = classWeights;
    this.ignoreIndex = ignoreIndex;
    this.labels = labels;
  }

  /**
   * Parses {@code c}'s parameters.
   *
   * @throws HoldoutException for an unknown type, parameter or a bad value
   */
  static LossComponent compile(LossComponentSpec c) {
    LossParams p = LossParams.of(c);
    Reduction r = p.reduction();
    return switch (c.type()) {
      case "mse", "mae" -> new LossComponent(c, r, 0, null, 0, null);
      case "smooth_l1" ->
          new LossComponent(c, r, nonNegative(c, "beta", p.number("beta")), null, 0, null);
      case "huber" ->
          new LossComponent(c, r, positive(c, "delta", p.number("delta")), null, 0, null);
      case "cross_entropy" ->
          new LossComponent(
              c,
              r,
              p.number("label_smoothing", 0, 1),
              p.numbers("class_weights"),
              p.integer("ignore_index"),
              null);
      case "binary_cross_entropy" ->
          new LossComponent(c, r, positive(c, "pos_weight", p.number("pos_weight")), null, 0, null);
      case "focal" ->
          new LossComponent(
              c, r, nonNegative(c, "gamma", p.number("gamma")), p.numbers("alpha"), 0, null);
      case "multibox_loc" -> new LossComponent(c, r, 0, null, 0, p.string("labels"));
      case "multibox_conf" ->
          new LossComponent(
              c, r, nonNegative(c, "neg_pos_ratio", p.number("neg_pos_ratio")), null, 0, null);
      default ->
          throw new HoldoutException(
              "backend 'pytorch' does not support loss '"
                  + c.type()
                  + "' (supported: "
                  + String.join(", ", TYPES)
                  + ")");
    };
  }

  LossComponentSpec spec() {
    return spec;
  }

  Reduction reduction() {
    return reduction;
  }

  /** The head this component reads. */
  String output() {
    return spec.output();
  }

  /**
   * Fails, before anything runs, when {@code batch} lacks a tensor this component reads (so that a
   * bad batch cannot move batch-norm statistics in a step that then fails).
   */
  void requireTargets(Batch batch) {
    target(batch, spec.target());
    if (labels != null) {
      target(batch, labels);
    }
  }

  /**
   * The component's terms on one batch.
   *
   * @param outputs head outputs of this step
   * @param m the step's manager, owning views of the batch's targets
   * @param st stages the arrays computed in Java
   */
  Terms terms(Map<String, NDArray> outputs, Batch batch, NDManager m, Staging st) {
    NDArray pred = outputs.get(spec.output());
    if (pred == null) {
      throw fail("reads output '" + spec.output() + "' but the model has " + outputs.keySet());
    }
    if (pred.getShape().dimension() == 0 || pred.getShape().get(0) != batch.size()) {
      throw fail("output shape " + pred.getShape() + " has no batch dimension " + batch.size());
    }
    Tensor target = target(batch, spec.target());
    int b = batch.size();
    return switch (spec.type()) {
      case "mse" -> TorchLosses.regression(Regression.MSE, pred, values(m, pred, target), b, 0);
      case "mae" -> TorchLosses.regression(Regression.MAE, pred, values(m, pred, target), b, 0);
      case "smooth_l1" ->
          TorchLosses.regression(Regression.SMOOTH_L1, pred, values(m, pred, target), b, a);
      case "huber" -> TorchLosses.regression(Regression.HUBER, pred, values(m, pred, target), b, a);
      case "cross_entropy" -> {
        int classes = classes(pred);
        checkWeights(classWeights, classes, "class_weights");
        yield TorchLosses.crossEntropy(
            pred, classLabels(target, b, classes, true), classWeights, a, ignoreIndex, st);
      }
      case "focal" -> {
        int classes = classes(pred);
        checkWeights(classWeights, classes, "alpha");
        yield TorchLosses.focal(pred, classLabels(target, b, classes, false), a, classWeights, st);
      }
      case "binary_cross_entropy" ->
          TorchLosses.binaryCrossEntropy(pred, values(m, pred, target), b, a);
      case "multibox_loc" -> {
        Tensor lab = target(batch, labels);
        int anchors = anchors(lab, b);
        long[] y = anchorLabels(lab, Long.MAX_VALUE);
        if (pred.getShape().size() != (long) b * anchors * 4
            || target.elementCount() != pred.getShape().size()) {
          throw fail(
              "box offsets "
                  + pred.getShape()
                  + " and encoded boxes "
                  + target
                  + " must both be ["
                  + b
                  + ", "
                  + anchors
                  + ", 4]");
        }
        yield TorchLosses.multiboxLoc(pred, values(m, pred, target), y, b, anchors, st);
      }
      case "multibox_conf" -> {
        int anchors = anchors(target, b);
        long perImage = pred.getShape().size() / b;
        if (perImage % anchors != 0 || pred.getShape().size() % b != 0) {
          throw fail(
              "class logits " + pred.getShape() + " are not [" + b + ", " + anchors + ", classes]");
        }
        int classes = (int) (perImage / anchors);
        yield TorchLosses.multiboxConf(
            pred, anchorLabels(target, classes), b, anchors, classes, a, st);
      }
      default -> throw new IllegalStateException("uncompiled loss type " + spec.type());
    };
  }

  private Tensor target(Batch batch, String name) {
    if (!batch.has(name)) {
      throw fail(
          "needs the batch tensor '" + name + "' but the batch has " + batch.tensors().keySet());
    }
    return batch.get(name);
  }

  /** The target as float values of the prediction's element count. */
  private NDArray values(NDManager m, NDArray pred, Tensor target) {
    if (target.elementCount() != pred.getShape().size()) {
      throw fail(
          "output shape "
              + pred.getShape()
              + " and target '"
              + spec.target()
              + "' "
              + Arrays.toString(target.shape())
              + " differ in size");
    }
    NDArray t = Tensors.view(m, target);
    return t.getDataType() == DataType.FLOAT32 ? t : t.toType(DataType.FLOAT32, false);
  }

  private int classes(NDArray logits) {
    if (logits.getShape().dimension() != 2) {
      throw fail("logits must be [batch, classes], got " + logits.getShape());
    }
    return (int) logits.getShape().get(1);
  }

  private long[] classLabels(Tensor target, int batch, int classes, boolean allowIgnore) {
    if (target.elementCount() != batch) {
      throw fail(
          "labels '"
              + spec.target()
              + "' "
              + Arrays.toString(target.shape())
              + " are not one per sample of "
              + batch);
    }
    long[] y = Tensors.labels(target, "loss '" + spec.name() + "' target '" + spec.target() + "'");
    for (int i = 0; i < y.length; i++) {
      if ((y[i] < 0 || y[i] >= classes) && !(allowIgnore && y[i] == ignoreIndex)) {
        throw fail("label " + y[i] + " of sample " + i + " is outside [0, " + classes + ")");
      }
    }
    return y;
  }

  private int anchors(Tensor anchorLabels, int batch) {
    if (anchorLabels.rank() != 2 || anchorLabels.dim(0) != batch) {
      throw fail("anchor labels must be [" + batch + ", anchors], got " + anchorLabels);
    }
    return (int) anchorLabels.dim(1);
  }

  /** Anchor labels, each in {@code [0, classes)}. */
  private long[] anchorLabels(Tensor t, long classes) {
    long[] y = Tensors.labels(t, "loss '" + spec.name() + "' anchor labels");
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= classes) {
        throw fail(
            "anchor label "
                + y[i]
                + " (image "
                + i / t.dim(1)
                + ", anchor "
                + i % t.dim(1)
                + ") is outside [0, "
                + (classes == Long.MAX_VALUE ? "classes" : classes)
                + ")");
      }
    }
    return y;
  }

  private void checkWeights(double[] w, int classes, String key) {
    if (w != null && w.length != classes) {
      throw fail("parameter '" + key + "' has " + w.length + " values for " + classes + " classes");
    }
  }

  private HoldoutException fail(String what) {
    return new HoldoutException("loss '" + spec.name() + "' (" + spec.type() + "): " + what);
  }

  private static double nonNegative(LossComponentSpec c, String key, double v) {
    if (!(v >= 0)) {
      throw new HoldoutException(
          "loss '"
              + c.name()
              + "' ("
              + c.type()
              + "): parameter '"
              + key
              + "' must be >= 0, got "
              + v);
    }
    return v;
  }

  private static double positive(LossComponentSpec c, String key, double v) {
    if (!(v > 0)) {
      throw new HoldoutException(
          "loss '"
              + c.name()
              + "' ("
              + c.type()
              + "): parameter '"
              + key
              + "' must be > 0, got "
              + v);
    }
    return v;
  }
}
