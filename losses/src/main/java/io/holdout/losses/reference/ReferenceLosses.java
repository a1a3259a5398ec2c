package io.holdout.losses.reference;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.LossParams;
import io.holdout.losses.Reduction;
import java.util.Map;
import java.util.Objects;

/**
 * Pure-Java reference implementations of the loss catalogue, in double precision. They are the
 * oracle every backend's tests compare against; they are written for clarity, not speed.
 *
 * <p>A component reads {@code outputs.get(c.output())} and {@code batch.get(c.target())} (and for
 * {@code multibox_loc} also {@code batch.get(labels)}). Its value is built from per-sample {@link
 * LossTerms}: {@code sum} adds the numerators, {@code mean} divides that by the summed denominators
 * and is 0 when they sum to 0 (every label ignored, no positive anchor). The per-sample values are
 * each sample's loss as if the batch held only it.
 *
 * <p>Parameter defaults come from {@link io.holdout.losses.LossCatalog}; an unknown type or
 * parameter is a {@link io.holdout.api.HoldoutException}, a shape mismatch an {@link
 * IllegalArgumentException}.
 */
public final class ReferenceLosses {
  private ReferenceLosses() {}

  /**
   * Value of one component, following the catalogue's semantics.
   *
   * @param outputs head outputs keyed by head name
   * @param batch the batch holding the targets
   */
  public static double value(LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
    return terms(c, outputs, batch).reduce(LossParams.of(c).reduction());
  }

  /**
   * Each sample's value ({@code float[batch]}) under the component's own normalisation: the value
   * the component would have on a batch holding only that sample (0 for an ignored label or an
   * image without positive anchors under {@code mean}).
   */
  public static float[] perSample(LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
    return terms(c, outputs, batch).perSample(LossParams.of(c).reduction());
  }

  /**
   * The value of every component and their weighted total, as {@link LossBreakdown} over {@code
   * batch.size()} samples, with each component's numerator ({@code Σ num}) and count ({@code Σ den}
   * for mean, the number of samples for sum).
   */
  public static LossBreakdown breakdown(LossSpec spec, Map<String, Tensor> outputs, Batch batch) {
    Objects.requireNonNull(spec, "loss spec is null");
    int k = spec.components().size();
    double[] raw = new double[k];
    double[] num = new double[k];
    double[] count = new double[k];
    for (int i = 0; i < k; i++) {
      LossComponentSpec c = spec.components().get(i);
      Reduction r = LossParams.of(c).reduction();
      LossTerms t = terms(c, outputs, batch);
      raw[i] = t.reduce(r);
      num[i] = t.numerator();
      count[i] = t.count(r);
    }
    return LossBreakdown.of(spec, raw, num, count, batch.size());
  }

  /** The per-sample numerators and denominators of one component; see {@link LossTerms}. */
  public static LossTerms terms(LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
    Inputs in = Inputs.of(c, outputs, batch);
    LossParams p = in.params;
    int b = batch.size();
    if (p.type().custom() != null) {
      return in.expression().terms();
    }
    return switch (c.type()) {
      case "mse" -> ReferenceRegression.terms(ReferenceRegression.Kind.MSE, in.pred(), in.targetFloats(), b, 0);
      case "mae" -> ReferenceRegression.terms(ReferenceRegression.Kind.MAE, in.pred(), in.targetFloats(), b, 0);
      case "smooth_l1" -> ReferenceRegression.terms(
          ReferenceRegression.Kind.SMOOTH_L1, in.pred(), in.targetFloats(), b, p.number("beta"));
      case "huber" -> ReferenceRegression.terms(
          ReferenceRegression.Kind.HUBER, in.pred(), in.targetFloats(), b, p.number("delta"));
      case "cross_entropy" -> ReferenceClassification.crossEntropy(in.pred(), in.classes(), in.labels(),
          p.numbers("class_weights"), p.number("label_smoothing"), p.integer("ignore_index"));
      case "focal" -> ReferenceClassification.focal(
          in.pred(), in.classes(), in.labels(), p.number("gamma"), p.numbers("alpha"));
      case "binary_cross_entropy" -> ReferenceClassification.binaryCrossEntropy(
          in.pred(), in.targetFloats(), b, p.number("pos_weight"));
      case "multibox_loc" -> ReferenceMultiBox.loc(
          in.pred(), in.targetFloats(), in.anchorLabels(batch.get(p.string("labels"))), b, in.anchors());
      case "multibox_conf" -> ReferenceMultiBox.conf(in.pred(), in.anchorLabels(in.target), b,
          in.anchors(), in.classes(), p.number("neg_pos_ratio"));
      default -> throw new IllegalArgumentException("no reference for loss type " + c.type());
    };
  }

