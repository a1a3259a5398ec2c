package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * Fraction of samples whose label is among the {@code k} highest logits.
 *
 * <p>Classes are ranked by logit, highest first, equal logits in class-index order (so {@code k = 1}
 * is exactly {@link Accuracy}'s arg-max). A single-logit output is binary: class 1 when the logit
 * is {@code > 0}. Samples whose label is {@code ignoreIndex} are skipped; other labels outside the
 * classes are an error. With no samples the value is NaN.
 */
public final class TopKAccuracy implements ResamplableMetric {
  private final String output;
  private final String target;
  private final int k;
  private final long ignoreIndex;
  private final String name;
  private final IntList hits = new IntList();

  /**
   * @param k how many of the highest logits count, {@code >= 1}
   * @param ignoreIndex label of samples to skip (-100, as in cross-entropy, by default)
   */
  public TopKAccuracy(String output, String target, int k, long ignoreIndex) {
    this(output + ".top_" + k + "_accuracy", output, target, k, ignoreIndex);
  }

  TopKAccuracy(String name, String output, String target, int k, long ignoreIndex) {
    this.name = Objects.requireNonNull(name, "name is null");
    this.output = Objects.requireNonNull(output, "output is null");
    this.target = Objects.requireNonNull(target, "target is null");
    if (k < 1) {
      throw new IllegalArgumentException("top-k accuracy needs k >= 1, got " + k);
    }
    this.k = k;
    this.ignoreIndex = ignoreIndex;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  public void reset() {
    hits.clear();
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    Tensor logits = Inputs.output(name(), output, outputs, batch);
    int width = Inputs.width(logits);
    int classes = Inputs.classes(logits);
    float[] p = logits.toFloatArray();
    long[] y = Inputs.labels(name(), batch.get(target), batch.size());
    for (int i = 0; i < y.length; i++) {
      if (y[i] == ignoreIndex) {
        continue;
      }
      int label = Inputs.checkLabel(name(), y[i], classes);
      hits.add(rank(p, i, width, label) < k ? 1 : 0);
    }
  }

  /** How many classes rank before {@code label} in row {@code i}. */
  private static int rank(float[] p, int i, int width, int label) {
    if (width == 1) {
      return Inputs.predicted(p, i, 1) == label ? 0 : 1;
    }
    float v = p[i * width + label];
    int before = 0;
    for (int c = 0; c < width; c++) {
      float o = p[i * width + c];
      if (o > v || (o == v && c < label)) {
        before++;
      }
    }
    return before;
  }

  @Override
  public double value() {
    int n = hits.size();
    if (n == 0) {
      return Double.NaN;
    }
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += hits.get(i);
    }
    return (double) s / n;
  }

  @Override
  public int sampleCount() {
    return hits.size();
  }

  @Override
  public double valueOn(int[] indices) {
    if (indices.length == 0) {
      return Double.NaN;
    }
    long s = 0;
    for (int i : indices) {
      s += hits.get(i);
    }
    return (double) s / indices.length;
  }
}
