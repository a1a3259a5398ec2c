package io.holdout.testkit;

import static org.assertj.core.api.Assertions.assertThat;

/** Closeness assertions shared by the conformance tests. */
public final class Checks {
  private Checks() {}

  /** {@code |actual - expected| <= rel·|expected| + abs}. */
  public static void close(double actual, double expected, double rel, double abs, String what) {
    assertThat(Math.abs(actual - expected))
        .as("%s: %s vs expected %s", what, actual, expected)
        .isLessThanOrEqualTo(rel * Math.abs(expected) + abs);
  }

  /**
   * Element-wise {@code |a_i - e_i| <= rel·max(max_j |e_j|, |e_i|) + abs}: relative to the scale
   * of the whole tensor, so that near-zero elements are not held to an impossible relative bound.
   */
  public static void allClose(float[] actual, double[] expected, double rel, double abs, String what) {
    assertThat(actual).as("%s: size", what).hasSize(expected.length);
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < actual.length; i++) {
      assertThat(Math.abs(actual[i] - expected[i]))
          .as("%s[%d]: %s vs expected %s", what, i, actual[i], expected[i])
          .isLessThanOrEqualTo(rel * Math.max(scale, Math.abs(expected[i])) + abs);
    }
  }

  /** Largest {@code |a_i - e_i| / max(max_j |e_j|, tiny)}: the error relative to the tensor's scale. */
  public static double maxScaledDiff(float[] actual, double[] expected) {
    double scale = 1e-30;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
    }
    return worst;
  }
}
