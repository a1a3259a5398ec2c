package io.holdout.api.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The value of each loss component (raw, before weighting), the weights, and the total, which is
 * exactly {@code sum(weight_i * raw_i)} computed here in double precision.
 *
 * <p>For exact split figures a breakdown also carries, per component, its <b>numerator</b> (the
 * summed per-sample terms of these samples, before any division) and its <b>count</b> (what the
 * split figure divides the numerators by): for {@code reduction: mean} the loss's own denominator
 * over these samples (elements, samples, summed class weights of the non-ignored labels, positive
 * anchors), for {@code reduction: sum} the number of samples. {@link LossMeter} adds numerators and
 * counts over a split and divides once, so the split's figure does not depend on how the split was
 * cut into batches.
 *
 * <p>A breakdown built without them ({@link #of(LossSpec, double[], long)}) counts each component
 * by {@code samples}, with numerator {@code raw × samples}: the sample-weighted mean, exact only for
 * losses whose denominator is the number of samples.
 */
public final class LossBreakdown {
  private final Map<String, Double> raw;
  private final Map<String, Double> weights;
  private final Map<String, Double> numerators;
  private final Map<String, Double> counts;
  private final double total;
  private final long samples;

  /** A breakdown without numerators and counts: each component counts by {@code samples}. */
  public LossBreakdown(Map<String, Double> raw, Map<String, Double> weights, long samples) {
    this(raw, weights, null, null, samples);
  }

  /**
   * A breakdown with each component's numerator and count (both null: counted by {@code samples},
   * see the class comment).
   *
   * @throws IllegalArgumentException when a component lacks a weight, only one of the two maps is
   *     given, or they do not name exactly the components of {@code raw}, or a count is negative or
   *     not finite
   */
  public LossBreakdown(Map<String, Double> raw, Map<String, Double> weights, Map<String, Double> numerators,
      Map<String, Double> counts, long samples) {
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
    if ((numerators == null) != (counts == null)) {
      throw new IllegalArgumentException("loss numerators and counts go together");
    }
    if (numerators == null) {
      Map<String, Double> n = new LinkedHashMap<>();
      Map<String, Double> c = new LinkedHashMap<>();
      for (Map.Entry<String, Double> e : this.raw.entrySet()) {
        n.put(e.getKey(), e.getValue() * samples);
        c.put(e.getKey(), (double) samples);
      }
      numerators = n;
      counts = c;
    } else if (!numerators.keySet().equals(this.raw.keySet()) || !counts.keySet().equals(this.raw.keySet())) {
      throw new IllegalArgumentException("loss numerators " + numerators.keySet() + " and counts "
          + counts.keySet() + " must name the components " + this.raw.keySet());
    }
    for (Map.Entry<String, Double> e : counts.entrySet()) {
      if (!(e.getValue() >= 0) || Double.isInfinite(e.getValue())) {
        throw new IllegalArgumentException(
            "loss component '" + e.getKey() + "' has count " + e.getValue() + ", not a finite number >= 0");
      }
    }
    this.numerators = Collections.unmodifiableMap(new LinkedHashMap<>(numerators));
    this.counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    this.total = t;
    this.samples = samples;
  }

  /**
   * Builds a breakdown from raw component values in the order of {@code spec}, each component
   * counted by {@code samples} (see the class comment).
   */
  public static LossBreakdown of(LossSpec spec, double[] rawValues, long samples) {
    return of(spec, rawValues, null, null, samples);
  }

  /**
   * Builds a breakdown from raw values, numerators and counts in the order of {@code spec}
   * ({@code numerators} and {@code counts} both null: counted by {@code samples}).
   */
  public static LossBreakdown of(LossSpec spec, double[] rawValues, double[] numerators, double[] counts,
      long samples) {
    int k = spec.components().size();
    if (rawValues.length != k || (numerators != null && numerators.length != k)
        || (counts != null && counts.length != k)) {
      throw new IllegalArgumentException(rawValues.length + " loss values"
          + (numerators == null ? "" : ", " + numerators.length + " numerators")
          + (counts == null ? "" : ", " + counts.length + " counts") + " for " + k + " components");
    }
    Map<String, Double> raw = new LinkedHashMap<>();
    Map<String, Double> w = new LinkedHashMap<>();
    Map<String, Double> num = numerators == null ? null : new LinkedHashMap<>();
    Map<String, Double> cnt = counts == null ? null : new LinkedHashMap<>();
    for (int i = 0; i < k; i++) {
      LossComponentSpec c = spec.components().get(i);
      raw.put(c.name(), rawValues[i]);
      w.put(c.name(), c.weight());
      if (num != null) {
        num.put(c.name(), numerators[i]);
      }
      if (cnt != null) {
        cnt.put(c.name(), counts[i]);
      }
    }
    return new LossBreakdown(raw, w, num, cnt, samples);
  }

  public Map<String, Double> raw() {
    return raw;
  }

  public Map<String, Double> weights() {
    return weights;
  }

  /** Each component's numerator: its per-sample terms summed over these samples. */
  public Map<String, Double> numerators() {
    return numerators;
  }

  /** Each component's count: what a split figure divides the summed numerators by. */
  public Map<String, Double> counts() {
    return counts;
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

  /** The numerator of one component (see the class comment). */
  public double numerator(String component) {
    raw(component);
    return numerators.get(component);
  }

  /** The count of one component (see the class comment). */
  public double count(String component) {
    raw(component);
    return counts.get(component);
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
