package io.holdout.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.cli.CliResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdout sweep} on tiny iris experiments (PyTorch/CPU): every trial of a grid runs in its
 * own folder, a bad value is recorded as a failed trial and the rest go on, trials.csv, ranking.md
 * and the plots are written, ranking uses val only, and a sweep killed midway completes with
 * {@code --resume} without touching its finished trials.
 */
class SweepTest {
  static final Path IRIS = Path.of("../examples/data/iris.csv").toAbsolutePath().normalize();
  @TempDir Path dir;

  /** A small iris base experiment and a sweep over it; {@code axes} is the sweep's axes section. */
  Path sweep(String name, String axes) throws Exception {
    Files.writeString(dir.resolve("base.yaml"), """
        name: iris-base
        seed: 5
        data:
          path: %s
          features: [sepal_length, sepal_width, petal_length]
          targets: {species: {type: class}, petal_width: {type: number}}
          standardize: true
        split: {type: stratified}
        loader: {batchSize: 16}
        model:
          layers: [{type: dense, units: 16}, {type: relu}]
          heads: {species: {type: classification}, petal_width: {type: regression}}
        loss:
          - {name: regression, type: mse, output: petal_width}
          - {name: classification, type: cross_entropy, output: species}
        optimizer: {type: adam, lr: 0.02}
        trainer: {epochs: 3, progress: none, monitor: val.species.accuracy}
        metrics: [{type: accuracy, output: species}]
        engine: {intraOpThreads: 1, selfCheck: false}
        """.formatted(IRIS));
    return Files.writeString(dir.resolve(name + ".yaml"), """
        base: base.yaml
        %s
        derived:
          optimizer.lr: base.optimizer.lr * loader.batchSize / 16
        rank: {metric: val.species.accuracy, goal: max}
        runs: %s
        """.formatted(axes, dir.resolve(name)));
  }

