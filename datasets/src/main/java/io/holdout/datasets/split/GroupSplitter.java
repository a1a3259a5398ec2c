package io.holdout.datasets.split;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import io.holdout.datasets.internal.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Keeps every group (a patient, a recording session, the photos of one object) inside one part, so
 * that a model is validated on groups it has never seen. Groups are ordered by key, shuffled with
 * the seed, and each in turn goes to the part furthest below its target size ({@code share * n});
 * part sizes therefore follow the ratios only as closely as the group sizes allow.
 */
public final class GroupSplitter implements Splitter {
  private final List<String> groups;
  private final Ratios ratios;
  private final long seed;

  /**
   * @param groups the group key of every sample, in index order (e.g. a CSV column)
   * @param ratios share per part, in samples
   * @param seed shuffles the groups
   */
  public GroupSplitter(List<String> groups, Ratios ratios, long seed) {
    this.groups = List.copyOf(Objects.requireNonNull(groups, "groups is null"));
    this.ratios = Objects.requireNonNull(ratios, "ratios is null");
    this.seed = seed;
  }

  @Override
  public Split split(Dataset dataset) {
    SplitParts.requireSamples(dataset, "grouped");
    int n = dataset.size();
    if (groups.size() != n) {
      throw new HoldoutException(
          "grouped split: " + groups.size() + " group keys for " + n + " samples");
    }
    TreeMap<String, List<Integer>> members = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String g = groups.get(i);
      if (g == null) {
        throw new HoldoutException("grouped split: " + dataset.describe(i) + " has no group key");
      }
      members.computeIfAbsent(g, k -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> byKey = new ArrayList<>(members.values());
    int[] order = Rng.permutation(byKey.size(), Rng.mix(seed, 0x6209L));
    String[] names = ratios.names();
    double[] target = new double[names.length];
    int p0 = 0;
    for (Map.Entry<String, Double> e : ratios.shares().entrySet()) {
      target[p0++] = e.getValue() * n;
    }
    List<List<Integer>> parts = new ArrayList<>();
    for (int p = 0; p < names.length; p++) {
      parts.add(new ArrayList<>());
    }
    for (int g : order) {
      int best = -1;
      for (int p = 0; p < names.length; p++) {
        if (target[p] <= 0) {
          continue;
        }
        double deficit = (target[p] - parts.get(p).size()) / target[p];
        if (best < 0 || deficit > (target[best] - parts.get(best).size()) / target[best] + 1e-12) {
          best = p;
        }
      }
      parts.get(best).addAll(byKey.get(g));
    }
    int[][] out = new int[names.length][];
    int[] sizes = new int[names.length];
    for (int p = 0; p < names.length; p++) {
      out[p] = parts.get(p).stream().mapToInt(Integer::intValue).toArray();
      sizes[p] = out[p].length;
    }
    if (members.size() < names.length) {
      for (int p = 0; p < names.length; p++) {
        if (sizes[p] == 0 && target[p] > 0) {
          throw new HoldoutException(
              "grouped split: "
                  + members.size()
                  + " group"
                  + (members.size() == 1 ? "" : "s")
                  + " cannot fill the parts "
                  + ratios.shares().keySet()
                  + ": part '"
                  + names[p]
                  + "' is empty");
        }
      }
    }
    ratios.requireNonEmpty(names, sizes, n, "grouped");
    return SplitParts.of(names, out, seed, "grouped");
  }

  @Override
  public String toString() {
    return "GroupSplitter[" + ratios + ", seed " + seed + "]";
  }
}
