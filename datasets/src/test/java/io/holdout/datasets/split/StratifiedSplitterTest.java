package io.holdout.datasets.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Split;
import io.holdout.datasets.ArrayDataset;
import io.holdout.datasets.Fixtures;
import org.junit.jupiter.api.Test;

class StratifiedSplitterTest {
  @Test
  void everyPartHoldsTheClassProportionsWithinOneSample() {
    int[] counts = {50, 30, 20, 7, 3};
    ArrayDataset ds = Fixtures.classSorted(counts);
    Ratios r = Ratios.of(0.7, 0.15, 0.15);
    Split s = new StratifiedSplitter("label", r, 11).split(ds);
    RandomSplitterTest.assertPartition(s, ds.size());
    for (String part : s.parts().keySet()) {
      long[] perClass = new long[counts.length];
      for (int i : s.part(part)) {
        perClass[(int) ds.label(i, "label").getAsLong()]++;
      }
      for (int c = 0; c < counts.length; c++) {
        double exact = r.shares().get(part) * counts[c];
        assertThat((double) perClass[c])
            .as("class %d in %s", c, part)
            .isBetween(Math.floor(exact), Math.ceil(exact));
      }
    }
    // overall sizes stay close to the ratios: 110 x (0.7, 0.15, 0.15) = 77, 16.5, 16.5
    assertThat(s.size("train")).isBetween(76, 78);
    assertThat(s.size("val")).isBetween(16, 17);
    assertThat(s.method()).isEqualTo("stratified(label)");
  }

  @Test
  void smallClassesDoNotAllEndUpInTrain() {
    // 10 classes of 3: each class alone would give its leftover sample to train (2.4 > 0.3)
    int[] counts = new int[10];
    java.util.Arrays.fill(counts, 3);
    Split s =
        new StratifiedSplitter("label", Ratios.of(0.8, 0.1, 0.1), 3)
            .split(Fixtures.classSorted(counts));
    // 30 x (0.8, 0.1, 0.1) = 24, 3, 3
    assertThat(s.size("train")).isBetween(23, 25);
    assertThat(s.size("val")).isBetween(2, 4);
    assertThat(s.size("test")).isBetween(2, 4);
  }

  @Test
  void deterministicForASeed() {
    ArrayDataset ds = Fixtures.classSorted(20, 20);
    Split a = new StratifiedSplitter("label", Ratios.of(0.5, 0.5), 4).split(ds);
    Split b = new StratifiedSplitter("label", Ratios.of(0.5, 0.5), 4).split(ds);
    assertThat(a.hash()).isEqualTo(b.hash());
    assertThat(a.part("val")).containsExactly(b.part("val"));
    // 10 of each class in val
    assertThat(java.util.Arrays.stream(a.part("val")).filter(i -> i < 20).count()).isEqualTo(10);
  }

  @Test
  void needsAClassTarget() {
    float[][] x = {{1}, {2}};
    ArrayDataset ds =
        ArrayDataset.builder(x).addNumberTarget("y", new float[][] {{1}, {2}}).build();
    assertThatThrownBy(() -> new StratifiedSplitter("y", Ratios.of(0.5, 0.5), 1).split(ds))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("target 'y' is NUMBER, not CLASS: cannot stratify by it");
    assertThatThrownBy(() -> new StratifiedSplitter("z", Ratios.of(0.5, 0.5), 1).split(ds))
        .hasMessage("no target 'z' to stratify by (targets: y)");
  }
}
