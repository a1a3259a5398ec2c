package io.holdout.losses.metrics;

/**
 * Precision, recall and F1 of one class, with how many samples have it ({@code support}) and how
 * many were predicted as it. Precision is 0 when the class was never predicted, recall 0 when it
 * has no samples, F1 0 when both are 0.
 */
public record ClassScores(
    int label, double precision, double recall, double f1, long support, long predicted) {
  /** Whether the class occurs among the labels or the predictions (and so counts in macro averages). */
  public boolean present() {
    return support > 0 || predicted > 0;
  }
}
