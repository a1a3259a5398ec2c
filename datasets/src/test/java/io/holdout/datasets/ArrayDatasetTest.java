package io.holdout.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Split;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArrayDatasetTest {
  @Test
  void buildsSamplesFromArraysAndCopiesThem() {
    float[][] x = {{1, 2, 3, 4}, {5, 6, 7, 8}};
    ArrayDataset ds =
        ArrayDataset.builder(x)
            .optInputShape(1, 2, 2)
            .addClassTarget("label", new long[] {1, 0}, List.of("a", "b"))
            .addNumberTarget("y", new float[][] {{0.5f}, {1.5f}})
            .optIds(List.of("first", "second"))
            .build();
    x[0][0] = 99;
    assertThat(ds.schema().inputShape()).containsExactly(1, 2, 2);
    assertThat(ds.get(0).input().floats()).containsExactly(1, 2, 3, 4);
    assertThat(ds.get(0).input().shape()).containsExactly(1, 2, 2);
    assertThat(ds.get(1).field("y").floats()).containsExactly(1.5f);
    assertThat(ds.label(0, "label")).hasValue(1);
    assertThat(ds.label(0, "y")).isEmpty();
    assertThat(ds.id(1)).isEqualTo("second");
  }

  @Test
  void rejectsBadArrays() {
    assertThatThrownBy(
            () ->
                ArrayDataset.builder(new float[][] {{1}, {2}})
                    .addClassTarget("label", new long[] {0, 2}, List.of("a", "b")))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("target 'label': label 2 of sample 1 is outside [0, 2)");
    assertThatThrownBy(() -> ArrayDataset.builder(new float[][] {{1}, {Float.NaN}}).build())
        .hasMessage("inputs[1][0] is NaN, not a finite number");
    assertThatThrownBy(() -> ArrayDataset.builder(new float[][] {{1}, {2, 3}}).build())
        .hasMessage("inputs[1] has 2 values, inputs[0] has 1");
  }

  @Test
  void subsetViewsThePartOfASplit() {
    ArrayDataset ds = Fixtures.classSorted(3, 2);
    Split split = new Split(Map.of("train", new int[] {4, 0}, "val", new int[] {1}), 1, "test");
    Subset train = Datasets.part(ds, split, "train");
    assertThat(train.size()).isEqualTo(2);
    assertThat(train.get(0).input().floats()).containsExactly(4f, 40f);
    assertThat(train.label(0, "label")).hasValue(1);
    assertThat(train.baseIndex(1)).isEqualTo(0);
    assertThat(train.id(0)).isEqualTo("4");
    assertThat(Datasets.part(ds, split, "test").size()).isZero();
    assertThat(Datasets.labels(train, "label")).containsExactly(1, 0);
    assertThatThrownBy(() -> new Subset(ds, new int[] {5}))
        .hasMessage("index 5 is outside the dataset of 5 samples");
  }
}
