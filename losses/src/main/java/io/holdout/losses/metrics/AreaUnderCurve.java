package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * ROC-AUC or PR-AUC (average precision, see {@link Curves}) of a classifier's outputs, kept per
 * sample until {@link #reset()}.
 *
 * <p>The task is read from the shapes:
 *
 * <ul>
 *   <li>one logit per sample and a 0/1 label: binary, scored by the logit;
 *   <li>two logits and a 0/1 label: binary, scored by {@code logit1 - logit0} (the same ranking as
 *       the softmax probability of class 1);
 *   <li>{@code C > 2} logits and a class label: one-vs-rest, class {@code c} scored by its softmax
 *       probability;
 *   <li>{@code K > 1} logits and float targets of the same shape: multi-label, column {@code k}
 *       scored by its logit against targets 0/1.
 * </ul>
 *
 * <p>Binary tasks report class 1. Otherwise the value is the macro average over classes, leaving
 * out classes where the area is undefined (no positive, or for ROC no negative); NaN when no class
 * is left. With {@code classIndex >= 0} the value is that class's area alone. Labels equal to the
 * ignore index are skipped.
 */
public final class AreaUnderCurve implements ResamplableMetric {
  /** Which curve. */
  public enum Curve {
    ROC,
    PR
  }

  private final Curve curve;
  private final String output;
  private final String target;
  private final int classIndex;
  private final long ignoreIndex;
  private final DoubleList scores = new DoubleList();
  private final IntList labels = new IntList();
  private int columns = -1;
  private boolean multiLabel;
  private boolean binary;

  /**
   * @param classIndex report this class only, or -1 for class 1 (binary) / the macro average
   * @param ignoreIndex label of samples to skip
   */
  public AreaUnderCurve(Curve curve, String output, String target, int classIndex, long ignoreIndex) {
    this.curve = Objects.requireNonNull(curve, "curve is null");
    this.output = Objects.requireNonNull(output, "output is null");
    this.target = Objects.requireNonNull(target, "target is null");
    this.classIndex = classIndex;
    this.ignoreIndex = ignoreIndex;
  }

  @Override
  public String name() {
    String base = output + (curve == Curve.ROC ? ".roc_auc" : ".pr_auc");
    return classIndex >= 0 ? base + "_class_" + classIndex : base;
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  public void reset() {
    scores.clear();
    labels.clear();
    columns = -1;
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    Tensor logits = Inputs.output(name(), output, outputs, batch);
    Tensor t = batch.get(target);
    int width = Inputs.width(logits);
    boolean multi = width > 1 && t.dtype() == DType.FLOAT32
        && t.elementCount() == logits.elementCount();
    int cols = multi ? width : (width <= 2 ? 1 : width);
    if (columns >= 0 && (cols != columns || multi != multiLabel)) {
      throw new IllegalArgumentException(name() + ": output " + logits + " does not match earlier batches");
    }
    columns = cols;
    multiLabel = multi;
    binary = !multi && width <= 2;
    int classes = multi ? width : Inputs.classes(logits);
    if (classIndex >= classes) {
      throw new IllegalArgumentException(name() + ": class " + classIndex + " outside [0, " + classes + ")");
    }
    float[] p = logits.toFloatArray();
    if (multi) {
      float[] y = t.toFloatArray();
      for (int j = 0; j < y.length; j++) {
        if (y[j] != 0 && y[j] != 1) {
          throw new IllegalArgumentException(name() + ": multi-label target holds " + y[j] + ", not 0 or 1");
        }
        scores.add(p[j]);
        labels.add((int) y[j]);
      }
      return;
    }
    long[] y = Inputs.labels(name(), t, batch.size());
    for (int i = 0; i < y.length; i++) {
      if (y[i] == ignoreIndex) {
        continue;
      }
      labels.add(Inputs.checkLabel(name(), y[i], classes));
      if (width == 1) {
        scores.add(p[i]);
      } else if (width == 2) {
        scores.add((double) p[2 * i + 1] - p[2 * i]);
      } else {
        double[] lp = softmax(p, i * width, width);
        for (double v : lp) {
          scores.add(v);
        }
      }
    }
  }

  @Override
  public double value() {
    return valueOn(null);
  }

  /**
   * The area of each class (one-vs-rest or per label; NaN where undefined); for a binary task {@code
   * [class 0, class 1]}, class 0 scored by the negated score.
   */
  public double[] perClass() {
    return perClass(null);
  }

  @Override
  public int sampleCount() {
    return columns <= 0 ? 0 : (multiLabel ? labels.size() / columns : labels.size());
  }

  @Override
  public double valueOn(int[] indices) {
    if (sampleCount() == 0 || (indices != null && indices.length == 0)) {
      return Double.NaN;
    }
    if (classIndex >= 0) {
      return perClass(indices)[classIndex];
    }
    if (binary) {
      return perClass(indices)[1];
    }
    double sum = 0;
    int defined = 0;
    for (double v : perClass(indices)) {
      if (!Double.isNaN(v)) {
        sum += v;
        defined++;
      }
    }
    return defined == 0 ? Double.NaN : sum / defined;
  }

  private double[] perClass(int[] indices) {
    int n = indices == null ? sampleCount() : indices.length;
    if (binary) {
      double[] s = new double[n];
      double[] neg = new double[n];
      boolean[] one = new boolean[n];
      boolean[] zero = new boolean[n];
      for (int i = 0; i < n; i++) {
        int j = indices == null ? i : indices[i];
        s[i] = scores.get(j);
        neg[i] = -s[i];
        one[i] = labels.get(j) == 1;
        zero[i] = !one[i];
      }
      return new double[] {area(neg, zero), area(s, one)};
    }
    double[] out = new double[columns];
    for (int c = 0; c < columns; c++) {
      double[] s = new double[n];
      boolean[] positive = new boolean[n];
      for (int i = 0; i < n; i++) {
        int j = indices == null ? i : indices[i];
        s[i] = scores.get(j * columns + c);
        positive[i] = multiLabel ? labels.get(j * columns + c) == 1 : labels.get(j) == c;
      }
      out[c] = area(s, positive);
    }
    return out;
  }

  private double area(double[] s, boolean[] positive) {
    return curve == Curve.ROC ? Curves.rocAuc(s, positive) : Curves.averagePrecision(s, positive);
  }

  private static double[] softmax(float[] p, int offset, int width) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < width; c++) {
      max = Math.max(max, p[offset + c]);
    }
    double[] out = new double[width];
    double sum = 0;
    for (int c = 0; c < width; c++) {
      out[c] = Math.exp(p[offset + c] - max);
      sum += out[c];
    }
    for (int c = 0; c < width; c++) {
      out[c] /= sum;
    }
    return out;
  }
}
