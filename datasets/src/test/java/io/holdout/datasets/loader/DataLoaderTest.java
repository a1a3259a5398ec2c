package io.holdout.datasets.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.datasets.ArrayDataset;
import io.holdout.datasets.Fixtures;
import io.holdout.datasets.transform.SampleTransform;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  private static List<Batch> all(Iterator<Batch> it) {
    List<Batch> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static List<String> ids(List<Batch> batches) {
    List<String> out = new ArrayList<>();
    batches.forEach(b -> out.addAll(b.ids()));
    return out;
  }

  @Test
  void collatesFieldsIntoDirectBuffers() {
    ArrayDataset ds = Fixtures.classSorted(3, 2); // inputs [i, 10 i], labels 0 0 0 1 1
    try (DataLoader loader = DataLoader.builder(ds, 2).optShuffle(false).build()) {
      assertThat(loader.stepsPerEpoch()).isEqualTo(3); // ceil(5 / 2)
      List<Batch> batches = all(loader.epoch(0));
      assertThat(batches).hasSize(3);
      Batch b = batches.get(1);
      Tensor x = b.input();
      assertThat(x.shape()).containsExactly(2, 2);
      assertThat(x.dtype()).isEqualTo(DType.FLOAT32);
      assertThat(x.buffer().isDirect()).isTrue();
      assertThat(x.toFloatArray()).containsExactly(2f, 20f, 3f, 30f);
      Tensor y = b.get("label");
      assertThat(y.dtype()).isEqualTo(DType.INT64);
      assertThat(y.shape()).containsExactly(2);
      assertThat(y.toLongArray()).containsExactly(0L, 1L);
      assertThat(b.ids()).containsExactly("2", "3");
      assertThat(batches.get(2).size()).isEqualTo(1);
    }
  }

  @Test
  void dropLastFloorsTheSteps() {
    try (DataLoader loader = DataLoader.builder(Fixtures.plain(10), 3).optShuffle(false).optDropLast(true).build()) {
      assertThat(loader.stepsPerEpoch()).isEqualTo(3);
      assertThat(all(loader.epoch(0))).hasSize(3).allMatch(b -> b.size() == 3);
    }
  }

  @Test
  void shuffleIsSeededPerEpoch() {
    ArrayDataset ds = Fixtures.plain(20);
    try (DataLoader a = DataLoader.builder(ds, 4).optShuffle(true).optSeed(9).build();
        DataLoader b = DataLoader.builder(ds, 4).optShuffle(true).optSeed(9).build()) {
      List<String> e0 = ids(all(a.epoch(0)));
      List<String> e1 = ids(all(a.epoch(1)));
      assertThat(e0).containsExactlyInAnyOrderElementsOf(e1);
      assertThat(e0).isNotEqualTo(e1);
      assertThat(ids(all(b.epoch(1)))).isEqualTo(e1);
      assertThat(ids(all(b.epoch(0)))).isEqualTo(e0);
    }
  }

  /** The default is a training loader, as in the CLI: shuffled, seeded, a new order each epoch. */
  @Test
  void shufflesByDefault() {
    ArrayDataset ds = Fixtures.classSorted(10, 3);
    try (DataLoader plain = DataLoader.builder(ds, 4).optSeed(9).build();
        DataLoader shuffled = DataLoader.builder(ds, 4).optShuffle(true).optSeed(9).build();
        DataLoader ordered = DataLoader.builder(ds, 4).optShuffle(false).build()) {
      List<String> inOrder = ids(all(ordered.epoch(0)));
      assertThat(ids(all(plain.epoch(0)))).isEqualTo(ids(all(shuffled.epoch(0)))).isNotEqualTo(inOrder)
          .containsExactlyInAnyOrderElementsOf(inOrder);
      assertThat(ids(all(plain.epoch(1)))).isEqualTo(ids(all(shuffled.epoch(1))));
    }
  }

  /** Adds seeded noise to the input, so that determinism covers the transform's generator too. */
  private static final SampleTransform NOISE =
      (s, rng) -> {
        float[] x = s.input().floats().clone();
        for (int i = 0; i < x.length; i++) {
          x[i] += rng.nextFloat();
        }
        Map<String, Field> f = new LinkedHashMap<>(s.fields());
        f.put(Batch.INPUT, Field.floats(s.input().shape(), x));
        return new Sample(s.id(), f);
      };

  @Test
  void sameBatchesWhateverTheNumberOfWorkers() {
    ArrayDataset ds = Fixtures.classSorted(37, 26);
    List<float[]> reference = null;
    for (int workers : new int[] {0, 1, 4}) {
      try (DataLoader loader =
          DataLoader.builder(ds, 5)
              .optShuffle(true)
              .optSeed(3)
              .optNumWorkers(workers)
              .optPrefetch(3)
              .optTransform(NOISE)
              .build()) {
        List<float[]> got = new ArrayList<>();
        for (int epoch = 0; epoch < 2; epoch++) {
          for (Batch b : all(loader.epoch(epoch))) {
            got.add(b.input().toFloatArray());
            got.add(toFloats(b.get("label").toLongArray()));
          }
        }
        if (reference == null) {
          reference = got;
        } else {
          assertThat(got).as("numWorkers %d", workers).hasSameSizeAs(reference);
          for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i))
                .as("numWorkers %d, tensor %d", workers, i)
                .containsExactly(reference.get(i));
          }
        }
        assertThat(loader.lastEpochWaitSeconds()).isGreaterThanOrEqualTo(0);
      }
    }
  }

  private static float[] toFloats(long[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static io.holdout.api.data.Dataset broken(int bad) {
    ArrayDataset base = Fixtures.plain(12);
    return new io.holdout.api.data.Dataset() {
      @Override
      public DatasetSchema schema() {
        return base.schema();
      }

      @Override
      public int size() {
        return base.size();
      }

      @Override
      public Sample get(int index) {
        if (index == bad) {
          throw new HoldoutException("img/" + index + ".png: not a readable image");
        }
        return base.get(index);
      }

      @Override
      public String describe(int index) {
        return "img/" + index + ".png";
      }
    };
  }

  @Test
  void aWorkerFailureSurfacesWithTheSampleIndexAndPath() {
    for (int workers : new int[] {0, 2}) {
      try (DataLoader loader = DataLoader.builder(broken(7), 4).optShuffle(false).optNumWorkers(workers).build()) {
        Iterator<Batch> it = loader.epoch(0);
        assertThat(it.next().ids()).containsExactly("0", "1", "2", "3");
        assertThatThrownBy(it::next)
            .isInstanceOf(HoldoutException.class)
            .hasMessage("sample 7 (img/7.png): img/7.png: not a readable image");
      }
    }
  }

  @Test
  void skipBadSamplesReportsWhatItLeavesOut() {
    try (DataLoader loader =
        DataLoader.builder(broken(7), 4).optShuffle(false).optNumWorkers(2).optSkipBadSamples(true).build()) {
      List<Batch> batches = all(loader.epoch(0));
      assertThat(batches).extracting(Batch::size).containsExactly(4, 3, 4);
      assertThat(ids(batches)).doesNotContain("7").hasSize(11);
      assertThat(loader.skippedSamples())
          .containsExactly(
              "epoch 0: skipped sample 7 (img/7.png): img/7.png: not a readable image");
    }
  }

  @Test
  void closeStopsTheWorkers() throws InterruptedException {
    DataLoader loader = DataLoader.builder(Fixtures.plain(100), 2).optShuffle(false).optNumWorkers(3).build();
    Iterator<Batch> it = loader.epoch(0);
    it.next();
    assertThat(loaderThreads()).isGreaterThanOrEqualTo(1);
    loader.close();
    for (int i = 0; i < 100 && loaderThreads() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(loaderThreads()).isZero();
    assertThatThrownBy(() -> loader.epoch(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class);
  }

  private static long loaderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("holdout-loader-") && t.isAlive())
        .count();
  }

  @Test
  void batchSizeChecks() {
    assertThatThrownBy(() -> DataLoader.builder(Fixtures.plain(5), 0))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("batch size must be a positive number of samples, not 0");
    assertThatThrownBy(() -> DataLoader.builder(Fixtures.plain(5), 8).optShuffle(false).optDropLast(true).build())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(
            "batch size 8 is larger than the 5 samples, and with drop-last no batch would come"
                + " out: use a batch size of at most 5");
    try (DataLoader loader = DataLoader.builder(Fixtures.plain(5), 8).optShuffle(false).build()) {
      assertThat(loader.warnings())
          .containsExactly(
              "batch size 8 is larger than the 5 samples: each epoch is one batch of 5");
      assertThat(loader.stepsPerEpoch()).isEqualTo(1);
    }
  }

  @Test
  void anEmptyPartGivesNoBatches() {
    io.holdout.datasets.Subset empty =
        new io.holdout.datasets.Subset(Fixtures.plain(5), new int[0]);
    try (DataLoader loader = DataLoader.builder(empty, 4).optShuffle(false).optNumWorkers(2).build()) {
      assertThat(loader.stepsPerEpoch()).isZero();
      assertThat(loader.epoch(0).hasNext()).isFalse();
    }
  }

  @Test
  void padsVariableLengthDetectionFields() {
    DatasetSchema schema =
        new DatasetSchema(
            new long[] {1},
            List.of(),
            Map.of(
                "boxes",
                    new TargetInfo(
                        io.holdout.api.data.TargetKind.DETECTION, new long[] {-1, 4}, List.of("a")),
                "labels",
                    new TargetInfo(
                        io.holdout.api.data.TargetKind.DETECTION, new long[] {-1}, List.of("a"))));
    List<Sample> samples = new ArrayList<>();
    samples.add(detection("one", new float[] {0, 0, 1, 1}, 1));
    samples.add(detection("none", new float[0]));
    samples.add(detection("two", new float[] {0, 0, .5f, .5f, .5f, .5f, 1, 1}, 1, 1));
    ArrayDataset ds = ArrayDataset.ofSamples(schema, samples);
    try (DataLoader loader = DataLoader.builder(ds, 3).optShuffle(false).build()) {
      Batch b = loader.epoch(0).next();
      assertThat(b.get("boxes").shape()).containsExactly(3, 2, 4);
      assertThat(b.get("labels").toLongArray()).containsExactly(1, -1, -1, -1, 1, 1);
      assertThat(b.get("boxes").toFloatArray())
          .containsExactly(
              0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .5f, .5f, .5f, .5f, 1, 1);
    }
    // without padding, differing shapes are an error naming both samples
    Collator strict = new Collator(java.util.Set.of());
    assertThatThrownBy(() -> strict.collate(samples, List.of("s0", "s1", "s2")))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("cannot batch field 'boxes': s1 has FLOAT32[0, 4] but s0 has FLOAT32[1, 4]");
  }

  private static Sample detection(String id, float[] boxes, long... labels) {
    Map<String, Field> f = new LinkedHashMap<>();
    f.put(Batch.INPUT, Field.vector(1f));
    f.put("boxes", Field.floats(new long[] {labels.length, 4}, boxes));
    f.put("labels", Field.longs(new long[] {labels.length}, labels));
    return new Sample(id, f);
  }
}
