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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitManifestTest {
  @TempDir Path dir;

  @Test
  void roundTripsAndReproducesTheSplitExactly() {
    ArrayDataset ds = Fixtures.classSorted(30, 20);
    Split s = new StratifiedSplitter("label", Ratios.of(0.6, 0.2, 0.2), 42).split(ds);
    Path file = dir.resolve("split.json");
    SplitManifest.of(ds, s).write(file);

    SplitManifest m = SplitManifest.read(file);
    Split back = m.splitFor(ds, file.toString());
    assertThat(back.hash()).isEqualTo(s.hash());
    assertThat(back.method()).isEqualTo("stratified(label)");
    assertThat(back.seed()).isEqualTo(42);
    for (String p : s.parts().keySet()) {
      assertThat(back.part(p)).containsExactly(s.part(p));
    }
    assertThat(back.parts().keySet()).containsExactlyElementsOf(s.parts().keySet());
    assertThat(m.ids().get("val")).hasSize(s.size("val")).contains(ds.id(s.part("val")[0]));
    assertThat(m.asSplitter(file.toString()).split(ds).hash()).isEqualTo(s.hash());
  }

  @Test
  void refusesAnotherDataset() {
    ArrayDataset ds = Fixtures.plain(6);
    Split s = RandomSplitter.ratios(Ratios.of(0.5, 0.5), 1).split(ds);
    SplitManifest m = SplitManifest.of(ds, s);
    assertThatThrownBy(() -> m.splitFor(Fixtures.plain(7), "split.json"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("split.json: the split was made on 6 samples, this dataset has 7");
    List<String> ids = new ArrayList<>(List.of("0", "1", "2", "3", "4", "5"));
    ids.set(3, "x");
    ArrayDataset other =
        ArrayDataset.builder(new float[][] {{0}, {1}, {2}, {3}, {4}, {5}}).optIds(ids).build();
    assertThatThrownBy(() -> m.splitFor(other, "split.json"))
        .hasMessage(
            "split.json: the dataset changed since the split was made: sample 3 was '3', now it is"
                + " 'x'");
  }

  @Test
  void refusesBrokenFiles() throws IOException {
    ArrayDataset ds = Fixtures.plain(4);
    Split s = RandomSplitter.ratios(Ratios.of(0.5, 0.5), 1).split(ds);
    Path file = dir.resolve("split.json");
    SplitManifest.of(ds, s).write(file);
    String json = Files.readString(file);

    Files.writeString(file, json.replaceFirst("\"indices\" : \\[ (\\d)", "\"indices\" : [ 9"));
    assertThatThrownBy(() -> SplitManifest.read(file))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("indices[0] = 9 is not an index below 4");

    // an index in two parts
    int t0 = s.part("train")[0];
    int v0 = s.part("val")[0];
    String moved =
        json.replaceFirst("\"indices\" : \\[ " + v0 + " ", "\"indices\" : [ " + t0 + " ")
            .replaceFirst("\"indices\" : \\[ " + v0 + ",", "\"indices\" : [ " + t0 + ",");
    Files.writeString(file, moved);
    assertThatThrownBy(() -> SplitManifest.read(file))
        .hasMessage(file + ": index " + t0 + " is in part 'train' and in part 'val'");

    Files.writeString(file, "{\"format\":\"other\"}");
    assertThatThrownBy(() -> SplitManifest.read(file))
        .hasMessage(file + ": not a split manifest (format must be 'holdout-split/1')");
    Files.writeString(file, "{\"format\":");
    assertThatThrownBy(() -> SplitManifest.read(file)).hasMessageStartingWith(file + ":1:");
  }

  @Test
  void anEditedManifestIsRefusedUnlessItsHashIsRemoved() throws IOException {
    ArrayDataset ds = Fixtures.plain(4);
    Split s = new OrderedSplitter(Ratios.of(0.5, 0.5)).split(ds); // train 0 1, val 2 3
    Path file = dir.resolve("split.json");
    SplitManifest.of(ds, s).write(file);
    String json = Files.readString(file).replace("[ 0, 1 ]", "[ 1, 0 ]");
    Files.writeString(file, json);
    assertThatThrownBy(() -> SplitManifest.read(file))
        .hasMessageContaining("does not match the parts");
    Files.writeString(file, json.replaceAll("\"hash\" : \"[0-9a-f]+\",", ""));
    assertThat(SplitManifest.read(file).split().part("train")).containsExactly(1, 0);
  }
}
