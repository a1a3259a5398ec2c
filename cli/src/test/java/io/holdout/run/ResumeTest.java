package io.holdout.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.io.Safetensors;
import io.holdout.api.train.RunState;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume on PyTorch/CPU: a run interrupted after epoch k — by an exception, or by SIGKILL
 * from outside at several points — and resumed with {@code --resume} ends with the same metrics as
 * an uninterrupted run.
 */
class ResumeTest {
  static final Path IRIS = Path.of("../examples/data/iris.csv").toAbsolutePath().normalize();
  @TempDir Path dir;

  Path config(String name) throws Exception {
    String yaml = """
        name: %s
        seed: 11
        runs: %s
        data:
          path: %s
          features: [sepal_length, sepal_width, petal_length]
          targets: {species: {type: class}, petal_width: {type: number}}
          standardize: true
        split: {type: stratified}
        loader: {batchSize: 16}
        model:
          layers: [{type: dense, units: 16}, {type: relu}, {type: dropout, rate: 0.2}]
          heads: {species: {type: classification}, petal_width: {type: regression}}
        loss:
          - {name: regression, type: mse, output: petal_width}
          - {name: classification, type: cross_entropy, output: species}
        optimizer: {type: adam, lr: 0.02}
        trainer:
          epochs: 8
          plateau: {patience: 1, factor: 0.5}
          schedule: {type: cosine, warmupEpochs: 1}
          progress: none
        engine: {intraOpThreads: 1}
        """.formatted(name, dir.resolve("runs"), IRIS);
    return Files.writeString(dir.resolve(name + ".yaml"), yaml);
  }

  static LoadedConfig load(Path cfg) {
    return ConfigLoader.load(cfg, List.of());
  }

  /** metrics.csv without the timing columns, which differ from run to run. */
  static List<String> numbers(Path run) throws Exception {
    List<String> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> header = List.of(lines.get(0).split(",", -1));
    for (String line : lines) {
      String[] v = line.split(",", -1);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < v.length; i++) {
        String col = header.get(i);
        if (!col.equals("seconds") && !col.equals("samples_per_s") && !col.equals("data_wait_s")) {
          sb.append(v[i]).append(',');
        }
      }
      out.add(sb.toString());
    }
    return out;
  }

  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void resumeAfterAnInterruptionEqualsAnUninterruptedRun() throws Exception {
    StringWriter sink = new StringWriter();
    Path clean = Experiment.run(load(config("clean")), new PrintWriter(sink)).runFolder();
    LoadedConfig crashing = load(config("crash"));
    TrainingListener crashAfter3 = new TrainingListener() {
      @Override public void onEpochCommitted(TrainingContext ctx, RunState state) {
        if (state.completedEpochs() == 3) {
          throw new Crash();
        }
      }
    };
    assertThatThrownBy(() -> Experiment.run(crashing, new PrintWriter(sink), List.of(crashAfter3)))
        .isInstanceOf(Crash.class);
    Path interrupted;
    try (var s = Files.list(dir.resolve("runs"))) {
      interrupted = s.filter(p -> p.getFileName().toString().startsWith("crash-")).findFirst().orElseThrow();
    }
    assertThat(Checkpoints.read(interrupted.resolve("checkpoints/last.safetensors")).epoch()).isEqualTo(3);
    Experiment.resume(interrupted, new PrintWriter(sink));
    assertThat(numbers(interrupted)).isEqualTo(numbers(clean));
    assertThat(Safetensors.read(interrupted.resolve("weights.safetensors")).tensors().get("trunk.0.weight").toFloatArray())
        .containsExactly(Safetensors.read(clean.resolve("weights.safetensors")).tensors().get("trunk.0.weight").toFloatArray());
  }

  @Test
  void processKilledWithSigkillAtSeveralPointsResumesToTheSameTestMetrics() throws Exception {
    StringWriter sink = new StringWriter();
    Path clean = Experiment.run(load(config("clean")), new PrintWriter(sink)).runFolder();
    List<String> expected = numbers(clean);
    String testRow = expected.get(expected.size() - 1);
    // kill points: as soon as the run folder exists (maybe before any checkpoint); once epoch 2's
    // rows exist (epoch 1's checkpoint is on disk, epoch 2's may be being written); once epoch 5's
    // rows exist. Polling is tight, so kills often land inside a checkpoint write.
    int[] killAfterRows = {0, 5, 11};
    int resumed = 0;
    for (int kk = 0; kk < killAfterRows.length; kk++) {
      final int k = kk;
      Path cfg = config("kill" + k);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.holdout.cli.Main", "train",
          cfg.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("kill" + k + ".log").toFile()).start();
      Path run = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (p.isAlive() && System.nanoTime() < deadline) {
        if (run == null) {
          try (var s = Files.list(dir.resolve("runs"))) {
            run = s.filter(x -> x.getFileName().toString().startsWith("kill" + k + "-")).findFirst().orElse(null);
          } catch (java.nio.file.NoSuchFileException e) {
            run = null;
          }
        }
        if (run != null) {
          Path csv = run.resolve("metrics.csv");
          long rows = Files.exists(csv) ? Files.readAllLines(csv).size() : 0;
          if (rows >= killAfterRows[k]) {
            p.destroyForcibly(); // SIGKILL on Linux
            break;
          }
        }
        Thread.sleep(2);
      }
      p.waitFor(30, TimeUnit.SECONDS);
      assertThat(run).as("run folder of kill point " + k).isNotNull();
      if (Files.exists(run.resolve("checkpoints/last.safetensors"))) {
        Experiment.resume(run, new PrintWriter(sink));
      } else {
        // killed before the first checkpoint: nothing to resume, and resume says so
        Path r = run;
        // (or killed before even config.yaml was written)
        assertThatThrownBy(() -> Experiment.resume(r, new PrintWriter(sink)))
            .hasMessageMatching(".*(nothing to resume|not a run folder).*");
        continue;
      }
      resumed++;
      List<String> got = numbers(run);
      assertThat(got.get(got.size() - 1)).as("test row after kill point " + k).isEqualTo(testRow);
      assertThat(got).isEqualTo(expected);
    }
    assertThat(resumed).as("kill points that left a checkpoint to resume").isGreaterThanOrEqualTo(2);
  }
}
