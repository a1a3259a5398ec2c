package io.holdout.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.metrics.Direction;
import io.holdout.api.train.Monitor;
import io.holdout.api.train.RunResult;
import io.holdout.api.train.Trainer;
import io.holdout.datasets.Datasets;
import io.holdout.datasets.csv.CsvSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.datasets.split.Ratios;
import io.holdout.datasets.split.StratifiedSplitter;
import io.holdout.datasets.transform.Standardizer;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.losses.metrics.Accuracy;
import io.holdout.losses.metrics.Bootstrap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's "use it as a library" program, compiled and run as written there (no YAML). */
class LibraryUsageTest {
  @Test
  void readmeProgramTrainsIris() {
    Path csv = Path.of("../examples/data/iris.csv");
    // --- README code starts ---
    Dataset iris = CsvSource.builder(csv)
        .features("sepal_length", "sepal_width", "petal_length")
        .classTarget("species", "species")
        .target("petal_width", "petal_width", TargetKind.NUMBER)
        .open();
    Split split = new StratifiedSplitter("species", Ratios.of(0.7, 0.15, 0.15), 42).split(iris);
    Standardizer std = Standardizer.fit(Datasets.part(iris, split, Split.TRAIN));
    // training batches are shuffled (a new seeded order each epoch), as in the CLI; val and test in order
    DataLoader train = DataLoader.builder(std.applyTo(Datasets.part(iris, split, Split.TRAIN)), 16).optSeed(42).build();
    DataLoader val = DataLoader.builder(std.applyTo(Datasets.part(iris, split, Split.VAL)), 16).optShuffle(false).build();
    DataLoader test = DataLoader.builder(std.applyTo(Datasets.part(iris, split, Split.TEST)), 16).optShuffle(false).build();

    ModelSpec model = new ModelSpec(new long[] {3},
        List.of(new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(32), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3),
                HeadSpec.dense("petal_width", HeadKind.REGRESSION, 1)));
    LossSpec loss = new LossSpec(List.of(
        LossComponentSpec.of("regression", "mse", 1.0, "petal_width", "petal_width"),
        LossComponentSpec.of("classification", "cross_entropy", 1.0, "species", "species")));

    Backend backend = new PyTorchBackend();
    RunResult r;
    try (TrainingSession session = backend.open(new SessionSpec(model, Weights.initialize(model, 42), loss,
        OptimizerSpec.adam(0.01), Device.CPU, 42, 0, 0))) {
      r = Trainer.builder().setEpochs(40)
          .optMetrics(() -> List.of(new Accuracy("species", "species")))
          .optMonitor(new Monitor("val.total", Direction.MIN, 0))   // test on the best val epoch
          .optTestIntervals(Bootstrap.of(42).estimator())           // 95% intervals, as the CLI prints
          .build()
          .fit(session, train, val, test);
    }
    System.out.println("test loss " + r.test().loss().describe() + " | " + r.test().metrics() + " " + r.test().intervals());
    // --- README code ends ---
    assertThat(r.epochs()).hasSize(40);
    assertThat(r.test().metrics().get("species.accuracy")).isGreaterThanOrEqualTo(0.9);
    assertThat(r.lastEpoch().val().total()).isLessThan(r.epochs().get(0).val().total());
    assertThat(r.test().intervals().get("species.accuracy").low())
        .isLessThanOrEqualTo(r.test().metrics().get("species.accuracy"));
  }

  /** The README shows this program as it is run here: its block is this method's, line for line. */
  @Test
  void readmeShowsThisProgramAsWritten() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    int at = readme.indexOf("## Use it as a library");
    int start = readme.indexOf("```java\n", at) + "```java\n".length();
    List<String> shown = readme.substring(start, readme.indexOf("```", start)).strip().lines().toList();
    String me = Files.readString(Path.of("src/test/java/io/holdout/run/LibraryUsageTest.java"));
    String body = me.substring(me.indexOf("// --- README code starts ---\n") + "// --- README code starts ---\n".length(),
        me.indexOf("    // --- README code ends ---"));
    List<String> run = body.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l).toList();
    assertThat(shown.get(0)).isEqualTo("Path csv = Path.of(\"examples/data/iris.csv\");");
    assertThat(shown.subList(1, shown.size())).containsExactlyElementsOf(run);
  }
}
