package io.holdout.losses.reference;

import java.util.Objects;

/**
 * Classification losses on logits, in double precision: softmax cross-entropy (PyTorch semantics),
 * softmax focal loss and binary cross-entropy with logits, each with the gradient of its summed
 * numerator w.r.t. the logits.
 */
public final class ReferenceClassification {
  private ReferenceClassification() {}

  /** Log-softmax of one row of logits, computed stably (max subtracted first). */
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
   * Softmax cross-entropy terms. Per sample {@code l_i = (1-ε)·w_y·(-log p_y) + (ε/C)·Σ_c
   * w_c·(-log p_c)} with denominator {@code w_y}; a sample whose label is {@code ignoreIndex} has
   * numerator and denominator 0.
   *
   * @param weights class weights (length {@code classes}), or null for all 1
   * @param smoothing label smoothing ε in [0, 1]
   */
  public static LossTerms crossEntropy(
      float[] logits, int classes, long[] labels, double[] weights, double smoothing, long ignoreIndex) {
    checkLogits("cross_entropy", logits, classes, labels, weights);
    double[] num = new double[labels.length];
    double[] den = new double[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == ignoreIndex) {
        continue;
      }
      int y = label("cross_entropy", labels[i], classes);
      double[] lp = logSoftmax(logits, i * classes, classes);
      double wy = w(weights, y);
      double l = (1 - smoothing) * wy * -lp[y];
      if (smoothing > 0) {
        double s = 0;
        for (int c = 0; c < classes; c++) {
          s += w(weights, c) * -lp[c];
        }
        l += smoothing / classes * s;
      }
      num[i] = l;
      den[i] = wy;
    }
    return new LossTerms(num, den);
  }

  /**
   * Gradient of {@code Σ l_i} (see {@link #crossEntropy}) w.r.t. the logits: per row {@code
   * (1-ε)·w_y·(p_j - [j=y]) + (ε/C)·(W·p_j - w_j)}, {@code W = Σ_c w_c}; 0 for ignored rows.
   */
  public static double[] crossEntropyNumeratorGrad(
      float[] logits, int classes, long[] labels, double[] weights, double smoothing, long ignoreIndex) {
    checkLogits("cross_entropy", logits, classes, labels, weights);
    double wSum = 0;
    for (int c = 0; c < classes; c++) {
      wSum += w(weights, c);
    }
    double[] g = new double[logits.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == ignoreIndex) {
        continue;
      }
      int y = label("cross_entropy", labels[i], classes);
      double[] lp = logSoftmax(logits, i * classes, classes);
      double wy = w(weights, y);
      for (int j = 0; j < classes; j++) {
        double p = Math.exp(lp[j]);
        g[i * classes + j] = (1 - smoothing) * wy * (p - (j == y ? 1 : 0))
            + smoothing / classes * (wSum * p - w(weights, j));
      }
    }
    return g;
  }

  /**
   * Softmax focal loss terms: per sample {@code -α_y·(1 - p_y)^γ·log p_y}, denominator 1.
   *
   * @param alpha per-class weights, or null for all 1
   */
  public static LossTerms focal(float[] logits, int classes, long[] labels, double gamma, double[] alpha) {
    checkLogits("focal", logits, classes, labels, alpha);
    double[] num = new double[labels.length];
    double[] den = new double[labels.length];
    for (int i = 0; i < labels.length; i++) {
      int y = label("focal", labels[i], classes);
      double lpy = logSoftmax(logits, i * classes, classes)[y];
      double q = Math.exp(lpy);
      num[i] = -w(alpha, y) * Math.pow(1 - q, gamma) * lpy;
      den[i] = 1;
    }
    return new LossTerms(num, den);
  }

  /**
   * Gradient of {@code Σ} focal loss w.r.t. the logits. With {@code q = p_y}: {@code dl/dz_j =
   * α_y·([j=y] - p_j)·(γ·q·(1-q)^(γ-1)·log q - (1-q)^γ)}.
   */
  public static double[] focalNumeratorGrad(
      float[] logits, int classes, long[] labels, double gamma, double[] alpha) {
    checkLogits("focal", logits, classes, labels, alpha);
    double[] g = new double[logits.length];
    for (int i = 0; i < labels.length; i++) {
      int y = label("focal", labels[i], classes);
      double[] lp = logSoftmax(logits, i * classes, classes);
      double q = Math.exp(lp[y]);
      double oneMinus = 1 - q;
      double inner = (oneMinus == 0 ? 0 : gamma * q * Math.pow(oneMinus, gamma - 1) * lp[y])
          - Math.pow(oneMinus, gamma);
      for (int j = 0; j < classes; j++) {
        g[i * classes + j] = w(alpha, y) * ((j == y ? 1 : 0) - Math.exp(lp[j])) * inner;
      }
    }
    return g;
  }

  /**
   * Binary cross-entropy with logits: per element {@code pos_weight·t·softplus(-x) +
   * (1-t)·softplus(x)}, which for {@code pos_weight = 1} is {@code max(x,0) - x·t +
   * log(1+exp(-|x|))}. Each sample's denominator is its number of elements.
   */
  public static LossTerms binaryCrossEntropy(float[] logits, float[] targets, int batch, double posWeight) {
    checkBinary(logits, targets, batch);
    int per = batch == 0 ? 0 : logits.length / batch;
    double[] num = new double[batch];
    double[] den = new double[batch];
    for (int i = 0; i < batch; i++) {
      for (int j = i * per; j < (i + 1) * per; j++) {
        double x = logits[j];
        double t = targets[j];
        num[i] += posWeight * t * softplus(-x) + (1 - t) * softplus(x);
      }
      den[i] = per;
    }
    return new LossTerms(num, den);
  }

  /** Gradient of the summed binary cross-entropy: {@code -pos_weight·t·σ(-x) + (1-t)·σ(x)}. */
  public static double[] binaryCrossEntropyNumeratorGrad(float[] logits, float[] targets, double posWeight) {
    checkBinary(logits, targets, 1);
    double[] g = new double[logits.length];
    for (int j = 0; j < logits.length; j++) {
      double x = logits[j];
      double t = targets[j];
      g[j] = -posWeight * t * sigmoid(-x) + (1 - t) * sigmoid(x);
    }
    return g;
  }

  /** {@code log(1 + exp(x))}, stably. */
  public static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  private static double w(double[] weights, int c) {
    return weights == null ? 1 : weights[c];
  }

  static int label(String loss, long y, int classes) {
    if (y < 0 || y >= classes) {
      throw new IllegalArgumentException(loss + ": label " + y + " outside [0, " + classes + ")");
    }
    return (int) y;
  }

  private static void checkLogits(String loss, float[] logits, int classes, long[] labels, double[] weights) {
    Objects.requireNonNull(logits, "logits is null");
    Objects.requireNonNull(labels, "labels is null");
    if (classes <= 0 || logits.length != (long) labels.length * classes) {
      throw new IllegalArgumentException(loss + ": " + logits.length + " logits are not ["
          + labels.length + ", " + classes + "]");
    }
    if (weights != null && weights.length != classes) {
      throw new IllegalArgumentException(
          loss + ": " + weights.length + " class weights for " + classes + " classes");
    }
  }

  private static void checkBinary(float[] logits, float[] targets, int batch) {
    Objects.requireNonNull(logits, "logits is null");
    Objects.requireNonNull(targets, "targets is null");
    if (logits.length != targets.length) {
      throw new IllegalArgumentException("binary_cross_entropy: " + logits.length
          + " logits for " + targets.length + " targets");
    }
    if (batch > 0 && logits.length % batch != 0) {
      throw new IllegalArgumentException("binary_cross_entropy: " + logits.length
          + " logits do not split into " + batch + " samples");
    }
  }
}
