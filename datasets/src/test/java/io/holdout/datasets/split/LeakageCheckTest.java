package io.holdout.datasets.split;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.data.Split;
import io.holdout.datasets.ArrayDataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeakageCheckTest {
  @Test
  void findsPlantedDuplicatesAcrossParts() {
    float[][] x = new float[40][];
    for (int i = 0; i < x.length; i++) {
      x[i] = new float[] {i, i * 0.5f, -i};
    }
    x[31] = x[4].clone(); // planted: a copy of sample 4
    x[17] = x[9].clone(); // planted: a copy of sample 9
    x[12] = x[2].clone(); // a copy within the same part (both train below)
    long[] labels = new long[40];
    labels[31] = 1; // a duplicate with another label is still a duplicate
    ArrayDataset ds =
        ArrayDataset.builder(x).addClassTarget("y", labels, List.of("a", "b")).build();
    Map<String, int[]> parts = new LinkedHashMap<>();
    int[] train = new int[30];
    for (int i = 0; i < 30; i++) {
      train[i] = i;
    }
    parts.put("train", train);
    parts.put("val", new int[] {30, 31, 32, 33, 34});
    parts.put("test", new int[] {35, 36, 37, 38, 39});
    Split split = new Split(parts, 0, "hand");

    for (int threads : new int[] {1, 3}) {
      LeakageCheck.Report r = LeakageCheck.run(ds, split, threads);
      assertThat(r.checked()).isEqualTo(40);
      assertThat(r.clean()).isFalse();
      assertThat(r.duplicates()).hasSize(1);
      assertThat(r.duplicates().get(0).occurrences())
          .extracting(LeakageCheck.Occurrence::part, LeakageCheck.Occurrence::index)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("train", 4),
              org.assertj.core.groups.Tuple.tuple("val", 31));
      assertThat(r.duplicatesWithinParts()).isEqualTo(2); // 9 = 17 and 2 = 12, both in train
      assertThat(r.summary(5))
          .isEqualTo(
              "leakage check: 40 samples, 1 content found in more than one part (2 repeated within"
                  + " a part)\n  train 4 = val 31");
    }
  }

  @Test
  void aCleanSplitIsClean() {
    ArrayDataset ds = ArrayDataset.builder(new float[][] {{1}, {2}, {3}}).build();
    Split s = new Split(Map.of("train", new int[] {0, 1}, "val", new int[] {2}), 0, "hand");
    LeakageCheck.Report r = LeakageCheck.run(ds, s);
    assertThat(r.clean()).isTrue();
    assertThat(r.summary(3))
        .isEqualTo("leakage check: 3 samples, no identical sample in two parts");
  }
}
