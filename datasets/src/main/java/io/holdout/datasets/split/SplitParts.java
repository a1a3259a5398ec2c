package io.holdout.datasets.split;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shared helpers of the splitters. */
final class SplitParts {
  private SplitParts() {}

  /** A split whose parts hold the given indices, each sorted ascending. */
  static Split of(String[] names, int[][] parts, long seed, String method) {
    Map<String, int[]> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      int[] p = parts[i].clone();
      Arrays.sort(p);
      m.put(names[i], p);
    }
    return new Split(m, seed, method);
  }

  /** Consecutive slices of {@code order} with the given sizes. */
  static int[][] slices(int[] order, int[] sizes) {
    int[][] out = new int[sizes.length][];
    int at = 0;
    for (int i = 0; i < sizes.length; i++) {
      out[i] = Arrays.copyOfRange(order, at, at + sizes[i]);
      at += sizes[i];
    }
    return out;
  }

  static void requireSamples(Dataset dataset, String method) {
    if (dataset.size() == 0) {
      throw new HoldoutException(method + " split: the dataset has no samples");
    }
  }
}
