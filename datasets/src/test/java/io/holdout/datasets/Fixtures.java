package io.holdout.datasets;

import java.util.ArrayList;
import java.util.List;

/** Small in-memory datasets for tests. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * {@code n} samples, input {@code [i, 10 i]}, class label by blocks: the first {@code counts[0]}
   * samples are class 0, the next {@code counts[1]} class 1, ... (a class-sorted file).
   */
  public static ArrayDataset classSorted(int... counts) {
    int n = 0;
    for (int c : counts) {
      n += c;
    }
    float[][] x = new float[n][];
    long[] y = new long[n];
    List<String> classes = new ArrayList<>();
    int i = 0;
    for (int c = 0; c < counts.length; c++) {
      classes.add("c" + c);
      for (int k = 0; k < counts[c]; k++, i++) {
        x[i] = new float[] {i, 10f * i};
        y[i] = c;
      }
    }
    return ArrayDataset.builder(x).addClassTarget("label", y, classes).build();
  }

  /** {@code n} samples of one class. */
  public static ArrayDataset plain(int n) {
    return classSorted(n);
  }
}
