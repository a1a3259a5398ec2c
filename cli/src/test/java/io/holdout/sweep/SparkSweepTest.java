package io.holdout.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.cli.CliResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same tiny iris sweep on the spark executor (embedded {@code local[2]}: two trials at a time,
 * each a Spark task), in-process, and in-process with {@code --parallel 2} give the same trials, statuses and
 * figures apart from timings;
 * a sweep on the in-process executor never loads a Spark class.
 */
class SparkSweepTest {
  @TempDir Path dir;

  @Test
  void sparkLocalAndInProcessWriteTheSameTrials() throws Exception {
    Path file = sweepFile("spark", "axes:\n  loader.batchSize: [16, 32, 0]\n  loader.numWorkers: [0]");
    CliResult spark = CliResult.of("sweep", file.toString(), "--executor", "spark", "--master", "local[2]",
        "--set", "runs=" + dir.resolve("on-spark"));
    assertThat(spark.code()).as(spark.err() + spark.out()).isZero();
    assertThat(spark.out()).contains("executor spark local[2]").contains("2 task slots");
    CliResult local = CliResult.of("sweep", file.toString(), "--set", "runs=" + dir.resolve("in-process"));
    assertThat(local.code()).as(local.err() + local.out()).isZero();

    CliResult threads = CliResult.of("sweep", file.toString(), "--parallel", "2", "--set",
        "runs=" + dir.resolve("in-process-2"));
    assertThat(threads.code()).as(threads.err() + threads.out()).isZero();
    assertThat(threads.out()).contains("in-process, 2 trials at a time");

    List<Map<String, String>> a = SweepTest.csv(dir.resolve("on-spark/trials.csv"));
    List<Map<String, String>> b = SweepTest.csv(dir.resolve("in-process/trials.csv"));
    List<Map<String, String>> c = SweepTest.csv(dir.resolve("in-process-2/trials.csv"));
    assertThat(a).extracting(m -> m.get("trial")).containsExactly("batchSize-16_numWorkers-0",
        "batchSize-32_numWorkers-0", "batchSize-0_numWorkers-0");
    assertThat(a).extracting(m -> m.get("status")).containsExactly("ok", "ok", "failed");
    assertThat(a.get(0).keySet()).isEqualTo(b.get(0).keySet());
    for (int i = 0; i < a.size(); i++) {
      for (String col : List.of("trial", "status", "error", "best_epoch", "val_species.accuracy", "val_total",
          "test_species.accuracy", "test_loss")) {
        // seeded runs: the same figures wherever the trial ran (timings and memory differ)
        assertThat(a.get(i).get(col)).as(col + " of " + a.get(i).get("trial")).isEqualTo(b.get(i).get(col));
        assertThat(c.get(i).get(col)).as(col + " of " + c.get(i).get("trial")).isEqualTo(b.get(i).get(col));
      }
    }
    assertThat(dir.resolve("on-spark/learning-curves.png")).exists();
    assertThat(dir.resolve("on-spark/trials/batchSize-32_numWorkers-0/test-report.json")).exists();
  }

  /**
   * {@code runs:} as a URI goes through Hadoop's FileSystem ({@code file://} here; {@code hdfs://} is the
   * same code with another scheme): trials upload their folders, the sweep its files; a second run is
   * refused, and {@code --resume} on the spark executor reruns only the trial that is missing there.
   */
  @Test
  void aSweepFolderOnAHadoopFileSystem() throws Exception {
    Path file = sweepFile("hadoop", "axes:\n  loader.batchSize: [16, 32, 0]");
    Path remote = dir.resolve("remote");
    String uri = "file://" + remote;
    CliResult first = CliResult.of("sweep", file.toString(), "--set", "runs=" + uri);
    assertThat(first.code()).as(first.err() + first.out()).isZero();
    assertThat(first.out()).contains("folder  " + uri + " (staged in ").contains("sweep folder: " + uri);
    assertThat(SweepTest.csv(remote.resolve("trials.csv"))).extracting(m -> m.get("status"))
        .containsExactly("ok", "ok", "failed");
    assertThat(remote.resolve("ranking.md")).exists();
    assertThat(remote.resolve("sweep.yaml")).exists();
    Path kept = remote.resolve("trials/batchSize-16/test-report.json");
    assertThat(kept).exists();
    assertThat(remote.resolve("trials/batchSize-16/weights.safetensors")).exists();
    assertThat(remote.resolve("trials/batchSize-0/trial.json")).exists();

    CliResult again = CliResult.of("sweep", file.toString(), "--set", "runs=" + uri);
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already holds trials");

    long before = Files.getLastModifiedTime(kept).toMillis();
    String report = Files.readString(kept);
    try (var walk = Files.walk(remote.resolve("trials/batchSize-32"))) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    CliResult resumed = CliResult.of("sweep", file.toString(), "--resume", "--executor", "spark", "--master",
        "local[2]", "--set", "runs=" + uri);
    assertThat(resumed.code()).as(resumed.err() + resumed.out()).isZero();
    assertThat(resumed.out()).contains("trial   batchSize-16 finished earlier: kept as it is")
        .doesNotContain("batchSize-16 ok");
    assertThat(Files.getLastModifiedTime(kept).toMillis()).isEqualTo(before);
    assertThat(Files.readString(kept)).isEqualTo(report);
    assertThat(remote.resolve("trials/batchSize-32/test-report.json")).exists();
    assertThat(SweepTest.csv(remote.resolve("trials.csv"))).extracting(m -> m.get("status"))
        .containsExactly("ok", "ok", "failed");
  }

