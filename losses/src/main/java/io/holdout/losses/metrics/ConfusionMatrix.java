package io.holdout.losses.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Counts of (actual class, predicted class) pairs: {@code count(a, p)} samples of class {@code a}
 * were predicted as {@code p}. Immutable.
 *
 * <p>Edge cases: with no samples the accuracy and every average are NaN; a class never predicted
 * has precision 0, a class without samples has recall 0, and a class that is neither a label nor a
 * prediction is left out of macro averages.
 */
public final class ConfusionMatrix {
  private final long[][] counts;

  private ConfusionMatrix(long[][] counts) {
    this.counts = counts;
  }

  /** A matrix of {@code classes} classes from parallel arrays of actual and predicted classes. */
  public static ConfusionMatrix of(int classes, int[] actual, int[] predicted) {
    Objects.requireNonNull(actual, "actual is null");
    Objects.requireNonNull(predicted, "predicted is null");
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          actual.length + " actual classes for " + predicted.length + " predictions");
    }
    long[][] m = new long[classes][classes];
    for (int i = 0; i < actual.length; i++) {
      m[check(actual[i], classes)][check(predicted[i], classes)]++;
    }
    return new ConfusionMatrix(m);
  }

  /** A matrix from counts {@code [actual][predicted]} (copied). */
  public static ConfusionMatrix ofCounts(long[][] counts) {
    int n = counts.length;
    long[][] m = new long[n][];
    for (int a = 0; a < n; a++) {
      if (counts[a].length != n) {
        throw new IllegalArgumentException("confusion counts must be square");
      }
      m[a] = counts[a].clone();
    }
    return new ConfusionMatrix(m);
  }

  private static int check(int c, int classes) {
    if (c < 0 || c >= classes) {
      throw new IllegalArgumentException("class " + c + " outside [0, " + classes + ")");
    }
    return c;
  }

  public int classes() {
    return counts.length;
  }

  /** Samples of class {@code actual} predicted as {@code predicted}. */
  public long count(int actual, int predicted) {
    return counts[actual][predicted];
  }

  /** The counts, {@code [actual][predicted]} (a copy). */
  public long[][] counts() {
    long[][] m = new long[counts.length][];
    for (int a = 0; a < m.length; a++) {
      m[a] = counts[a].clone();
    }
    return m;
  }

  public long total() {
    long n = 0;
    for (long[] row : counts) {
      for (long v : row) {
        n += v;
      }
    }
    return n;
  }

  /** Samples whose label is {@code c} (row sum). */
  public long support(int c) {
    long n = 0;
    for (long v : counts[c]) {
      n += v;
    }
    return n;
  }

  /** Samples predicted as {@code c} (column sum). */
  public long predicted(int c) {
    long n = 0;
    for (long[] row : counts) {
      n += row[c];
    }
    return n;
  }

  /** Trace over total; NaN with no samples. */
  public double accuracy() {
    long n = total();
    if (n == 0) {
      return Double.NaN;
    }
    long right = 0;
    for (int c = 0; c < counts.length; c++) {
      right += counts[c][c];
    }
    return (double) right / n;
  }

  /** Precision, recall and F1 of class {@code c}. */
  public ClassScores scores(int c) {
    long tp = counts[c][c];
    long support = support(c);
    long predicted = predicted(c);
    double p = predicted == 0 ? 0 : (double) tp / predicted;
    double r = support == 0 ? 0 : (double) tp / support;
    return new ClassScores(c, p, r, f1(p, r), support, predicted);
  }

  /** Every class's scores and the macro, micro and weighted averages. */
  public ClassificationReport report() {
    List<ClassScores> list = new ArrayList<>();
    double mp = 0;
    double mr = 0;
    double mf = 0;
    int present = 0;
    double wp = 0;
    double wr = 0;
    double wf = 0;
    long total = total();
    long tp = 0;
    for (int c = 0; c < counts.length; c++) {
      ClassScores s = scores(c);
      list.add(s);
      tp += counts[c][c];
      if (s.present()) {
        present++;
        mp += s.precision();
        mr += s.recall();
        mf += s.f1();
      }
      wp += s.support() * s.precision();
      wr += s.support() * s.recall();
      wf += s.support() * s.f1();
    }
    double nan = Double.NaN;
    Averages macro = present == 0 ? new Averages(nan, nan, nan)
        : new Averages(mp / present, mr / present, mf / present);
    Averages weighted = total == 0 ? new Averages(nan, nan, nan)
        : new Averages(wp / total, wr / total, wf / total);
    double micro = total == 0 ? nan : (double) tp / total;
    return new ClassificationReport(
        list, macro, new Averages(micro, micro, micro), weighted, accuracy(), total);
  }

  private static double f1(double p, double r) {
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /**
   * A text table, rows the actual class and columns the predicted one, headed by class names (or
   * indices when {@code names} is null or too short).
   */
  public String format(List<String> names) {
    int n = counts.length;
    String[] label = new String[n];
    int w = "actual\\predicted".length();
    for (int c = 0; c < n; c++) {
      label[c] = names != null && c < names.size() ? names.get(c) : String.valueOf(c);
      w = Math.max(w, label[c].length());
    }
    int cw = 1;
    for (int c = 0; c < n; c++) {
      cw = Math.max(cw, label[c].length());
      for (long v : counts[c]) {
        cw = Math.max(cw, String.valueOf(v).length());
      }
    }
    StringBuilder sb = new StringBuilder(pad("actual\\predicted", w));
    for (int c = 0; c < n; c++) {
      sb.append("  ").append(padLeft(label[c], cw));
    }
    for (int a = 0; a < n; a++) {
      sb.append('\n').append(pad(label[a], w));
      for (int p = 0; p < n; p++) {
        sb.append("  ").append(padLeft(String.valueOf(counts[a][p]), cw));
      }
    }
    return sb.toString();
  }

  private static String pad(String s, int w) {
    return String.format(Locale.ROOT, "%-" + w + "s", s);
  }

  private static String padLeft(String s, int w) {
    return String.format(Locale.ROOT, "%" + w + "s", s);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfusionMatrix m && java.util.Arrays.deepEquals(counts, m.counts);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.deepHashCode(counts);
  }

  @Override
  public String toString() {
    return format(null);
  }
}
