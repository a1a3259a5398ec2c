package io.holdout.api.loss;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates per-batch breakdowns into the loss over all their samples, exactly: for each
 * component it adds the batches' numerators and counts (see {@link LossBreakdown}) and divides
 * once, {@code Σ numerator / Σ count}. For a {@code mean} loss that is the loss of one batch holding
 * every sample (the positive anchors, class weights or elements of the whole split, not a mean of
 * batch means), so the figure does not depend on the batch size; for a {@code sum} loss it is the
 * summed loss per sample.
 *
 * <p>A component whose counts add up to 0 (no positive anchor, every label ignored in the whole
 * split) is 0, as a batch's mean is. Breakdowns built without counts are counted by their samples,
 * which is the sample-weighted mean of their values.
 */
public final class LossMeter {
  private final Map<String, Double> numerators = new LinkedHashMap<>();
  private final Map<String, Double> counts = new LinkedHashMap<>();
  private Map<String, Double> weights = Map.of();
  private long samples;

  public void add(LossBreakdown b) {
    if (b.samples() <= 0) {
      return;
    }
    weights = b.weights();
    for (String name : b.raw().keySet()) {
      numerators.merge(name, b.numerator(name), Double::sum);
      counts.merge(name, b.count(name), Double::sum);
    }
    samples += b.samples();
  }

  public long samples() {
    return samples;
  }

  /**
   * The breakdown over every sample added: each component {@code Σ numerator / Σ count} (0 when
   * the counts add up to 0, NaN when nothing was added); its total is again the weighted sum, and
   * it carries the summed numerators and counts.
   */
  public LossBreakdown mean() {
    Map<String, Double> raw = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : numerators.entrySet()) {
      double count = counts.get(e.getKey());
      raw.put(e.getKey(), samples == 0 ? Double.NaN : count == 0 ? 0 : e.getValue() / count);
    }
    return new LossBreakdown(raw, weights, numerators, counts, samples);
  }
}
