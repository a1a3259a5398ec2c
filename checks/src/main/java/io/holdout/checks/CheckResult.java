package io.holdout.checks;

import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of one numerics check of one backend on this machine.
 *
 * @param backend the backend's name
 * @param check what was checked, e.g. {@code layers: conv2d stride 2 padding 1 [4x2x6x5]}
 * @param status ok, off (computed, but outside the tolerance), unsupported (the backend does not
 *     declare a feature the check needs) or error (the engine failed)
 * @param error the worst error found, relative to the scale of the tensor it was found in
 * @param tolerance the relative tolerance that error was held to
 * @param detail for an off check the first value out of tolerance ({@code gradient of
 *     trunk.0.weight[0]: 0.0175 vs expected 0.02448}); the reason for unsupported and error
 */
public record CheckResult(
    String backend, String check, Status status, double error, double tolerance, String detail) {

  /** What a check found. */
  public enum Status {
    OK,
    OFF,
    UNSUPPORTED,
    ERROR
  }

  public CheckResult {
    Objects.requireNonNull(backend, "backend is null");
    Objects.requireNonNull(check, "check is null");
    Objects.requireNonNull(status, "status is null");
    detail = detail == null ? "" : detail;
  }

  /** A check the backend cannot run because it does not declare {@code what}. */
  public static CheckResult unsupported(String backend, String check, String what) {
    return new CheckResult(backend, check, Status.UNSUPPORTED, 0, 0, what);
  }

  /** True unless the engine computed a wrong number or failed. */
  public boolean passed() {
    return status == Status.OK || status == Status.UNSUPPORTED;
  }

  /** {@code ok  3.1e-07 (tolerance 1e-05)}, {@code OFF  2.9e-01 (tolerance 1e-04): ...}. */
  public String verdict() {
    return switch (status) {
      case OK -> String.format(Locale.ROOT, "ok     %.1e (tolerance %.0e)", error, tolerance);
      case OFF -> String.format(Locale.ROOT, "OFF    %.1e (tolerance %.0e): %s", error, tolerance, detail);
      case UNSUPPORTED -> "unsupported (" + detail + ")";
      case ERROR -> "ERROR  " + detail;
    };
  }
}
