package io.holdout.datasets.split;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import io.holdout.datasets.Datasets;
import io.holdout.datasets.Subset;
import io.holdout.datasets.internal.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * K-fold cross-validation: the samples are cut into {@code k} folds and fold {@code f}'s split has
 * that fold as {@code val} and the other folds as {@code train}, so every sample is in exactly one
 * fold's validation part. Fold sizes differ by at most one.
 *
 * <p>Stratified ({@link #stratified}): each class's members are shuffled and dealt to the folds in
 * turn, the deal continuing from class to class, so each fold holds {@code floor} or {@code ceil}
 * of {@code n_c / k} of every class {@code c}.
 *
 * <p>With {@link #optTest}, a test part is set aside first (randomly, or stratified) and shared by
 * all folds; the folds are cut from the rest.
 */
public final class KFoldSplitter {
  private final int k;
  private final long seed;
  private final String target;
  private double testShare;

  private KFoldSplitter(int k, long seed, String target) {
    if (k < 2) {
      throw new HoldoutException("k-fold needs k >= 2, not " + k);
    }
    this.k = k;
    this.seed = seed;
    this.target = target;
  }

  /** Plain k-fold over a seeded shuffle. */
  public static KFoldSplitter of(int k, long seed) {
    return new KFoldSplitter(k, seed, null);
  }

  /** Stratified k-fold by the class target {@code target}. */
  public static KFoldSplitter stratified(String target, int k, long seed) {
    return new KFoldSplitter(k, seed, Objects.requireNonNull(target, "target is null"));
  }

  /** Sets aside {@code share} of the samples as a test part common to all folds. */
  public KFoldSplitter optTest(double share) {
    if (!(share >= 0 && share < 1)) {
      throw new HoldoutException("k-fold test share must be in [0, 1), not " + share);
    }
    this.testShare = share;
    return this;
  }

  public int k() {
    return k;
  }

  /** The {@code k} splits, fold 0 first. */
  public List<Split> folds(Dataset dataset) {
    SplitParts.requireSamples(dataset, "k-fold");
    int[] pool;
    int[] test = new int[0];
    if (testShare > 0) {
      Ratios r = Ratios.of(1 - testShare, 0, testShare);
      Split outer =
          target == null
              ? RandomSplitter.ratios(r, Rng.mix(seed, 0x7E57L)).split(dataset)
              : new StratifiedSplitter(target, r, Rng.mix(seed, 0x7E57L)).split(dataset);
      pool = outer.part(Split.TRAIN);
      test = outer.part(Split.TEST);
    } else {
      pool = new int[dataset.size()];
      for (int i = 0; i < pool.length; i++) {
        pool[i] = i;
      }
    }
    if (pool.length < k) {
      throw new HoldoutException("k-fold: " + pool.length + " samples cannot fill " + k + " folds");
    }
    int[] foldOf = new int[pool.length]; // fold of pool[j]
    Rng rng = new Rng(Rng.mix(seed, 0xF01DL));
    if (target == null) {
      int[] order = Rng.permutation(pool.length, rng.nextLong());
      int at = 0;
      for (int f = 0; f < k; f++) {
        int size = pool.length / k + (f < pool.length % k ? 1 : 0);
        for (int s = 0; s < size; s++) {
          foldOf[order[at++]] = f;
        }
      }
    } else {
      long[] labels = Datasets.labels(new Subset(dataset, pool), target);
      int deal = 0;
      for (int[] members : StratifiedSplitter.byClass(labels)) {
        int[] m = members.clone();
        rng.shuffle(m);
        for (int j : m) {
          foldOf[j] = deal++ % k;
        }
      }
    }
    String method = (target == null ? "kfold" : "stratified-kfold(" + target + ")") + "(" + k + ")";
    List<Split> out = new ArrayList<>(k);
    for (int f = 0; f < k; f++) {
      int[] val = new int[pool.length];
      int[] train = new int[pool.length];
      int nv = 0;
      int nt = 0;
      for (int j = 0; j < pool.length; j++) {
        if (foldOf[j] == f) {
          val[nv++] = pool[j];
        } else {
          train[nt++] = pool[j];
        }
      }
      Map<String, int[]> parts = new LinkedHashMap<>();
      parts.put(Split.TRAIN, sorted(Arrays.copyOf(train, nt)));
      parts.put(Split.VAL, sorted(Arrays.copyOf(val, nv)));
      if (testShare > 0) {
        parts.put(Split.TEST, sorted(test));
      }
      out.add(new Split(parts, seed, method + " fold " + f));
    }
    return out;
  }

  /** A splitter that gives fold {@code f}'s split. */
  public Splitter fold(int f) {
    if (f < 0 || f >= k) {
      throw new HoldoutException("fold " + f + " does not exist: folds are 0.." + (k - 1));
    }
    return dataset -> folds(dataset).get(f);
  }

  private static int[] sorted(int[] a) {
    int[] c = a.clone();
    Arrays.sort(c);
    return c;
  }

  @Override
  public String toString() {
    return "KFoldSplitter[k "
        + k
        + (target == null ? "" : ", stratified by " + target)
        + ", seed "
        + seed
        + "]";
  }
}
