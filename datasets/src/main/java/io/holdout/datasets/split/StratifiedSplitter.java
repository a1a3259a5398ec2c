package io.holdout.datasets.split;

import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import io.holdout.datasets.Datasets;
import io.holdout.datasets.internal.Rng;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Splits each class separately so that every part holds the classes in the same proportions as the
 * whole dataset: for each class of {@code n_c} samples, part {@code p} gets {@code floor} or {@code
 * ceil} of {@code share_p * n_c} (within one sample). Which parts get the rounded-up samples is
 * decided class by class (in class-index order) in favour of the parts that are furthest behind
 * their overall share, so the part sizes also stay close to {@code share * n}. Class members are
 * shuffled with the seed; a class-sorted file gives the same result as a shuffled one.
 */
public final class StratifiedSplitter implements Splitter {
  private final String target;
  private final Ratios ratios;
  private final long seed;

  /**
   * @param target the class target to stratify by
   * @param ratios share per part
   * @param seed shuffles the members of each class
   */
  public StratifiedSplitter(String target, Ratios ratios, long seed) {
    this.target = Objects.requireNonNull(target, "target is null");
    this.ratios = Objects.requireNonNull(ratios, "ratios is null");
    this.seed = seed;
  }

  @Override
  public Split split(Dataset dataset) {
    SplitParts.requireSamples(dataset, "stratified");
    long[] labels = Datasets.labels(dataset, target);
    String[] names = ratios.names();
    double[] shares = ratios.shares().values().stream().mapToDouble(Double::doubleValue).toArray();
    int[][] parts = allocate(byClass(labels), shares, new Rng(Rng.mix(seed, 0x57A7L)));
    int[] sizes = new int[names.length];
    for (int p = 0; p < names.length; p++) {
      sizes[p] = parts[p].length;
    }
    ratios.requireNonEmpty(names, sizes, dataset.size(), "stratified");
    return SplitParts.of(names, parts, seed, "stratified(" + target + ")");
  }

  /** Members of each class, ascending, classes in label order. */
  static int[][] byClass(long[] labels) {
    TreeMap<Long, int[]> counts = new TreeMap<>();
    for (long l : labels) {
      counts.computeIfAbsent(l, k -> new int[1])[0]++;
    }
    int[][] members = new int[counts.size()][];
    TreeMap<Long, Integer> slot = new TreeMap<>();
    int s = 0;
    for (var e : counts.entrySet()) {
      members[s] = new int[e.getValue()[0]];
      slot.put(e.getKey(), s++);
    }
    int[] fill = new int[members.length];
    for (int i = 0; i < labels.length; i++) {
      int c = slot.get(labels[i]);
      members[c][fill[c]++] = i;
    }
    return members;
  }

  /**
   * Deals each class's (shuffled) members to the parts: floor of the exact share each, the rest to
   * the parts with the largest fractional share plus running deficit.
   */
  static int[][] allocate(int[][] classes, double[] shares, Rng rng) {
    int k = shares.length;
    int[][] out = new int[k][];
    int[] filled = new int[k];
    int total = 0;
    for (int[] c : classes) {
      total += c.length;
    }
    for (int p = 0; p < k; p++) {
      out[p] = new int[total];
    }
    double[] deficit = new double[k];
    for (int[] members : classes) {
      int[] m = members.clone();
      rng.shuffle(m);
      int n = m.length;
      int[] sizes = new int[k];
      int given = 0;
      double[] exact = new double[k];
      for (int p = 0; p < k; p++) {
        exact[p] = shares[p] * n;
        sizes[p] = (int) Math.floor(exact[p] + 1e-9);
        given += sizes[p];
      }
      boolean[] bumped = new boolean[k];
      while (given < n) {
        int best = -1;
        double bestScore = 0;
        for (int p = 0; p < k; p++) {
          double score = exact[p] - sizes[p] + deficit[p];
          if (!bumped[p] && shares[p] > 0 && (best < 0 || score > bestScore + 1e-12)) {
            best = p;
            bestScore = score;
          }
        }
        sizes[best]++;
        bumped[best] = true;
        given++;
      }
      int at = 0;
      for (int p = 0; p < k; p++) {
        System.arraycopy(m, at, out[p], filled[p], sizes[p]);
        filled[p] += sizes[p];
        at += sizes[p];
        deficit[p] += exact[p] - sizes[p];
      }
    }
    for (int p = 0; p < k; p++) {
      out[p] = java.util.Arrays.copyOf(out[p], filled[p]);
    }
    return out;
  }

  @Override
  public String toString() {
    return "StratifiedSplitter[" + target + ", " + ratios + ", seed " + seed + "]";
  }
}
