package io.holdout.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
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
 * Exact resume on PyTorch/CPU: a run interrupted anywhere — by an exception, by a halt at each
 * stage of a run, or by SIGKILL from outside — and resumed with {@code --resume} ends with the same
 * metrics, test report, weights and curves as an uninterrupted run; resume refuses a changed config
 * or changed data.
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

  /**
   * A checkpoint moves between engines: a run that stopped after epoch 3 on onnx resumes on
   * PyTorch (weights, Adam's moments and the step count under the same names) and ends where an
   * uninterrupted onnx run ends, every loss and metric in metrics.csv within 1e-4 relative.
   */
  @Test
  void aRunInterruptedOnOnnxResumesOnPyTorch() throws Exception {
    StringWriter sink = new StringWriter();
    Path clean = Experiment.run(ConfigLoader.load(config("onnxclean"), List.of("backend=onnx")), new PrintWriter(sink))
        .runFolder();
    TrainingListener crashAfter3 = new TrainingListener() {
      @Override public void onEpochCommitted(TrainingContext ctx, RunState state) {
        if (state.completedEpochs() == 3) {
          throw new Crash();
        }
      }
    };
    assertThatThrownBy(() -> Experiment.run(ConfigLoader.load(config("onnxcrash"), List.of("backend=onnx")),
        new PrintWriter(sink), List.of(crashAfter3))).isInstanceOf(Crash.class);
    Path interrupted = runFolder("onnxcrash");
    StringWriter resumed = new StringWriter();
    Experiment.resume(interrupted, List.of("backend=pytorch"), new PrintWriter(resumed), List.of());
    assertThat(resumed.toString()).contains("changed: backend=pytorch").contains("backend pytorch");
    List<String> a = numbers(interrupted);
    List<String> b = numbers(clean);
    assertThat(a).hasSameSizeAs(b).hasSize(1 + 2 * 8 + 1); // header, train and val per epoch, test
    assertClose(a, b, 1e-4);
  }

  /**
   * A data-parallel run (3 shards on embedded Spark, 2 local steps per average, with the dropout,
   * plateau and cosine schedule of this config) interrupted after epoch 3 resumes from its checkpoint
   * (the averaged weights and optimizer state, the shards' dropout stream) and ends with the
   * uninterrupted data-parallel run's metrics.csv.
   */
  @Test
  void aDataParallelRunResumes() throws Exception {
    List<String> dp = List.of("trainer.dataParallel.shards=3", "trainer.dataParallel.localSteps=2",
        "trainer.dataParallel.master=local[2]", "trainer.epochs=5");
    StringWriter sink = new StringWriter();
    Path clean = Experiment.run(ConfigLoader.load(config("dpclean"), dp), new PrintWriter(sink)).runFolder();
    assertThat(sink.toString()).contains("data-parallel: 3 shards");
    TrainingListener crashAfter3 = new TrainingListener() {
      @Override public void onEpochCommitted(TrainingContext ctx, RunState state) {
        if (state.completedEpochs() == 3) {
          throw new Crash();
        }
      }
    };
    assertThatThrownBy(() -> Experiment.run(ConfigLoader.load(config("dpcrash"), dp), new PrintWriter(sink),
        List.of(crashAfter3))).isInstanceOf(Crash.class);
    Path interrupted = runFolder("dpcrash");
    Experiment.resume(interrupted, new PrintWriter(sink));
    List<String> a = numbers(interrupted);
    List<String> b = numbers(clean);
    assertThat(a).hasSameSizeAs(b).hasSize(1 + 2 * 5 + 1);
    assertClose(a, b, 1e-6);
  }

  /** Every number of {@link #numbers} rows {@code a} within {@code rel} relative of {@code b}'s. */
  static void assertClose(List<String> a, List<String> b, double rel) {
    for (int row = 1; row < b.size(); row++) {
      String[] x = a.get(row).split(",", -1);
      String[] y = b.get(row).split(",", -1);
      for (int k = 2; k < y.length; k++) {
        if (!y[k].isEmpty()) {
          double want = Double.parseDouble(y[k]);
          assertThat(Double.parseDouble(x[k])).as("metrics.csv row %d column %d", row, k)
              .isCloseTo(want, within(rel * Math.abs(want) + 1e-9));
        }
      }
    }
  }

  /** Starts {@link CrashingRun} on {@code target} in a fresh JVM; returns its exit status. */
  int crashing(Path target, String point, String log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashingRun.class.getName(),
        target.toString(), point).redirectErrorStream(true).redirectOutput(dir.resolve(log + ".log").toFile()).start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("crashing run " + point + " ended").isTrue();
    return p.exitValue();
  }

  Path runFolder(String name) throws Exception {
    try (var s = Files.list(dir.resolve("runs"))) {
      return s.filter(x -> x.getFileName().toString().startsWith(name + "-")).findFirst().orElseThrow();
    }
  }

  /** The decoded pixels of a PNG. */
  static int[] pixels(Path png) throws Exception {
    java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  static String testReport(Path run) throws Exception {
    return Files.readString(run.resolve(RunFolder.TEST_REPORT));
  }

  /**
   * Each stage a process can die in — during epoch 1 (before any checkpoint), during a later epoch,
   * between an epoch's metrics row and its checkpoint, just after a checkpoint, after the last
   * epoch's checkpoint, during the test, after the test before the report — resumes to exactly the
   * clean run's metrics.csv (every epoch, timings aside), test report, weights and curves.png; a
   * second resume says the run is finished and changes nothing.
   */
  @Test
  void everyCrashPointResumesToTheFiguresOfARunThatNeverStopped() throws Exception {
    StringWriter sink = new StringWriter();
    Path clean = Experiment.run(load(config("clean")), new PrintWriter(sink)).runFolder();
    List<String> expected = numbers(clean);
    assertThat(expected).hasSize(1 + 2 * 8 + 1);
    String[] points = {"batch:1:3", "batch:4:2", "epoch-end:3", "committed:3", "committed:8", "test-batch", "end"};
    for (int i = 0; i < points.length; i++) {
      String name = "crash" + i;
      assertThat(crashing(config(name), points[i], name)).as("halted at " + points[i]).isEqualTo(CrashingRun.HALTED);
      Path run = runFolder(name);
      assertThat(run.resolve(RunFolder.TEST_REPORT)).as(points[i]).doesNotExist();
      StringWriter out = new StringWriter();
      Experiment.Outcome o = Experiment.resume(run, List.of(), new PrintWriter(out), List.of());
      assertThat(o.result()).as(points[i]).isNotNull();
      assertThat(numbers(run)).as("metrics.csv after a crash at " + points[i]).isEqualTo(expected);
      assertThat(testReport(run)).as(points[i]).isEqualTo(testReport(clean));
      assertThat(Safetensors.read(run.resolve(RunFolder.WEIGHTS)).tensors().get("trunk.0.weight").toFloatArray())
          .as(points[i])
          .containsExactly(Safetensors.read(clean.resolve(RunFolder.WEIGHTS)).tensors().get("trunk.0.weight")
              .toFloatArray());
      assertThat(pixels(run.resolve("curves.png"))).as("curves.png shows every epoch after " + points[i])
          .isEqualTo(pixels(clean.resolve("curves.png")));
      StringWriter again = new StringWriter();
      assertThat(Experiment.resume(run, List.of(), new PrintWriter(again), List.of()).result()).isNull();
      assertThat(again.toString()).startsWith("finished " + run).contains("nothing to resume");
      assertThat(numbers(run)).isEqualTo(expected);
    }
  }

  /** A run that stopped early and died before its test resumes to the test, not to more epochs. */
  @Test
  void aRunKilledAfterEarlyStoppingResumesToItsTestOnly() throws Exception {
    java.util.function.Function<String, Path> cfg = name -> {
      try {
        Path c = config(name);
        return Files.writeString(c, Files.readString(c).replace("plateau: {patience: 1, factor: 0.5}",
            "earlyStopping: {patience: 2}\n  minDelta: 100"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    StringWriter sink = new StringWriter();
    Path clean = Experiment.run(load(cfg.apply("early")), new PrintWriter(sink)).runFolder();
    assertThat(testReport(clean)).contains("early stopping");
    List<String> expected = numbers(clean);
    assertThat(expected).as("stopped after epoch 3").hasSize(1 + 2 * 3 + 1);
    assertThat(crashing(cfg.apply("earlycrash"), "stopped", "earlycrash")).isEqualTo(CrashingRun.HALTED);
    Path run = runFolder("earlycrash");
    StringWriter out = new StringWriter();
    Experiment.resume(run, List.of(), new PrintWriter(out), List.of());
    assertThat(out.toString()).contains("after epoch 3: training is done, the test is next");
    assertThat(numbers(run)).isEqualTo(expected);
    assertThat(testReport(run)).isEqualTo(testReport(clean));
  }

  /**
   * Resume refuses, with one line and exit 2, an edited config, a changed data file, and a change of
   * anything but the keys that may change; {@code --set trainer.epochs} extends an unfinished run
   * but not a finished one (its test split was used).
   */
  @Test
  void resumeRefusesAnEditedConfigOrChangedDataAndMayOnlyExtendEpochs() throws Exception {
    Path csv = Files.copy(IRIS, dir.resolve("iris-copy.csv"));
    Path cfg = Files.writeString(dir.resolve("copy.yaml"), Files.readString(config("copy")).replace(IRIS.toString(),
        csv.toString()));
    assertThat(crashing(cfg, "committed:3", "copy")).isEqualTo(CrashingRun.HALTED);
    Path run = runFolder("copy");
    Path runConfig = run.resolve(RunFolder.CONFIG);
    String original = Files.readString(runConfig);

    // an edited config is named key by key
    Files.writeString(runConfig, original.replace("seed: 11", "seed: 12"));
    io.holdout.cli.CliResult r = io.holdout.cli.CliResult.of("train", "--resume", run.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains(runConfig.toString())
        .contains("seed is 12 but the run started with 11");
    Files.writeString(runConfig, original);

    // --set of a key that may not change
    r = io.holdout.cli.CliResult.of("train", "--resume", run.toString(), "--set", "optimizer.lr=0.1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("optimizer.lr is 0.1 but the run started with 0.02");
    assertThat(Files.readString(runConfig)).isEqualTo(original);

    // the default callbacks (the writers of the run's own files) stay as the run started
    r = io.holdout.cli.CliResult.of("train", "--resume", run.toString(), "--set", "trainer.callbacks=[-checkpoints]");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("holdout: error: " + runConfig + ": trainer.callbacks switches off"
        + " checkpoints but the run started with every default callback on; a resume may add or drop only the"
        + " callbacks it lists");
    assertThat(Files.readString(runConfig)).isEqualTo(original);

    // the same rows, one number changed: it splits the same way, but the content differs
    List<String> lines = new ArrayList<>(Files.readAllLines(csv));
    lines.set(lines.size() - 1, lines.get(lines.size() - 1).replace(",1.8,", ",1.9,"));
    Files.write(csv, lines);
    r = io.holdout.cli.CliResult.of("train", "--resume", run.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains(csv.toString())
        .contains("the data changed since the run started");
    Files.copy(IRIS, csv, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    // more epochs for an unfinished run
    r = io.holdout.cli.CliResult.of("train", "--resume", run.toString(), "--set", "trainer.epochs=10");
    assertThat(r.code()).as(r.err()).isEqualTo(0);
    assertThat(r.out()).contains("after epoch 3 (changed: trainer.epochs=10)").contains("epoch 10/10");
    assertThat(Files.readString(runConfig)).contains("epochs: 10");
    assertThat(numbers(run)).hasSize(1 + 2 * 10 + 1);

    // a finished run is not trained further
    r = io.holdout.cli.CliResult.of("train", "--resume", run.toString(), "--set", "trainer.epochs=12");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("the run has finished and its test split was used");
    r = io.holdout.cli.CliResult.of("train", "--resume", run.toString());
    assertThat(r.code()).isEqualTo(0);
    assertThat(r.out()).contains("finished " + run).contains("test loss");
  }

  /**
   * SIGTERM (what Ctrl-C and `kill` send) during training: the run stops at the next step boundary,
   * closes its engine session, says where it stopped and how to continue, and exits without a native
   * crash; the resumed run ends with the figures of one that never stopped.
   */
  @Test
  void sigtermStopsAtAStepBoundaryAndTheRunResumesExactly() throws Exception {
    java.util.function.Function<String, Path> cfg = name -> {
      try {
        Path c = config(name);
        return Files.writeString(c, Files.readString(c).replace("epochs: 8", "epochs: 40"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    StringWriter sink = new StringWriter();
    List<String> expected = numbers(Experiment.run(load(cfg.apply("long")), new PrintWriter(sink)).runFolder());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("term.log");
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.holdout.cli.Main", "train",
        cfg.apply("term").toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path run = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (p.isAlive() && System.nanoTime() < deadline) {
      if (run == null && Files.isDirectory(dir.resolve("runs"))) {
        try (var s = Files.list(dir.resolve("runs"))) {
          run = s.filter(x -> x.getFileName().toString().startsWith("term-")).findFirst().orElse(null);
        }
      }
      Path csv = run == null ? null : run.resolve("metrics.csv");
      if (csv != null && Files.exists(csv) && Files.readAllLines(csv).size() >= 7) {
        p.destroy(); // SIGTERM on Linux
        break;
      }
      Thread.sleep(5);
    }
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isEqualTo(128 + 15);
    assertThat(out).contains("holdout: interrupted during epoch").contains("continue with `holdout train --resume " + run)
        .doesNotContain("SIGSEGV").doesNotContain("fatal error");
    assertThat(run.resolve(RunFolder.TEST_REPORT)).doesNotExist();
    Experiment.resume(run, new PrintWriter(sink));
    assertThat(numbers(run)).isEqualTo(expected);
  }

  /**
   * SIGKILL from outside at moments picked by polling the run folder (so a kill can land anywhere,
   * inside a checkpoint write included): every killed run resumes to the clean run's figures.
   */
  @Test
  void processKilledWithSigkillAtSeveralPointsResumesToTheSameTestMetrics() throws Exception {
    StringWriter sink = new StringWriter();
    Path clean = Experiment.run(load(config("clean")), new PrintWriter(sink)).runFolder();
    List<String> expected = numbers(clean);
    int[] killAfterRows = {0, 5, 11};
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
      if (!Files.exists(run.resolve(RunFolder.CONFIG))) {
        continue; // killed before the run folder had its config: not a run yet
      }
      Experiment.resume(run, new PrintWriter(sink));
      assertThat(numbers(run)).as("after kill point " + k).isEqualTo(expected);
    }
  }
}
