package io.holdout.api.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The value of each loss component (raw, before weighting), the weights, and the total, which is
 * exactly {@code sum(weight_i * raw_i)} computed here in double precision.
 *
 * <p>{@code samples} is how many samples the values are a mean over, so that epoch means can be
 * sample-weighted (a short last batch counts by its size).
 */
public final class LossBreakdown {
  private final Map<String, Double> raw;
  private final Map<String, Double> weights;
  private final double total;
  private final long samples;

  public LossBreakdown(Map<String, Double> raw, Map<String, Double> weights, long samples) {
    this.raw = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
    this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    double t = 0;
    for (Map.Entry<String, Double> e : this.raw.entrySet()) {
      Double w = this.weights.get(e.getKey());
      if (w == null) {
        throw new IllegalArgumentException("no weight for loss component '" + e.getKey() + "'");
      }
      t += w * e.getValue();
    }
    this.total = t;
    this.samples = samples;
  }

  /** Builds a breakdown from raw component values in the order of {@code spec}. */
  public static LossBreakdown of(LossSpec spec, double[] rawValues, long samples) {
    if (rawValues.length != spec.components().size()) {
      throw new IllegalArgumentException(
          rawValues.length + " loss values for " + spec.components().size() + " components");
    }
    Map<String, Double> raw = new LinkedHashMap<>();
    Map<String, Double> w = new LinkedHashMap<>();
    for (int i = 0; i < rawValues.length; i++) {
      LossComponentSpec c = spec.components().get(i);
      raw.put(c.name(), rawValues[i]);
      w.put(c.name(), c.weight());
    }
    return new LossBreakdown(raw, w, samples);
  }

  public Map<String, Double> raw() {
    return raw;
  }

  public Map<String, Double> weights() {
    return weights;
  }

  public double raw(String component) {
    Double v = raw.get(component);
    if (v == null) {
      throw new IllegalArgumentException("no loss component '" + component + "' (has " + raw.keySet() + ")");
    }
    return v;
  }

  /** {@code weight * raw} of one component. */
  public double weighted(String component) {
    return weights.get(component) * raw(component);
  }

  public double total() {
    return total;
  }

  public long samples() {
    return samples;
  }

  /** The first component whose raw value is NaN or infinite, or null. */
  public String firstNonFinite() {
    for (Map.Entry<String, Double> e : raw.entrySet()) {
      if (!Double.isFinite(e.getValue())) {
        return e.getKey();
      }
    }
    return null;
  }

  /** {@code 4.6118 (regression 1.3363 + classification 3.2755)}, weighted terms shown when w != 1. */
  public String describe() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.4f (", total));
    boolean first = true;
    for (String name : raw.keySet()) {
      if (!first) {
        sb.append(" + ");
      }
      first = false;
      double w = weights.get(name);
      if (w == 1.0) {
        sb.append(String.format(Locale.ROOT, "%s %.4f", name, raw.get(name)));
      } else {
        sb.append(String.format(Locale.ROOT, "%s %s×%.4f", name, trim(w), raw.get(name)));
      }
    }
    return sb.append(')').toString();
  }

  private static String trim(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
  }

  @Override
  public String toString() {
    return describe();
  }
}