  /**
   * Gradient of {@link #value} w.r.t. {@code outputs.get(c.output())}, element by element in its
   * row-major layout. Every type has one; at the kinks of MAE, smooth L1 and Huber it takes the
   * one-sided value the formulas in {@link ReferenceRegression} give, and MultiBox treats the
   * mined set of negatives as fixed.
   */
  public static double[] gradient(LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
    Inputs in = Inputs.of(c, outputs, batch);
    LossParams p = in.params;
    int b = batch.size();
    double[] g = p.type().custom() != null ? in.expression().numeratorGrad() : switch (c.type()) {
      case "mse" -> ReferenceRegression.numeratorGrad(ReferenceRegression.Kind.MSE, in.pred(), in.targetFloats(), 0);
      case "mae" -> ReferenceRegression.numeratorGrad(ReferenceRegression.Kind.MAE, in.pred(), in.targetFloats(), 0);
      case "smooth_l1" -> ReferenceRegression.numeratorGrad(
          ReferenceRegression.Kind.SMOOTH_L1, in.pred(), in.targetFloats(), p.number("beta"));
      case "huber" -> ReferenceRegression.numeratorGrad(
          ReferenceRegression.Kind.HUBER, in.pred(), in.targetFloats(), p.number("delta"));
      case "cross_entropy" -> ReferenceClassification.crossEntropyNumeratorGrad(in.pred(), in.classes(),
          in.labels(), p.numbers("class_weights"), p.number("label_smoothing"), p.integer("ignore_index"));
      case "focal" -> ReferenceClassification.focalNumeratorGrad(
          in.pred(), in.classes(), in.labels(), p.number("gamma"), p.numbers("alpha"));
      case "binary_cross_entropy" -> ReferenceClassification.binaryCrossEntropyNumeratorGrad(
          in.pred(), in.targetFloats(), p.number("pos_weight"));
      case "multibox_loc" -> ReferenceMultiBox.locNumeratorGrad(
          in.pred(), in.targetFloats(), in.anchorLabels(batch.get(p.string("labels"))), b, in.anchors());
      case "multibox_conf" -> ReferenceMultiBox.confNumeratorGrad(in.pred(), in.anchorLabels(in.target), b,
          in.anchors(), in.classes(), p.number("neg_pos_ratio"));
      default -> throw new IllegalArgumentException("no reference for loss type " + c.type());
    };
    double scale = terms(c, outputs, batch).gradientScale(p.reduction());
    for (int i = 0; i < g.length; i++) {
      g[i] *= scale;
    }
    return g;
  }

  /** Mean of squared differences over all elements (0 for no elements). */
  public static double mse(float[] pred, float[] target) {
    return ReferenceRegression.mse(pred, target);
  }

  /** Gradient of {@link #mse} with respect to the prediction: {@code 2 (p - t) / n}. */
  public static double[] mseGrad(float[] pred, float[] target) {
    return ReferenceRegression.mseGrad(pred, target);
  }

  /** Log-softmax of one row of logits, computed stably. */
  public static double[] logSoftmax(float[] logits, int offset, int classes) {
    return ReferenceClassification.logSoftmax(logits, offset, classes);
  }

  /**
   * Mean softmax cross-entropy, PyTorch semantics: per sample {@code l_i = (1-ε)·w_y·(-log p_y) +
   * (ε/C)·Σ_c w_c·(-log p_c)}; the mean is {@code Σ l_i / Σ w_y} over samples not ignored, and 0 when
   * every sample is ignored.
   *
   * @param weights class weights, or null for all 1
   * @param smoothing label smoothing ε in [0, 1]
   * @param ignoreIndex samples with this label are left out
   */
  public static double crossEntropy(
      float[] logits, int classes, long[] labels, double[] weights, double smoothing, long ignoreIndex) {
    return ReferenceClassification.crossEntropy(logits, classes, labels, weights, smoothing, ignoreIndex)
        .reduce(Reduction.MEAN);
  }

