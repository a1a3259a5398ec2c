package io.holdout.datasets.split;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Split;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The share of samples each part of a split gets, e.g. train 0.7 / val 0.15 / test 0.15. Shares are
 * finite, in {@code [0, 1]}, sum to 1 within 1e-6, and include a positive {@code train}; a part
 * with share 0 is allowed (it stays empty).
 *
 * <p><b>Remainder rule</b> ({@link #allocate}): part {@code p} of {@code n} samples first gets
 * {@code floor(share_p * n)}; the samples left over go one each to the parts with the largest
 * fractional remainders, ties to the part declared first. So the sizes sum to {@code n} and each is
 * within one sample of {@code share * n}.
 */
public record Ratios(Map<String, Double> shares) {
  /** Tolerance on the sum of the shares. */
  public static final double TOLERANCE = 1e-6;

  public Ratios {
    Objects.requireNonNull(shares, "shares is null");
    shares = Collections.unmodifiableMap(new LinkedHashMap<>(shares));
    double sum = 0;
    StringBuilder listed = new StringBuilder();
    for (Map.Entry<String, Double> e : shares.entrySet()) {
      double v = Objects.requireNonNull(e.getValue(), "share of " + e.getKey() + " is null");
      if (!Double.isFinite(v) || v < 0 || v > 1) {
        throw new HoldoutException(
            "split ratio of '" + e.getKey() + "' is " + v + "; ratios are between 0 and 1");
      }
      sum += v;
      listed.append(listed.length() == 0 ? "" : " + ").append(e.getKey()).append(' ').append(v);
    }
    if (Math.abs(sum - 1) > TOLERANCE) {
      throw new HoldoutException(
          "split ratios sum to "
              + new java.math.BigDecimal(sum)
                  .round(new java.math.MathContext(9))
                  .stripTrailingZeros()
                  .toPlainString()
              + " ("
              + listed
              + "), not 1");
    }
    Double train = shares.get(Split.TRAIN);
    if (train == null || train <= 0) {
      throw new HoldoutException(
          "split ratios need a positive '" + Split.TRAIN + "' share: " + listed);
    }
  }

  /** train / val / test. */
  public static Ratios of(double train, double val, double test) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(Split.TRAIN, train);
    m.put(Split.VAL, val);
    m.put(Split.TEST, test);
    return new Ratios(m);
  }

  /** train / val. */
  public static Ratios of(double train, double val) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(Split.TRAIN, train);
    m.put(Split.VAL, val);
    return new Ratios(m);
  }

  /** Part sizes for {@code n} samples, in declaration order, by the remainder rule. */
  public int[] allocate(int n) {
    double[] exact = new double[shares.size()];
    int i = 0;
    for (double v : shares.values()) {
      exact[i++] = v * n;
    }
    return largestRemainder(exact, n);
  }

  static int[] largestRemainder(double[] exact, int n) {
    int k = exact.length;
    int[] sizes = new int[k];
    int given = 0;
    for (int i = 0; i < k; i++) {
      sizes[i] = (int) Math.floor(exact[i] + 1e-9);
      given += sizes[i];
    }
    while (given > n) { // only through rounding noise
      int j = 0;
      for (int i = 1; i < k; i++) {
        if (sizes[i] - exact[i] > sizes[j] - exact[j]) {
          j = i;
        }
      }
      sizes[j]--;
      given--;
    }
    boolean[] bumped = new boolean[k];
    while (given < n) {
      int best = -1;
      for (int i = 0; i < k; i++) {
        if (!bumped[i] && (best < 0 || exact[i] - sizes[i] > exact[best] - sizes[best])) {
          best = i;
        }
      }
      if (best < 0) { // every part got one; start again (only with a sum below 1)
        java.util.Arrays.fill(bumped, false);
        continue;
      }
      sizes[best]++;
      bumped[best] = true;
      given++;
    }
    return sizes;
  }

  /** Fails when a part with a positive share got no sample. */
  void requireNonEmpty(String[] names, int[] sizes, int n, String method) {
    for (int i = 0; i < names.length; i++) {
      if (sizes[i] == 0 && shares.get(names[i]) > 0) {
        throw new HoldoutException(
            method
                + " split: part '"
                + names[i]
                + "' (ratio "
                + shares.get(names[i])
                + ") gets no"
                + " sample of "
                + n
                + "; use more data, a larger ratio, or ratio 0 to have no "
                + names[i]
                + " part");
      }
    }
  }

  String[] names() {
    return shares.keySet().toArray(new String[0]);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    shares.forEach(
        (k, v) -> sb.append(sb.length() == 0 ? "" : " / ").append(k).append(' ').append(v));
    return sb.toString();
  }
}
