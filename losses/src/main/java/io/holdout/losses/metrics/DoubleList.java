package io.holdout.losses.metrics;

import java.util.Arrays;

/** A growable list of doubles, to keep per-sample values without boxing. */
final class DoubleList {
  private double[] values = new double[64];
  private int size;

  void add(double v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  double get(int i) {
    return values[i];
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }
}