  static List<Map<String, String>> csv(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file);
    String[] header = lines.get(0).split(",", -1);
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1);
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.length; i++) {
        row.put(header[i], i < v.length ? v[i] : "");
      }
      rows.add(row);
    }
    return rows;
  }

  @Test
  void gridRecordsABadValueAsFailedRanksOnValAndWritesThePlots() throws Exception {
    Path file = sweep("grid", "axes:\n  loader.batchSize: [16, 32, 0]");
    CliResult r = CliResult.of("sweep", file.toString());
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    Path folder = dir.resolve("grid");
    List<Map<String, String>> rows = csv(folder.resolve("trials.csv"));
    assertThat(rows).extracting(m -> m.get("trial"))
        .containsExactly("batchSize-16", "batchSize-32", "batchSize-0");
    assertThat(rows).extracting(m -> m.get("status")).containsExactly("ok", "ok", "failed");
    // the derived learning rate follows the batch size
    assertThat(rows).extracting(m -> m.get("optimizer.lr")).containsExactly("0.02", "0.04", "0");
    assertThat(rows.get(2).get("error")).contains("batchSize");
    for (Map<String, String> ok : rows.subList(0, 2)) {
      assertThat(Double.parseDouble(ok.get("val_species.accuracy"))).isBetween(0.0, 1.0);
      assertThat(Double.parseDouble(ok.get("test_species.accuracy_low")))
          .isLessThanOrEqualTo(Double.parseDouble(ok.get("test_species.accuracy")));
      assertThat(Double.parseDouble(ok.get("samples_per_s"))).isPositive();
      assertThat(Double.parseDouble(ok.get("heap_peak_mb"))).isPositive();
      assertThat(ok.get("epochs")).isEqualTo("3");
    }
    assertThat(folder.resolve("trials/batchSize-16/test-report.json")).exists();
    assertThat(folder.resolve("trials/batchSize-0/trial.json")).content().contains("\"failed\"");
    String ranking = Files.readString(folder.resolve("ranking.md"));
    assertThat(ranking).contains("| 1 | batchSize-").contains("Failed trials").contains("batchSize-0")
        .contains("test split stays sealed");
    // the reported result is the val-chosen trial's test figure
    String first = ranking.lines().filter(l -> l.startsWith("| 1 |")).findFirst().orElseThrow().split(" \\| ")[1];
    Map<String, String> chosen = rows.stream().filter(m -> m.get("trial").equals(first)).findFirst().orElseThrow();
    assertThat(r.out()).contains("chosen " + first).contains("is the sweep's result")
        .contains(String.format(java.util.Locale.ROOT, "species.accuracy %.4f", Double.parseDouble(chosen.get("test_species.accuracy"))));
    assertThat(r.out()).contains("trial 3/3 batchSize-0 failed: ");
    assertThat(folder.resolve("throughput-vs-batch.png")).exists();
    assertThat(folder.resolve("val-vs-lr.png")).exists();
    assertThat(folder.resolve("learning-curves.png")).exists();
    assertThat(folder.resolve("epoch-time-vs-workers.png")).doesNotExist();
    assertThat(Files.readAllBytes(folder.resolve("learning-curves.png"))).startsWith(0x89, 'P', 'N', 'G');

    // the same folder again without --resume: refused, nothing lost
    byte[] before = Files.readAllBytes(folder.resolve("trials.csv"));
    CliResult again = CliResult.of("sweep", file.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err().strip()).doesNotContain("\n").contains("--resume");
    assertThat(Files.readAllBytes(folder.resolve("trials.csv"))).isEqualTo(before);
  }

  @Test
  void aKilledSweepResumesWithoutRerunningFinishedTrials() throws Exception {
    Path file = sweep("killed", "axes:\n  loader.batchSize: [8, 16, 32]\n  loader.numWorkers: [0]");
    Path trials = dir.resolve("killed/trials");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.holdout.cli.Main",
        "sweep", file.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    Path firstDone = trials.resolve("batchSize-8_numWorkers-0/trial.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (p.isAlive() && !Files.exists(firstDone) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(p.isAlive()).as("the sweep is still running after its first trial: "
        + Files.readString(dir.resolve("child.log"))).isTrue();
    p.destroyForcibly(); // SIGKILL: no shutdown hook, no report
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(dir.resolve("killed/trials.csv")).doesNotExist();
    Map<Path, FileTime> stamps = stamps(trials.resolve("batchSize-8_numWorkers-0"));
    Map<Path, String> contents = new LinkedHashMap<>();
    for (Path f : stamps.keySet()) {
      contents.put(f, Long.toHexString(Arrays.hashCode(Files.readAllBytes(f))));
    }

    CliResult r = CliResult.of("sweep", file.toString(), "--resume");
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out()).contains("batchSize-8_numWorkers-0 finished earlier: kept as it is")
        .doesNotContain("trial 1/3 batchSize-8_numWorkers-0");
    assertThat(stamps(trials.resolve("batchSize-8_numWorkers-0"))).isEqualTo(stamps);
    for (Map.Entry<Path, String> e : contents.entrySet()) {
      assertThat(Long.toHexString(Arrays.hashCode(Files.readAllBytes(e.getKey())))).isEqualTo(e.getValue());
    }
    List<Map<String, String>> rows = csv(dir.resolve("killed/trials.csv"));
    assertThat(rows).extracting(m -> m.get("status")).containsExactly("ok", "ok", "ok");
    assertThat(rows).allSatisfy(m -> assertThat(m.get("epochs")).isEqualTo("3"));

    // a second --resume has nothing to run
    CliResult nothing = CliResult.of("sweep", file.toString(), "--resume");
    assertThat(nothing.code()).isZero();
    assertThat(nothing.out()).doesNotContain("executor ").contains("3 ok, 0 failed (3 finished earlier, kept)");
  }

  @Test
  void badSweepFilesAreOneLineErrors() throws Exception {
    Path unknown = Files.writeString(dir.resolve("unknown.yaml"), "base: nothere.yaml\naxes: {loader.batchSize: [8]}\n");
    CliResult r = CliResult.of("sweep", unknown.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains("unknown.yaml").contains("nothere.yaml");

    Path file = sweep("bad", "axes:\n  loader.batchSize: [8]\nbudgett: 2");
    CliResult typo = CliResult.of("sweep", file.toString());
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).contains("bad.yaml").contains("unknown key 'budgett'");

    Path noGoal = sweep("nogoal", "axes:\n  loader.batchSize: [8]");
    CliResult goal = CliResult.of("sweep", noGoal.toString(), "--set", "rank.goal=best");
    assertThat(goal.code()).isEqualTo(2);
    assertThat(goal.err()).contains("rank.goal");

    CliResult test = CliResult.of("sweep", noGoal.toString(), "--set", "rank.metric=test.accuracy");
    assertThat(test.code()).isEqualTo(2);
    assertThat(test.err()).contains("validation only");

    CliResult derived = CliResult.of("sweep", noGoal.toString(), "--set", "derived.optimizer\\.lr=1");
    assertThat(derived.code()).isEqualTo(2);

    CliResult executor = CliResult.of("sweep", noGoal.toString(), "--executor", "nosuch");
    assertThat(executor.code()).isEqualTo(2);
    assertThat(executor.err()).contains("unknown executor 'nosuch'").contains("inprocess");
    assertThat(dir.resolve("nogoal")).doesNotExist();
  }

  @Test
  void theBatchWorkersExampleRunsOnLittleData() throws Exception {
    Path example = Path.of("../examples/sweep-batch-workers.yaml").toAbsolutePath().normalize();
    SweepSpec spec = SweepSpec.load(example, List.of());
    assertThat(spec.trials()).hasSize(15);
    assertThat(SweepSpec.get(spec.trials().get(0).config(), "optimizer.lr").asDouble()).isEqualTo(0.00075);
    assertThat(SweepSpec.get(spec.trials().get(14).config(), "optimizer.lr").asDouble()).isEqualTo(0.012);
    // the first three trials (batch 8, numWorkers 0, 1, 2), one epoch on 130 images
    CliResult r = CliResult.of("sweep", example.toString(), "--set", "base.data.count=130", "--set",
        "base.trainer.epochs=1", "--set", "budget=3", "--set", "base.trainer.progress=none", "--set",
        "runs=" + dir.resolve("example"));
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    List<Map<String, String>> rows = csv(dir.resolve("example/trials.csv"));
    assertThat(rows).extracting(m -> m.get("loader.numWorkers")).containsExactly("0", "1", "2");
    assertThat(rows).extracting(m -> m.get("status")).containsOnly("ok");
    assertThat(rows.get(0)).containsKeys("val_mAP@0.5", "test_mAP@0.5", "test_mAP@0.5_low", "data_wait_share");
    assertThat(dir.resolve("example/epoch-time-vs-workers.png")).exists();
    assertThat(dir.resolve("example/throughput-vs-batch.png")).doesNotExist(); // one batch size only
  }

  static Map<Path, FileTime> stamps(Path folder) throws Exception {
    Map<Path, FileTime> out = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        out.put(f, Files.getLastModifiedTime(f));
      }
    }
    return out;
  }
}
