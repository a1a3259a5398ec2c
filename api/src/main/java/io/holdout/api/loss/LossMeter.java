package io.holdout.api.loss;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates per-batch breakdowns into a sample-weighted mean: each batch's values count by its
 * number of samples, so a short last batch does not weigh as much as a full one.
 */
public final class LossMeter {
  private final Map<String, Double> sums = new LinkedHashMap<>();
  private Map<String, Double> weights = Map.of();
  private long samples;

  public void add(LossBreakdown b) {
    if (b.samples() <= 0) {
      return;
    }
    weights = b.weights();
    for (Map.Entry<String, Double> e : b.raw().entrySet()) {
      sums.merge(e.getKey(), e.getValue() * b.samples(), Double::sum);
    }
    samples += b.samples();
  }

  public long samples() {
    return samples;
  }

  /** The sample-weighted mean breakdown; its total is again the weighted sum of the means. */
  public LossBreakdown mean() {
    Map<String, Double> raw = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : sums.entrySet()) {
      raw.put(e.getKey(), samples == 0 ? Double.NaN : e.getValue() / samples);
    }
    return new LossBreakdown(raw, weights, samples);
  }
}