  /**
   * A trial on a Hadoop folder uploads its run folder after every epoch: a sweep killed (SIGKILL) in
   * the middle of its trial continues it with {@code --resume} from the last uploaded epoch, not from
   * the start.
   */
  @Test
  void aTrialKilledMidRunOnAHadoopFolderContinuesFromItsLastEpoch() throws Exception {
    Path file = sweepFile("remotekill", "axes:\n  loader.batchSize: [8]");
    Path remote = dir.resolve("remote-kill");
    String uri = "file://" + remote;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.holdout.cli.Main", "sweep",
        file.toString(), "--set", "runs=" + uri, "--set", "base.trainer.epochs=40").redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile()).start();
    Path checkpoint = remote.resolve("trials/batchSize-8/checkpoints/last.safetensors");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (p.isAlive() && !Files.exists(checkpoint) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(p.isAlive()).as("the trial is still running: " + Files.readString(dir.resolve("child.log"))).isTrue();
    p.destroyForcibly(); // SIGKILL: no shutdown hook, no final upload
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(remote.resolve("trials/batchSize-8/test-report.json")).doesNotExist();

    CliResult r = CliResult.of("sweep", file.toString(), "--resume", "--set", "runs=" + uri, "--set",
        "base.trainer.epochs=40");
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out()).contains("trial   batchSize-8 was interrupted: continues from its checkpoint");
    assertThat(Files.readString(remote.resolve("trials/batchSize-8/trial.log"))).containsPattern("resume .* after epoch");
    List<Map<String, String>> rows = SweepTest.csv(remote.resolve("trials.csv"));
    assertThat(rows).extracting(m -> m.get("status")).containsExactly("ok");
    assertThat(rows.get(0).get("epochs")).isEqualTo("40");
  }

  /** A data-parallel trial inside a sweep on the spark executor is a failed trial with one line, not a hang. */
  @Test
  void aDataParallelTrialOnTheSparkExecutorFailsInOneLine() throws Exception {
    Path file = sweepFile("nested", "axes:\n  loader.batchSize: [16]");
    CliResult r = CliResult.of("sweep", file.toString(), "--executor", "spark", "--master", "local[2]", "--set",
        "base.trainer.dataParallel.shards=2", "--set", "runs=" + dir.resolve("nested"));
    assertThat(r.code()).as(r.err() + r.out()).isEqualTo(1);
    assertThat(SweepTest.csv(dir.resolve("nested/trials.csv")).get(0).get("error"))
        .contains("Spark already runs in this process");
  }

  @Test
  void anInProcessSweepLoadsNoSparkClass() throws Exception {
    Path file = sweepFile("plain", "axes:\n  loader.batchSize: [16]");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("classes.log");
    Process p = new ProcessBuilder(java, "-verbose:class", "-cp", System.getProperty("java.class.path"),
        "io.holdout.cli.Main", "sweep", file.toString()).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    String classes = Files.readString(log);
    assertThat(p.exitValue()).as(classes.lines().filter(l -> !l.startsWith("[")).toList().toString()).isZero();
    assertThat(classes).contains("io.holdout.sweep.InProcessExecutor").contains("sweep folder: ")
        .doesNotContain("org.apache.spark.").doesNotContain("scala.");
  }

  /** {@link SweepTest#sweep}: a sweep file over the iris base with {@code axes}, in this test's folder. */
  private Path sweepFile(String name, String axes) throws Exception {
    SweepTest t = new SweepTest();
    t.dir = dir;
    return t.sweep(name, axes);
  }
}
