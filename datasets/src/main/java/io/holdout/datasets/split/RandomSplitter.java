package io.holdout.datasets.split;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import io.holdout.datasets.internal.Rng;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Shuffles the samples with a seed and cuts the shuffled order into parts, by {@link Ratios} (see
 * its remainder rule) or by counts. The same seed and dataset size always give the same split;
 * indices within each part are sorted.
 */
public final class RandomSplitter implements Splitter {
  private final Ratios ratios;
  private final Map<String, Integer> counts;
  private final long seed;

  private RandomSplitter(Ratios ratios, Map<String, Integer> counts, long seed) {
    this.ratios = ratios;
    this.counts = counts;
    this.seed = seed;
  }

  /** Parts sized by ratios. */
  public static RandomSplitter ratios(Ratios ratios, long seed) {
    return new RandomSplitter(Objects.requireNonNull(ratios, "ratios is null"), null, seed);
  }

  /**
   * Parts sized by counts, e.g. {@code {val: 20, test: 20}}. Without a {@code train} count, train
   * gets every remaining sample; with one, the counts must add up to the dataset size (so no sample
   * is silently left out).
   */
  public static RandomSplitter counts(Map<String, Integer> counts, long seed) {
    Objects.requireNonNull(counts, "counts is null");
    Map<String, Integer> m = new LinkedHashMap<>();
    if (!counts.containsKey(Split.TRAIN)) {
      m.put(Split.TRAIN, null);
    }
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      int c = Objects.requireNonNull(e.getValue(), "count of " + e.getKey() + " is null");
      if (c < 0) {
        throw new HoldoutException("split count of '" + e.getKey() + "' is negative: " + c);
      }
      m.put(e.getKey(), c);
    }
    return new RandomSplitter(null, m, seed);
  }

  public long seed() {
    return seed;
  }

  @Override
  public Split split(Dataset dataset) {
    SplitParts.requireSamples(dataset, "random");
    int n = dataset.size();
    String[] names;
    int[] sizes;
    if (ratios != null) {
      names = ratios.names();
      sizes = ratios.allocate(n);
      ratios.requireNonEmpty(names, sizes, n, "random");
    } else {
      names = counts.keySet().toArray(new String[0]);
      sizes = new int[names.length];
      long given = 0;
      for (int i = 0; i < names.length; i++) {
        Integer c = counts.get(names[i]);
        sizes[i] = c == null ? 0 : c;
        given += sizes[i];
      }
      if (counts.get(Split.TRAIN) == null) {
        int train = (int) (n - given);
        if (train <= 0) {
          throw new HoldoutException(
              "random split: the counts "
                  + counts.entrySet().stream().skip(1).toList()
                  + " leave no training sample of "
                  + n);
        }
        sizes[0] = train;
      } else if (given != n) {
        throw new HoldoutException(
            "random split: the counts add up to "
                + given
                + " but the dataset has "
                + n
                + " samples; leave 'train' out to give it the rest");
      } else if (counts.get(Split.TRAIN) == 0) {
        throw new HoldoutException("random split: the train count is 0");
      }
    }
    int[] order = Rng.permutation(n, Rng.mix(seed, 0x5711L));
    return SplitParts.of(names, SplitParts.slices(order, sizes), seed, "random");
  }

  @Override
  public String toString() {
    return "RandomSplitter[" + (ratios != null ? ratios : counts) + ", seed " + seed + "]";
  }
}
