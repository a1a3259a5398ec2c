package io.holdout.datasets.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Split;
import io.holdout.datasets.ArrayDataset;
import io.holdout.datasets.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtherSplittersTest {
  @Test
  void groupsNeverCrossParts() {
    int n = 200;
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      groups.add("patient-" + (i * 7 % 37)); // 37 patients, interleaved rows
    }
    Split s = new GroupSplitter(groups, Ratios.of(0.7, 0.15, 0.15), 5).split(Fixtures.plain(n));
    RandomSplitterTest.assertPartition(s, n);
    Map<String, String> partOfGroup = new HashMap<>();
    for (var e : s.parts().entrySet()) {
      for (int i : e.getValue()) {
        String before = partOfGroup.putIfAbsent(groups.get(i), e.getKey());
        assertThat(before == null || before.equals(e.getKey()))
            .as("group %s in %s and %s", groups.get(i), before, e.getKey())
            .isTrue();
      }
    }
    assertThat(s.size("val")).isPositive();
    assertThat(s.size("test")).isPositive();
    // groups of 5-6 samples: sizes within a group of the targets (140, 30, 30)
    assertThat(s.size("train")).isBetween(130, 150);
    assertThat(s.method()).isEqualTo("grouped");
  }

  @Test
  void tooFewGroupsIsAnError() {
    List<String> groups = List.of("a", "a", "b", "b");
    assertThatThrownBy(
            () -> new GroupSplitter(groups, Ratios.of(0.5, 0.25, 0.25), 1).split(Fixtures.plain(4)))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith("grouped split: 2 groups cannot fill the parts [train, val, test]");
  }

  @Test
  void orderedKeepsTimeOrder() {
    Split s = new OrderedSplitter(Ratios.of(0.6, 0.2, 0.2)).split(Fixtures.plain(10));
    assertThat(s.part("train")).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(s.part("val")).containsExactly(6, 7);
    assertThat(s.part("test")).containsExactly(8, 9);
  }

  @Test
  void orderedSplitOfClassSortedDataShowsWhyStratifyingMatters() {
    // the classic mistake: a class-sorted file cut in order puts only the last class in val
    ArrayDataset ds = Fixtures.classSorted(40, 40, 20);
    Split ordered = new OrderedSplitter(Ratios.of(0.8, 0.2)).split(ds);
    assertThat(
            java.util.Arrays.stream(ordered.part("val"))
                .mapToLong(i -> ds.label(i, "label").getAsLong())
                .distinct()
                .count())
        .isEqualTo(1);
    Split strat = new StratifiedSplitter("label", Ratios.of(0.8, 0.2), 1).split(ds);
    assertThat(
            java.util.Arrays.stream(strat.part("val"))
                .mapToLong(i -> ds.label(i, "label").getAsLong())
                .distinct()
                .count())
        .isEqualTo(3);
  }

  @Test
  void kFoldPutsEverySampleInExactlyOneValidationPart() {
    int n = 23;
    List<Split> folds = KFoldSplitter.of(5, 3).folds(Fixtures.plain(n));
    assertThat(folds).hasSize(5);
    int[] inVal = new int[n];
    for (Split f : folds) {
      RandomSplitterTest.assertPartition(f, n);
      for (int i : f.part("val")) {
        inVal[i]++;
      }
      assertThat(f.size("val")).isBetween(4, 5); // 23 / 5
    }
    assertThat(inVal).containsOnly(1);
    assertThat(folds.get(2).method()).isEqualTo("kfold(5) fold 2");
    assertThat(KFoldSplitter.of(5, 3).fold(2).split(Fixtures.plain(n)).hash())
        .isEqualTo(folds.get(2).hash());
  }

  @Test
  void stratifiedKFoldKeepsClassesWithinOnePerFold() {
    int[] counts = {17, 9, 4};
    ArrayDataset ds = Fixtures.classSorted(counts);
    int k = 4;
    List<Split> folds = KFoldSplitter.stratified("label", k, 8).folds(ds);
    int[] inVal = new int[ds.size()];
    for (Split f : folds) {
      int[] perClass = new int[counts.length];
      for (int i : f.part("val")) {
        inVal[i]++;
        perClass[(int) ds.label(i, "label").getAsLong()]++;
      }
      for (int c = 0; c < counts.length; c++) {
        assertThat(perClass[c]).isBetween(counts[c] / k, (counts[c] + k - 1) / k);
      }
    }
    assertThat(inVal).containsOnly(1);
  }

  @Test
  void kFoldWithATestPartSharedByAllFolds() {
    List<Split> folds = KFoldSplitter.of(3, 1).optTest(0.2).folds(Fixtures.plain(50));
    int[] test = folds.get(0).part("test");
    assertThat(test).hasSize(10);
    int[] inVal = new int[50];
    for (Split f : folds) {
      assertThat(f.part("test")).containsExactly(test);
      RandomSplitterTest.assertPartition(f, 50);
      for (int i : f.part("val")) {
        inVal[i]++;
      }
    }
    for (int i = 0; i < 50; i++) {
      boolean isTest = java.util.Arrays.binarySearch(test, i) >= 0;
      assertThat(inVal[i]).isEqualTo(isTest ? 0 : 1);
    }
    assertThatThrownBy(() -> KFoldSplitter.of(1, 1)).hasMessage("k-fold needs k >= 2, not 1");
    assertThatThrownBy(() -> KFoldSplitter.of(6, 1).folds(Fixtures.plain(5)))
        .hasMessage("k-fold: 5 samples cannot fill 6 folds");
  }

  @Test
  void predefinedFromAColumn() {
    List<String> col = List.of("train", "test", "validation", "train", "val");
    Split s = PredefinedSplitter.fromColumn(col).split(Fixtures.plain(5));
    assertThat(s.part("train")).containsExactly(0, 3);
    assertThat(s.part("val")).containsExactly(2, 4);
    assertThat(s.part("test")).containsExactly(1);
    assertThatThrownBy(
            () -> PredefinedSplitter.fromColumn(List.of("train", "dev")).split(Fixtures.plain(2)))
        .isInstanceOf(HoldoutException.class)
        .hasMessage(
            "sample 1 (1): 'dev' is not a split part (known: train, val, validation, valid, test)");
  }

  @Test
  void predefinedFromListFiles(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("train.txt"), "0\n2\n\n4 1\n");
    Files.writeString(dir.resolve("val.txt"), "1\n3\n");
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("train", dir.resolve("train.txt"));
    files.put("val", dir.resolve("val.txt"));
    Split s = PredefinedSplitter.fromListFiles(files).split(Fixtures.plain(5));
    assertThat(s.part("train")).containsExactly(0, 2, 4);
    assertThat(s.part("val")).containsExactly(1, 3);

    Files.writeString(dir.resolve("val.txt"), "1\n3\n2\n");
    assertThatThrownBy(() -> PredefinedSplitter.fromListFiles(files).split(Fixtures.plain(5)))
        .isInstanceOf(HoldoutException.class)
        .hasMessage(
            dir.resolve("val.txt")
                + ":3: '2' is also listed at "
                + dir.resolve("train.txt")
                + ":2");
    Files.writeString(dir.resolve("val.txt"), "1\n9\n");
    assertThatThrownBy(() -> PredefinedSplitter.fromListFiles(files).split(Fixtures.plain(5)))
        .hasMessage(dir.resolve("val.txt") + ":2: no sample with id '9'");
    Files.writeString(dir.resolve("val.txt"), "1\n");
    assertThatThrownBy(() -> PredefinedSplitter.fromListFiles(files).split(Fixtures.plain(5)))
        .hasMessage(
            "predefined split: 1 sample is in no list file (e.g. '3'); list every sample once");
  }
}
