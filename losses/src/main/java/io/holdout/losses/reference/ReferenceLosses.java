package io.holdout.losses.reference;

import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/**
 * Pure-Java reference implementations of the loss catalogue, in double precision. They are the
 * oracle every backend's tests compare against; they are written for clarity, not speed.
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
    Tensor prediction = outputs.get(c.output());
    Tensor target = batch.get(c.target());
    return switch (c.type()) {
      case "mse" -> mse(prediction.toFloatArray(), floats(target));
      case "cross_entropy" -> crossEntropy(
          prediction.toFloatArray(), (int) prediction.dim(1), target.toLongArray(), classWeights(c),
          c.param("label_smoothing", 0.0), (long) c.param("ignore_index", -100));
      default -> throw new IllegalArgumentException("no reference for loss type " + c.type());
    };
  }

  static float[] floats(Tensor t) {
    if (t.dtype() == DType.FLOAT32) {
      return t.toFloatArray();
    }
    long[] l = t.toLongArray();
    float[] f = new float[l.length];
    for (int i = 0; i < l.length; i++) {
      f[i] = l[i];
    }
    return f;
  }

  static double[] classWeights(LossComponentSpec c) {
    Object w = c.params().get("class_weights");
    if (w == null) {
      return null;
    }
    java.util.List<?> list = (java.util.List<?>) w;
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).doubleValue();
    }
    return out;
  }

  /** Mean of squared differences over all elements. */
  public static double mse(float[] pred, float[] target) {
    check(pred.length == target.length, "mse: prediction and target sizes differ");
    double s = 0;
    for (int i = 0; i < pred.length; i++) {
      double d = (double) pred[i] - target[i];
      s += d * d;
    }
    return s / pred.length;
  }

  /** Gradient of {@link #mse} with respect to the prediction: {@code 2 (p - t) / n}. */
  public static double[] mseGrad(float[] pred, float[] target) {
    double[] g = new double[pred.length];
    for (int i = 0; i < pred.length; i++) {
      g[i] = 2.0 * ((double) pred[i] - target[i]) / pred.length;
    }
    return g;
  }

  /** Log-softmax of one row of logits, computed stably. */
  public static double[] logSoftmax(float[] logits, int offset, int classes) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      max = Math.max(max, logits[offset + c]);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      sum += Math.exp(logits[offset + c] - max);
    }
    double lse = max + Math.log(sum);
    double[] out = new double[classes];
    for (int c = 0; c < classes; c++) {
      out[c] = logits[offset + c] - lse;
    }
    return out;
  }

  /**
   * Softmax cross-entropy, PyTorch semantics: per sample {@code (1-ε)·(-log p_y) + ε·mean_c(-log
   * p_c)}, each weighted by {@code w_y}; the mean divides by the sum of {@code w_y} over samples not
   * ignored (by their count without weights).
   *
   * @param weights class weights, or null for all 1
   * @param smoothing label smoothing ε in [0, 1)
   * @param ignoreIndex samples with this label are left out
   */
  public static double crossEntropy(
      float[] logits, int classes, long[] labels, double[] weights, double smoothing, long ignoreIndex) {
    check(logits.length == labels.length * classes, "cross_entropy: logits are not [batch, classes]");
    double num = 0;
    double den = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == ignoreIndex) {
        continue;
      }
      int y = (int) labels[i];
      check(y >= 0 && y < classes, "cross_entropy: label " + y + " outside [0, " + classes + ")");
      double[] lp = logSoftmax(logits, i * classes, classes);
      double nll = -lp[y];
      double loss = nll;
      if (smoothing > 0) {
        double smooth = 0;
        for (int c = 0; c < classes; c++) {
          smooth += -lp[c] * (weights == null ? 1 : weights[c]);
        }
        smooth /= classes;
        double wy = weights == null ? 1 : weights[y];
        // PyTorch: weighted nll part uses w_y; smoothing part uses per-class weights
        num += (1 - smoothing) * wy * nll + smoothing * smooth;
        den += wy;
        continue;
      }
      double w = weights == null ? 1 : weights[y];
      num += w * loss;
      den += w;
    }
    return den == 0 ? Double.NaN : num / den;
  }

  /** Gradient of unweighted, unsmoothed mean cross-entropy w.r.t. the logits: (softmax - onehot)/n. */
  public static double[] crossEntropyGrad(float[] logits, int classes, long[] labels) {
    int n = labels.length;
    double[] g = new double[logits.length];
    for (int i = 0; i < n; i++) {
      double[] lp = logSoftmax(logits, i * classes, classes);
      for (int c = 0; c < classes; c++) {
        g[i * classes + c] = (Math.exp(lp[c]) - (c == labels[i] ? 1 : 0)) / n;
      }
    }
    return g;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
