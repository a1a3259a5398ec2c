package io.holdout.losses.metrics;

import java.util.Arrays;

/** A growable list of ints, to keep per-sample labels without boxing. */
final class IntList {
  private int[] values = new int[64];
  private int size;

  void add(int v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  int get(int i) {
    return values[i];
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }
}
