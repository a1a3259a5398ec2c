package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Scores read off the confusion matrix of arg-max predictions: the {@code confusion_matrix} itself
 * (headline value: accuracy) or {@code precision}, {@code recall} or {@code f1}, either averaged
 * ({@code macro}, {@code micro}, {@code weighted}) or of one class. The full {@link
 * ClassificationReport}, confusion matrix included, is in {@link #report()}.
 *
 * <p>Predictions follow {@link Accuracy}: arg-max with ties to the lowest index, a single logit
 * binary at {@code > 0}. Labels equal to the ignore index are skipped; other labels outside the
 * classes are an error. With no samples every value is NaN.
 */
public final class ClassificationMetric implements DetailedMetric<ConfusionMatrix>, ResamplableMetric {
  /** Which number {@link #value()} reports. */
  public enum Score {
    /** The confusion matrix; its value is the accuracy. */
    CONFUSION_MATRIX,
    PRECISION,
    RECALL,
    F1
  }

  /** How per-class scores are combined. */
  public enum Average {
    MACRO,
    MICRO,
    WEIGHTED
  }

  private final Score score;
  private final Average average;
  private final int classIndex;
  private final String output;
  private final String target;
  private final long ignoreIndex;
  private final IntList actual = new IntList();
  private final IntList predicted = new IntList();
  private int classes = -1;

  /**
   * @param average how to combine classes; ignored when {@code classIndex >= 0}
   * @param classIndex report this class only, or -1 for an average
   * @param ignoreIndex label of samples to skip
   */
  public ClassificationMetric(
      Score score, String output, String target, Average average, int classIndex, long ignoreIndex) {
    this.score = Objects.requireNonNull(score, "score is null");
    this.output = Objects.requireNonNull(output, "output is null");
    this.target = Objects.requireNonNull(target, "target is null");
    this.average = Objects.requireNonNull(average, "average is null");
    this.classIndex = classIndex;
    this.ignoreIndex = ignoreIndex;
  }

  @Override
  public String name() {
    String base = output + "." + score.name().toLowerCase(Locale.ROOT);
    if (score == Score.CONFUSION_MATRIX) {
      return base;
    }
    if (classIndex >= 0) {
      return base + "_class_" + classIndex;
    }
    return average == Average.MACRO ? base : base + "_" + average.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  public void reset() {
    actual.clear();
    predicted.clear();
    classes = -1;
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    Tensor logits = Inputs.output(name(), output, outputs, batch);
    int width = Inputs.width(logits);
    int c = Inputs.classes(logits);
    if (classes >= 0 && c != classes) {
      throw new IllegalArgumentException(
          name() + ": output has " + c + " classes, earlier batches had " + classes);
    }
    classes = c;
    if (classIndex >= classes) {
      throw new IllegalArgumentException(
          name() + ": class " + classIndex + " outside [0, " + classes + ")");
    }
    float[] p = logits.toFloatArray();
    long[] y = Inputs.labels(name(), batch.get(target), batch.size());
    for (int i = 0; i < y.length; i++) {
      if (y[i] == ignoreIndex) {
        continue;
      }
      actual.add(Inputs.checkLabel(name(), y[i], classes));
      predicted.add(Inputs.predicted(p, i, width));
    }
  }

  /** The confusion matrix of everything added; with nothing added, a 0×0 matrix. */
  @Override
  public ConfusionMatrix detail() {
    return matrix(null);
  }

  /** Per-class scores and averages of everything added. */
  public ClassificationReport report() {
    return detail().report();
  }

  @Override
  public double value() {
    return valueOf(detail());
  }

  @Override
  public int sampleCount() {
    return actual.size();
  }

  @Override
  public double valueOn(int[] indices) {
    return valueOf(matrix(indices));
  }

  private ConfusionMatrix matrix(int[] indices) {
    int n = indices == null ? actual.size() : indices.length;
    int[] a = new int[n];
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      int j = indices == null ? i : indices[i];
      a[i] = actual.get(j);
      p[i] = predicted.get(j);
    }
    return ConfusionMatrix.of(Math.max(classes, 0), a, p);
  }

  private double valueOf(ConfusionMatrix m) {
    if (m.total() == 0) {
      return Double.NaN;
    }
    if (score == Score.CONFUSION_MATRIX) {
      return m.accuracy();
    }
    if (classIndex >= 0) {
      ClassScores s = m.scores(classIndex);
      return pick(s.precision(), s.recall(), s.f1());
    }
    ClassificationReport r = m.report();
    Averages avg = switch (average) {
      case MACRO -> r.macro();
      case MICRO -> r.micro();
      case WEIGHTED -> r.weighted();
    };
    return pick(avg.precision(), avg.recall(), avg.f1());
  }

  private double pick(double precision, double recall, double f1) {
    return switch (score) {
      case PRECISION -> precision;
      case RECALL -> recall;
      case F1 -> f1;
      case CONFUSION_MATRIX -> throw new IllegalStateException();
    };
  }
}
