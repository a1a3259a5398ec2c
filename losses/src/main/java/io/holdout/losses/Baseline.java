package io.holdout.losses;

import java.util.Locale;
import java.util.Objects;

/**
 * What a trivial model would score on one loss component, to read a loss against: e.g. {@code
 * uniform guess 3.0445 for 21 classes}.
 *
 * @param label what the trivial model does, e.g. {@code uniform guess}
 * @param value its loss, under the component's normalisation
 * @param detail what it was computed for, e.g. {@code for 21 classes}; may be empty
 */
public record Baseline(String label, double value, String detail) {
  public Baseline {
    Objects.requireNonNull(label, "label is null");
    Objects.requireNonNull(detail, "detail is null");
  }

  /** {@code uniform guess 3.0445 for 21 classes}. */
  public String describe() {
    String v = Double.isInfinite(value) ? "∞" : String.format(Locale.ROOT, "%.4f", value);
    return detail.isEmpty() ? label + " " + v : label + " " + v + " " + detail;
  }

  @Override
  public String toString() {
    return describe();
  }
}
