package io.holdout.api.data;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a splitter: sample indices per part ({@code train}, {@code val}, {@code test}), the
 * seed and method that produced them. Parts are disjoint.
 */
public record Split(Map<String, int[]> parts, long seed, String method) {
  public static final String TRAIN = "train";
  public static final String VAL = "val";
  public static final String TEST = "test";

  public Split {
    Map<String, int[]> copy = new LinkedHashMap<>();
    parts.forEach((k, v) -> copy.put(k, v.clone()));
    parts = Collections.unmodifiableMap(copy);
  }

  public int[] part(String name) {
    int[] p = parts.get(name);
    return p == null ? new int[0] : p.clone();
  }

  public int size(String name) {
    int[] p = parts.get(name);
    return p == null ? 0 : p.length;
  }

  /** A stable content hash of the assignment (method, seed and indices per part), hex. */
  public String hash() {
    long h = 1125899906842597L;
    h = 31 * h + method.hashCode();
    h = 31 * h + seed;
    for (Map.Entry<String, int[]> e : parts.entrySet()) {
      h = 31 * h + e.getKey().hashCode();
      h = 31 * h + Arrays.hashCode(e.getValue());
    }
    return String.format("%016x", h);
  }
}
