package io.holdout.datasets.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.data.Split;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.Datasets;
import io.holdout.datasets.RealData;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.datasets.split.LeakageCheck;
import io.holdout.datasets.split.OrderedSplitter;
import io.holdout.datasets.split.Ratios;
import io.holdout.datasets.split.StratifiedSplitter;
import io.holdout.datasets.transform.Standardizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled breast-cancer and digits tables through the CSV source, splitter and loader. */
class RealDataTest {
  @Test
  void breastCancer() {
    CsvDataset ds =
        CsvSource.builder(RealData.breastCancer()).classTarget("diagnosis", "diagnosis").open();
    assertThat(ds.size()).isEqualTo(569);
    assertThat(ds.schema().inputShape()).containsExactly(30);
    assertThat(ds.features().get(0)).isEqualTo("mean_radius");
    assertThat(ds.schema().target("diagnosis").classes()).containsExactly("benign", "malignant");
    assertThat(ds.get(0).input().floats()[0]).isEqualTo(17.99f);
    assertThat(ds.label(0, "diagnosis")).hasValue(1); // malignant
    long malignant = 0;
    for (long l : Datasets.labels(ds, "diagnosis")) {
      malignant += l;
    }
    assertThat(malignant).isEqualTo(212);
    // population mean and std of mean_radius over all 569 rows, computed with Python's statistics
    Standardizer all = Standardizer.fit(ds);
    assertThat((double) all.mean()[0]).isCloseTo(14.127291739894552, within(1e-4));
    assertThat((double) all.std()[0]).isCloseTo(3.520950760711062, within(1e-4));

    Split s = new StratifiedSplitter("diagnosis", Ratios.of(0.7, 0.15, 0.15), 42).split(ds);
    // 212 malignant x 0.15 = 31.8 -> 31 or 32 in val
    long valMalignant = 0;
    for (int i : s.part("val")) {
      valMalignant += ds.label(i, "diagnosis").getAsLong();
    }
    assertThat(valMalignant).isBetween(31L, 32L);
    Standardizer train = Standardizer.fit(Datasets.part(ds, s, "train"));
    assertThat(train.samples()).isEqualTo(s.size("train"));
    assertThat(train.mean()[0]).isNotEqualTo(all.mean()[0]);
  }

  @Test
  void digitsThroughTheLoader() {
    CsvDataset ds = CsvSource.builder(RealData.digits()).classTarget("digit", "digit").open();
    assertThat(ds.size()).isEqualTo(1797);
    assertThat(ds.schema().inputShape()).containsExactly(64);
    assertThat(ds.schema().target("digit").classes())
        .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(ds.get(0).input().floats()).startsWith(0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15);
    assertThat(ds.label(1796, "digit")).hasValue(8);
    Split s = new StratifiedSplitter("digit", Ratios.of(0.8, 0.2), 1).split(ds);
    try (DataLoader loader =
        DataLoader.builder(Datasets.part(ds, s, "train"), 64)
            .optShuffle(true)
            .optNumWorkers(2)
            .build()) {
      assertThat(loader.stepsPerEpoch()).isEqualTo((s.size("train") + 63) / 64);
      int seen = 0;
      Iterator<Batch> it = loader.epoch(0);
      while (it.hasNext()) {
        Batch b = it.next();
        assertThat(b.input().shape()[1]).isEqualTo(64);
        seen += b.size();
      }
      assertThat(seen).isEqualTo(s.size("train"));
    }
  }

  @Test
  void leakageCheckFindsDuplicatesPlantedInTheRealDigits(@TempDir Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(RealData.digits()))) {
      lines.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
    }
    // plant copies of rows 10, 500 and 1000 at the end (lines 2..1798 are the data)
    lines.add(lines.get(11));
    lines.add(lines.get(501));
    lines.add(lines.get(1001));
    Path file = dir.resolve("digits-with-copies.csv");
    Files.write(file, lines);
    CsvDataset ds = CsvSource.builder(file).classTarget("digit", "digit").open();
    assertThat(ds.size()).isEqualTo(1800);
    // in file order the copies land in test (the last 180 rows), their originals in train
    Split s = new OrderedSplitter(Ratios.of(0.8, 0.1, 0.1)).split(ds);
    LeakageCheck.Report r = LeakageCheck.run(ds, s, 2);
    assertThat(r.duplicates()).hasSize(3);
    assertThat(r.duplicatesWithinParts()).isZero();
    LeakageCheck.Duplicate first = r.duplicates().get(0);
    assertThat(first.occurrences())
        .extracting(LeakageCheck.Occurrence::part, LeakageCheck.Occurrence::index)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("train", 10),
            org.assertj.core.groups.Tuple.tuple("test", 1797));
    assertThat(first.occurrences().get(1).id()).isEqualTo("digits-with-copies.csv:1799");
  }
}
