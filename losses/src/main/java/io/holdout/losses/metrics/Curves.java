package io.holdout.losses.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * Areas under ranking curves of scores against binary labels.
 *
 * <ul>
 *   <li>ROC-AUC: the probability that a random positive scores above a random negative, a tie
 *       counting one half (Mann–Whitney U over P·N, computed with mid-ranks); equal to the
 *       trapezoidal area under the ROC curve with tied scores as one threshold. NaN when there is no
 *       positive or no negative.
 *   <li>PR-AUC: average precision, {@code Σ_n (R_n - R_{n-1})·P_n} over thresholds at each distinct
 *       score, highest first (a step function, no interpolation). NaN when there is no positive; 1
 *       when every sample is positive.
 * </ul>
 *
 * <p>Any NaN score makes both NaN.
 */
public final class Curves {
  private Curves() {}

  /** ROC-AUC of {@code scores} for {@code positive} labels. */
  public static double rocAuc(double[] scores, boolean[] positive) {
    check(scores, positive);
    int n = scores.length;
    long pos = 0;
    for (boolean p : positive) {
      pos += p ? 1 : 0;
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0 || hasNaN(scores)) {
      return Double.NaN;
    }
    Integer[] order = sortedBy(scores, false);
    double rankSum = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double midRank = (i + 1 + j + 1) / 2.0;
      for (int k = i; k <= j; k++) {
        if (positive[order[k]]) {
          rankSum += midRank;
        }
      }
      i = j + 1;
    }
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** Average precision (PR-AUC) of {@code scores} for {@code positive} labels. */
  public static double averagePrecision(double[] scores, boolean[] positive) {
    check(scores, positive);
    int n = scores.length;
    long pos = 0;
    for (boolean p : positive) {
      pos += p ? 1 : 0;
    }
    if (pos == 0 || hasNaN(scores)) {
      return Double.NaN;
    }
    Integer[] order = sortedBy(scores, true);
    long tp = 0;
    long seen = 0;
    double prevRecall = 0;
    double ap = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      for (int k = i; k <= j; k++) {
        tp += positive[order[k]] ? 1 : 0;
      }
      seen += j - i + 1;
      double recall = (double) tp / pos;
      ap += (recall - prevRecall) * ((double) tp / seen);
      prevRecall = recall;
      i = j + 1;
    }
    return ap;
  }

  private static Integer[] sortedBy(double[] scores, boolean descending) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Comparator<Integer> c = Comparator.comparingDouble(i -> scores[i]);
    Arrays.sort(order, descending ? c.reversed() : c);
    return order;
  }

  private static boolean hasNaN(double[] scores) {
    for (double s : scores) {
      if (Double.isNaN(s)) {
        return true;
      }
    }
    return false;
  }

  private static void check(double[] scores, boolean[] positive) {
    Objects.requireNonNull(scores, "scores is null");
    Objects.requireNonNull(positive, "labels is null");
    if (scores.length != positive.length) {
      throw new IllegalArgumentException(scores.length + " scores for " + positive.length + " labels");
    }
  }
}
