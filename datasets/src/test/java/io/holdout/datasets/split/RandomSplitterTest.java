package io.holdout.datasets.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Split;
import io.holdout.datasets.Fixtures;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomSplitterTest {
  /** Every index in exactly one part. */
  static void assertPartition(Split split, int n) {
    int[] seen = new int[n];
    for (int[] part : split.parts().values()) {
      for (int i : part) {
        seen[i]++;
      }
    }
    assertThat(seen).as("each sample in exactly one part").containsOnly(1);
  }

  @Test
  void sizesFollowTheRemainderRule() {
    // 10 x (0.7, 0.15, 0.15) = 7, 1.5, 1.5 -> floors 7, 1, 1; the leftover one goes to the first
    // of the tied remainders, val
    Split s = RandomSplitter.ratios(Ratios.of(0.7, 0.15, 0.15), 42).split(Fixtures.plain(10));
    assertThat(s.size("train")).isEqualTo(7);
    assertThat(s.size("val")).isEqualTo(2);
    assertThat(s.size("test")).isEqualTo(1);
    assertPartition(s, 10);
    assertThat(s.method()).isEqualTo("random");
    assertThat(s.seed()).isEqualTo(42);
    // 101 x (0.6, 0.25, 0.15) = 60.6, 25.25, 15.15 -> 60, 25, 15 + 1 to train (0.6 largest)
    Split t = RandomSplitter.ratios(Ratios.of(0.6, 0.25, 0.15), 1).split(Fixtures.plain(101));
    assertThat(new int[] {t.size("train"), t.size("val"), t.size("test")})
        .containsExactly(61, 25, 15);
  }

  @Test
  void sameSeedSameSplitOtherSeedOtherSplit() {
    Split a = RandomSplitter.ratios(Ratios.of(0.8, 0.2), 7).split(Fixtures.plain(50));
    Split b = RandomSplitter.ratios(Ratios.of(0.8, 0.2), 7).split(Fixtures.plain(50));
    Split c = RandomSplitter.ratios(Ratios.of(0.8, 0.2), 8).split(Fixtures.plain(50));
    assertThat(a.part("val")).containsExactly(b.part("val"));
    assertThat(a.hash()).isEqualTo(b.hash());
    assertThat(Arrays.equals(a.part("val"), c.part("val"))).isFalse();
    // parts are sorted and not just the first indices
    assertThat(a.part("val")).isSorted();
    assertThat(a.part("val")).isNotEqualTo(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  }

  @Test
  void zeroRatioGivesAnEmptyPart() {
    Split s = RandomSplitter.ratios(Ratios.of(0.8, 0.2, 0), 3).split(Fixtures.plain(10));
    assertThat(s.size("test")).isZero();
    assertThat(s.parts()).containsKey("test");
    assertPartition(s, 10);
  }

  @Test
  void ratiosMustSumToOne() {
    assertThatThrownBy(() -> Ratios.of(0.7, 0.2, 0.2))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith("split ratios sum to 1.1 (")
        .hasMessageContaining("train 0.7 + val 0.2 + test 0.2");
    assertThat(Ratios.of(0.7, 0.15, 0.1500000001).shares()).hasSize(3); // within 1e-6
    assertThatThrownBy(() -> Ratios.of(1.2, -0.2, 0))
        .hasMessage("split ratio of 'train' is 1.2; ratios are between 0 and 1");
    assertThatThrownBy(() -> new Ratios(Map.of("val", 1.0)))
        .hasMessageStartingWith("split ratios need a positive 'train' share");
  }

  @Test
  void aPartWithAPositiveRatioThatGetsNoSampleIsAnError() {
    // 5 x (0.9, 0.05, 0.05) = 4.5, 0.25, 0.25 -> 4, 0, 0 + 1 to train: val would be empty
    assertThatThrownBy(
            () -> RandomSplitter.ratios(Ratios.of(0.9, 0.05, 0.05), 1).split(Fixtures.plain(5)))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith("random split: part 'val' (ratio 0.05) gets no sample of 5");
  }

  @Test
  void countsGiveTheRestToTrainOrMustAddUp() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("val", 2);
    counts.put("test", 3);
    Split s = RandomSplitter.counts(counts, 5).split(Fixtures.plain(10));
    assertThat(s.parts().keySet()).containsExactly("train", "val", "test");
    assertThat(new int[] {s.size("train"), s.size("val"), s.size("test")}).containsExactly(5, 2, 3);
    assertPartition(s, 10);

    Map<String, Integer> all = new LinkedHashMap<>();
    all.put("train", 5);
    all.put("val", 2);
    assertThatThrownBy(() -> RandomSplitter.counts(all, 5).split(Fixtures.plain(10)))
        .hasMessage(
            "random split: the counts add up to 7 but the dataset has 10 samples; leave 'train'"
                + " out to give it the rest");
    Map<String, Integer> tooMany = Map.of("val", 10);
    assertThatThrownBy(() -> RandomSplitter.counts(tooMany, 5).split(Fixtures.plain(10)))
        .hasMessageContaining("leave no training sample of 10");
  }
}
