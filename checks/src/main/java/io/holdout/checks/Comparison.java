package io.holdout.checks;

import io.holdout.checks.CheckResult.Status;
import java.util.Arrays;

/**
 * Collects the comparisons of one check: each tensor or value against its reference within a
 * relative tolerance (relative to the largest reference value of the tensor, so that near-zero
 * elements are not held to an impossible bound) plus an absolute floor. Keeps the worst error
 * relative to its tolerance and the first value out of tolerance, described as {@code what[i]:
 * actual vs expected}.
 */
public final class Comparison {
  private double worstRatio = -1;
  private double worstError;
  private double worstTolerance;
  private String failure;
  private double failureError;
  private double failureTolerance;

  /** Element-wise {@code |a_i - e_i| <= rel·max(max_j |e_j|, |e_i|) + abs}. */
  public Comparison values(String what, float[] actual, double[] expected, double rel, double abs) {
    if (actual.length != expected.length) {
      fail(what + ": " + actual.length + " values vs expected " + expected.length, Double.POSITIVE_INFINITY, rel);
      return this;
    }
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < actual.length; i++) {
      double s = Math.max(scale, Math.abs(expected[i]));
      check(what + "[" + i + "]", actual[i], expected[i], s, rel, abs);
    }
    return this;
  }

  /** {@code |a - e| <= rel·|e| + abs}. */
  public Comparison value(String what, double actual, double expected, double rel, double abs) {
    check(what, actual, expected, Math.abs(expected), rel, abs);
    return this;
  }

  /** The shapes must be equal. */
  public Comparison shape(String what, long[] actual, long[] expected) {
    if (!Arrays.equals(actual, expected)) {
      fail(what + " has shape " + Arrays.toString(actual) + " vs expected " + Arrays.toString(expected),
          Double.POSITIVE_INFINITY, 0);
    }
    return this;
  }

  private void check(String what, double actual, double expected, double scale, double rel, double abs) {
    double diff = Math.abs(actual - expected);
    double allowed = rel * scale + abs;
    double error = diff / Math.max(scale, 1e-30);
    if (!(diff <= allowed)) {
      fail(what + ": " + actual + " vs expected " + expected, Double.isNaN(diff) ? Double.NaN : error, rel);
      return;
    }
    double ratio = allowed == 0 ? 0 : diff / allowed;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worstError = error;
      worstTolerance = rel;
    }
  }

  private void fail(String description, double error, double rel) {
    if (failure == null) {
      failure = description;
      failureError = error;
      failureTolerance = rel;
    }
  }

  /** True while every comparison so far was within its tolerance. */
  public boolean ok() {
    return failure == null;
  }

  /** The first value out of tolerance, or null. */
  public String failure() {
    return failure;
  }

  /** The result of the check: off at the first failure, otherwise ok with the worst error. */
  public CheckResult result(String backend, String check) {
    if (failure != null) {
      return new CheckResult(backend, check, Status.OFF, failureError, failureTolerance, failure);
    }
    return new CheckResult(backend, check, Status.OK, Math.max(worstError, 0), worstTolerance, "");
  }
}
