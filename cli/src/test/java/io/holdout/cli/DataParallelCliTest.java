package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.io.Safetensors;
import io.holdout.api.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trainer.dataParallel} through the CLI, on embedded Spark ({@code local[N]}): the shards run
 * as Spark tasks, validation and test in the driver's session.
 */
class DataParallelCliTest {
  private static final List<String> TIMINGS = List.of("seconds", "samples_per_s", "data_wait_s");

  @TempDir Path dir;

  /** Every number of metrics.csv except the timings, row by row. */
  static List<double[]> numbers(Path run) throws Exception {
    List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
    String[] header = lines.get(0).split(",", -1);
    List<double[]> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(",", -1);
      double[] row = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        row[i] = i == 1 ? v[i].hashCode() : TIMINGS.contains(header[i]) || v[i].isEmpty() ? 0 : Double.parseDouble(v[i]);
      }
      out.add(row);
    }
    return out;
  }

  static void assertClose(List<double[]> a, List<double[]> b, double rel) {
    assertThat(b).hasSameSizeAs(a);
    for (int r = 0; r < a.size(); r++) {
      for (int i = 0; i < a.get(r).length; i++) {
        double x = a.get(r)[i];
        double y = b.get(r)[i];
        assertThat(Math.abs(x - y)).as("metrics.csv row %d column %d: %s vs %s", r + 1, i, x, y)
            .isLessThanOrEqualTo(rel * Math.max(1e-3, Math.abs(x)));
      }
    }
  }

  static CliFixture.Result train(Path cfg, String... sets) {
    List<String> args = new ArrayList<>(List.of("train", cfg.toString()));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    CliFixture.Result r = CliFixture.run(args.toArray(String[]::new));
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    return r;
  }

  /**
   * SGD with momentum, one step per average, two shards: every epoch's train and val losses and
   * metrics equal the single-process run's, including the last batch of each epoch (9 rows, cut 4 + 5
   * and weighted by samples) and the test figures.
   */
  @Test
  void oneStepPerAverageOnTwoShardsEqualsTheSingleProcessRun() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "pytorch", 4);
    String[] sgd = {"optimizer.type=sgd", "optimizer.lr=0.05", "optimizer.momentum=0.9"};
    Path single = TrainCommandTest.runFolder(train(cfg, sgd));
    List<String> dp = new ArrayList<>(List.of(sgd));
    dp.addAll(List.of("trainer.dataParallel.shards=2", "trainer.dataParallel.master=local[2]"));
    CliFixture.Result r = train(cfg, dp.toArray(String[]::new));
    assertThat(r.out()).contains("data-parallel: 2 shards on spark local[2], 1 step per average");
    Path parallel = TrainCommandTest.runFolder(r);

    // training moved the losses, so equality means something
    List<double[]> a = numbers(single);
    assertThat(a.get(a.size() - 2)[2]).isLessThan(0.8 * a.get(0)[2]);
    assertClose(a, numbers(parallel), 1e-5);
    Map<String, Tensor> w1 = Safetensors.read(single.resolve("weights.safetensors")).tensors();
    Map<String, Tensor> w2 = Safetensors.read(parallel.resolve("weights.safetensors")).tensors();
    assertThat(w2.keySet()).isEqualTo(w1.keySet());
    w1.forEach((k, t) -> {
      float[] x = t.toFloatArray();
      float[] y = w2.get(k).toFloatArray();
      for (int i = 0; i < x.length; i++) {
        assertThat((double) Math.abs(x[i] - y[i])).as(k).isLessThanOrEqualTo(1e-5);
      }
    });
  }

  /** Three shards, two local steps per average, on TensorFlow: the same config trains on any backend. */
  @Test
  void localStepsTrainOnAnyBackend() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "tensorflow", 4);
    CliFixture.Result r = train(cfg, "trainer.dataParallel.shards=3", "trainer.dataParallel.localSteps=2",
        "trainer.dataParallel.master=local[2]");
    assertThat(r.out()).contains("data-parallel: 3 shards on spark local[2], 2 steps per average");
    List<double[]> rows = numbers(TrainCommandTest.runFolder(r));
    assertThat(rows.get(rows.size() - 2)[2]).as("val loss falls").isLessThan(0.8 * rows.get(1)[2]);
  }

  @Test
  void badSettingsAreOneLineWithExitCodeTwo() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "pytorch", 1);
    CliFixture.Result r = CliFixture.run("train", cfg.toString(), "--set", "trainer.dataParallel.executor=nosuch");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains("trainer.dataParallel.executor 'nosuch' is not installed")
        .contains("installed: spark");
    r = CliFixture.run("train", cfg.toString(), "--set", "trainer.dataParallel.shards=17");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains("'trainer.dataParallel.shards' is 17 but 'loader.batchSize' is 16");
    r = CliFixture.run("train", cfg.toString(), "--set", "trainer.dataParallel.master=nosuch://x");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n")
        .contains("trainer.dataParallel: master 'nosuch://x': expected local[N]");
    assertThat(dir.resolve("runs")).as("a run that could not start leaves no folder").doesNotExist();
  }
}
