package io.holdout.datasets.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.datasets.ArrayDataset;
import io.holdout.datasets.Subset;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandardizerTest {
  private final ArrayDataset ds =
      ArrayDataset.builder(new float[][] {{1, 5, 0}, {3, 5, 10}, {5, 5, 20}, {100, -7, 1000}})
          .optInputNames(List.of("a", "b", "c"))
          .build();

  @Test
  void fitsOnTheTrainingPartOnly() {
    Subset train = new Subset(ds, new int[] {0, 1, 2}, "train");
    Standardizer st = Standardizer.fit(train);
    // a: 1, 3, 5 -> mean 3, population std sqrt(8/3); b constant -> std 1; c: 0, 10, 20
    assertThat(st.mean()).containsExactly(3f, 5f, 10f);
    assertThat(st.std()[0])
        .isCloseTo((float) Math.sqrt(8.0 / 3), org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(st.std()[1]).isEqualTo(1f);
    assertThat(st.std()[2])
        .isCloseTo((float) Math.sqrt(200.0 / 3), org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(st.features()).containsExactly("a", "b", "c");
    assertThat(st.samples()).isEqualTo(3);

    // applied to the held-out sample with the training statistics
    float[] held = st.applyTo(new Subset(ds, new int[] {3})).get(0).input().floats();
    assertThat(held[0])
        .isCloseTo((100f - 3f) / st.std()[0], org.assertj.core.data.Offset.offset(1e-4f));
    assertThat(held[1]).isEqualTo(-12f);
    // the dataset itself is unchanged
    assertThat(ds.get(3).input().floats()).containsExactly(100f, -7f, 1000f);
  }

  @Test
  void roundTripsThroughJson(@TempDir Path dir) {
    Standardizer st = Standardizer.fit(ds);
    Path file = dir.resolve("standardizer.json");
    st.write(file);
    Standardizer back = Standardizer.read(file);
    assertThat(back).isEqualTo(st);
    assertThat(back.mean()).containsExactly(st.mean());
    assertThat(st.toJson()).contains("\"type\" : \"standardize\"");
  }

  @Test
  void badRecordsAndEmptyTrainingParts() {
    assertThatThrownBy(() -> Standardizer.fromJson("{\"type\":\"x\"}", "s.json"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("s.json: not a standardizer record (type must be 'standardize')");
    assertThatThrownBy(() -> Standardizer.fromJson("{\n\"type\":", "s.json"))
        .hasMessageStartingWith("s.json:2:");
    assertThatThrownBy(() -> Standardizer.fit(new Subset(ds, new int[0])))
        .hasMessage("standardizer: the training part is empty, nothing to fit on");
  }
}