  /** Gradient of unweighted, unsmoothed mean cross-entropy w.r.t. the logits: (softmax - onehot)/n. */
  public static double[] crossEntropyGrad(float[] logits, int classes, long[] labels) {
    return crossEntropyGrad(logits, classes, labels, null, 0, -100);
  }

  /** Gradient of {@link #crossEntropy} (mean, with weights, smoothing and ignore index) w.r.t. the logits. */
  public static double[] crossEntropyGrad(
      float[] logits, int classes, long[] labels, double[] weights, double smoothing, long ignoreIndex) {
    LossTerms t = ReferenceClassification.crossEntropy(logits, classes, labels, weights, smoothing, ignoreIndex);
    double[] g = ReferenceClassification.crossEntropyNumeratorGrad(
        logits, classes, labels, weights, smoothing, ignoreIndex);
    double scale = t.gradientScale(Reduction.MEAN);
    for (int i = 0; i < g.length; i++) {
      g[i] *= scale;
    }
    return g;
  }

  /** The prediction and target tensors of one component, checked against the batch. */
  private static final class Inputs {
    final LossComponentSpec spec;
    final LossParams params;
    final Tensor prediction;
    final Tensor target;
    final int batch;

    private Inputs(LossComponentSpec spec, LossParams params, Tensor prediction, Tensor target, int batch) {
      this.spec = spec;
      this.params = params;
      this.prediction = prediction;
      this.target = target;
      this.batch = batch;
    }

    static Inputs of(LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
      Objects.requireNonNull(c, "loss component is null");
      Objects.requireNonNull(outputs, "outputs is null");
      Objects.requireNonNull(batch, "batch is null");
      LossParams params = LossParams.of(c);
      Tensor prediction = outputs.get(c.output());
      if (prediction == null) {
        throw new IllegalArgumentException("loss '" + c.name() + "': no output '" + c.output()
            + "' (has " + outputs.keySet() + ")");
      }
      if (prediction.rank() == 0 || prediction.dim(0) != batch.size()) {
        throw new IllegalArgumentException("loss '" + c.name() + "': output " + prediction
            + " does not have batch dimension " + batch.size());
      }
      return new Inputs(c, params, prediction, batch.get(c.target()), batch.size());
    }

    float[] pred() {
      return prediction.toFloatArray();
    }

    /** A plugin's expression on these inputs (flattened to {@code [batch, values]}). */
    ReferenceExpression expression() {
      io.holdout.api.loss.CustomLoss custom = params.custom();
      boolean classes = custom.target() == io.holdout.api.data.TargetKind.CLASS;
      return new ReferenceExpression(custom, pred(), classes ? null : targetFloats(),
          classes ? labels() : null, batch);
    }

    float[] targetFloats() {
      if (target.elementCount() != prediction.elementCount()) {
        throw new IllegalArgumentException("loss '" + spec.name() + "': output " + prediction
            + " and target " + target + " differ in size");
      }
      return TensorData.floats(target);
    }

    int classes() {
      if (prediction.rank() < 2) {
        throw new IllegalArgumentException(
            "loss '" + spec.name() + "': logits " + prediction + " have no class dimension");
      }
      return (int) prediction.dim(prediction.rank() - 1);
    }

    long[] labels() {
      if (prediction.rank() != 2) {
        throw new IllegalArgumentException(
            "loss '" + spec.name() + "' (" + spec.type() + "): logits must be [batch, classes], got " + prediction);
      }
      if (target.elementCount() != batch) {
        throw new IllegalArgumentException("loss '" + spec.name() + "': labels " + target
            + " are not one per sample of " + batch);
      }
      return TensorData.longs(target, "loss '" + spec.name() + "' target");
    }

    int anchors() {
      if (prediction.rank() != 3) {
        throw new IllegalArgumentException("loss '" + spec.name() + "' (" + spec.type()
            + "): output must be [batch, anchors, values], got " + prediction);
      }
      return (int) prediction.dim(1);
    }

    long[] anchorLabels(Tensor labels) {
      TensorData.requireShape(labels, "loss '" + spec.name() + "' anchor labels", batch, anchors());
      return TensorData.longs(labels, "loss '" + spec.name() + "' anchor labels");
    }
  }
}
