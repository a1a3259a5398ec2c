package io.holdout.losses.reference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The two terms of SSD's MultiBox loss over {@code B} images of {@code A} anchors each.
 *
 * <p>Labels are {@code [B, A]}: 0 is background, {@code > 0} an object class; negative labels are an
 * error. An anchor is positive when its label is {@code > 0}. Each image's denominator is its number
 * of positive anchors, so {@code mean} divides the batch's sum by {@code N}, the number of positive
 * anchors in the whole batch (and is 0 when {@code N} is 0).
 *
 * <ul>
 *   <li>Localisation: smooth L1 (beta 1) summed over the 4 coordinates of every positive anchor.
 *   <li>Confidence: {@code CE_a = -log softmax(conf_a)[label_a]} summed over positive anchors and
 *       the hard-mined negatives of each image.
 * </ul>
 *
 * <p>Hard-negative mining, per image: negatives (label 0) are ranked by their background loss
 * {@code -log softmax(conf_a)[0]}, highest first, ties broken by the lower anchor index first; the
 * first {@code k = min(floor(ratio · positives), negatives)} are kept. An image without positives
 * keeps no negatives.
 */
public final class ReferenceMultiBox {
  private ReferenceMultiBox() {}

  /** Localisation terms: {@code loc} and {@code target} are {@code [B, A, 4]}, labels {@code [B, A]}. */
  public static LossTerms loc(float[] loc, float[] target, long[] labels, int batch, int anchors) {
    checkBoxes(loc, target, labels, batch, anchors);
    double[] num = new double[batch];
    double[] den = new double[batch];
    for (int b = 0; b < batch; b++) {
      for (int a = 0; a < anchors; a++) {
        int anchor = b * anchors + a;
        if (positive(labels[anchor])) {
          den[b]++;
          for (int k = 0; k < 4; k++) {
            num[b] += ReferenceRegression.Kind.SMOOTH_L1.value(
                (double) loc[anchor * 4 + k] - target[anchor * 4 + k], 1.0);
          }
        }
      }
    }
    return new LossTerms(num, den);
  }

  /** Gradient of the summed localisation term w.r.t. {@code loc}; 0 at negative anchors. */
  public static double[] locNumeratorGrad(float[] loc, float[] target, long[] labels, int batch, int anchors) {
    checkBoxes(loc, target, labels, batch, anchors);
    double[] g = new double[loc.length];
    for (int anchor = 0; anchor < labels.length; anchor++) {
      if (positive(labels[anchor])) {
        for (int k = 0; k < 4; k++) {
          int j = anchor * 4 + k;
          g[j] = ReferenceRegression.Kind.SMOOTH_L1.derivative((double) loc[j] - target[j], 1.0);
        }
      }
    }
    return g;
  }

  /**
   * Confidence terms: {@code conf} is {@code [B, A, classes]} logits ({@code classes} counts the
   * background), labels {@code [B, A]}.
   *
   * @param negPosRatio negatives kept per positive, per image
   */
  public static LossTerms conf(
      float[] conf, long[] labels, int batch, int anchors, int classes, double negPosRatio) {
    boolean[] kept = selected(conf, labels, batch, anchors, classes, negPosRatio);
    double[] num = new double[batch];
    double[] den = new double[batch];
    for (int b = 0; b < batch; b++) {
      for (int a = 0; a < anchors; a++) {
        int anchor = b * anchors + a;
        if (positive(labels[anchor])) {
          den[b]++;
        }
        if (kept[anchor]) {
          num[b] += -ReferenceClassification.logSoftmax(conf, anchor * classes, classes)[
              (int) labels[anchor]];
        }
      }
    }
    return new LossTerms(num, den);
  }

  /** Gradient of the summed confidence term w.r.t. {@code conf}: softmax − one-hot at kept anchors. */
  public static double[] confNumeratorGrad(
      float[] conf, long[] labels, int batch, int anchors, int classes, double negPosRatio) {
    boolean[] kept = selected(conf, labels, batch, anchors, classes, negPosRatio);
    double[] g = new double[conf.length];
    for (int anchor = 0; anchor < labels.length; anchor++) {
      if (kept[anchor]) {
        double[] lp = ReferenceClassification.logSoftmax(conf, anchor * classes, classes);
        for (int c = 0; c < classes; c++) {
          g[anchor * classes + c] = Math.exp(lp[c]) - (c == labels[anchor] ? 1 : 0);
        }
      }
    }
    return g;
  }

  /**
   * Which anchors count in the confidence term ({@code [B·A]}): every positive and the mined
   * negatives. Exposed so backend tests can compare their mining with the reference.
   */
  public static boolean[] selected(
      float[] conf, long[] labels, int batch, int anchors, int classes, double negPosRatio) {
    Objects.requireNonNull(conf, "conf is null");
    Objects.requireNonNull(labels, "labels is null");
    if (labels.length != (long) batch * anchors || conf.length != (long) labels.length * classes) {
      throw new IllegalArgumentException("multibox_conf: conf of " + conf.length + " and labels of "
          + labels.length + " values are not [" + batch + ", " + anchors + ", " + classes + "] and ["
          + batch + ", " + anchors + "]");
    }
    if (!(negPosRatio >= 0)) {
      throw new IllegalArgumentException("multibox_conf: neg_pos_ratio must be >= 0, got " + negPosRatio);
    }
    boolean[] kept = new boolean[labels.length];
    for (int b = 0; b < batch; b++) {
      int positives = 0;
      List<double[]> negatives = new ArrayList<>();
      for (int a = 0; a < anchors; a++) {
        int anchor = b * anchors + a;
        long y = labels[anchor];
        if (y < 0 || y >= classes) {
          throw new IllegalArgumentException("multibox_conf: label " + y + " of image " + b
              + ", anchor " + a + " outside [0, " + classes + ")");
        }
        if (y > 0) {
          positives++;
          kept[anchor] = true;
        } else {
          double background = -ReferenceClassification.logSoftmax(conf, anchor * classes, classes)[0];
          negatives.add(new double[] {background, anchor});
        }
      }
      long k = Math.min((long) Math.floor(negPosRatio * positives), negatives.size());
      negatives.sort(Comparator.<double[]>comparingDouble(n -> -n[0]).thenComparingDouble(n -> n[1]));
      for (int i = 0; i < k; i++) {
        kept[(int) negatives.get(i)[1]] = true;
      }
    }
    return kept;
  }

  private static boolean positive(long label) {
    if (label < 0) {
      throw new IllegalArgumentException("multibox: negative label " + label);
    }
    return label > 0;
  }

  private static void checkBoxes(float[] loc, float[] target, long[] labels, int batch, int anchors) {
    Objects.requireNonNull(loc, "loc is null");
    Objects.requireNonNull(target, "target is null");
    Objects.requireNonNull(labels, "labels is null");
    long n = (long) batch * anchors;
    if (labels.length != n || loc.length != n * 4 || target.length != n * 4) {
      throw new IllegalArgumentException("multibox_loc: loc (" + loc.length + " values), target ("
          + target.length + ") and labels (" + labels.length + ") are not [" + batch + ", " + anchors
          + ", 4], [" + batch + ", " + anchors + ", 4] and [" + batch + ", " + anchors + "]");
    }
  }
}
