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
 * each a Spark task) and in-process gives the same trials, statuses and figures apart from timings;
 * a sweep on the in-process executor never loads a Spark class.
 */
class SparkSweepTest {
  @TempDir Path dir;

  @Test
  void sparkLocalAndInProcessWriteTheSameTrials() throws Exception {
    SweepTest t = new SweepTest();
    t.dir = dir;
    Path file = t.sweep("spark", "axes:\n  loader.batchSize: [16, 32, 0]\n  loader.numWorkers: [0]");
    CliResult spark = CliResult.of("sweep", file.toString(), "--executor", "spark", "--master", "local[2]",
        "--set", "runs=" + dir.resolve("on-spark"));
    assertThat(spark.code()).as(spark.err() + spark.out()).isZero();
    assertThat(spark.out()).contains("executor spark local[2]").contains("2 task slots");
    CliResult local = CliResult.of("sweep", file.toString(), "--set", "runs=" + dir.resolve("in-process"));
    assertThat(local.code()).as(local.err() + local.out()).isZero();

    List<Map<String, String>> a = SweepTest.csv(dir.resolve("on-spark/trials.csv"));
    List<Map<String, String>> b = SweepTest.csv(dir.resolve("in-process/trials.csv"));
    assertThat(a).extracting(m -> m.get("trial")).containsExactly("batchSize-16_numWorkers-0",
        "batchSize-32_numWorkers-0", "batchSize-0_numWorkers-0");
    assertThat(a).extracting(m -> m.get("status")).containsExactly("ok", "ok", "failed");
    assertThat(a.get(0).keySet()).isEqualTo(b.get(0).keySet());
    for (int i = 0; i < a.size(); i++) {
      for (String col : List.of("trial", "status", "error", "best_epoch", "val_species.accuracy", "val_total",
          "test_species.accuracy", "test_loss")) {
        // seeded runs: the same figures wherever the trial ran (timings and memory differ)
        assertThat(a.get(i).get(col)).as(col + " of " + a.get(i).get("trial")).isEqualTo(b.get(i).get(col));
      }
    }
    assertThat(dir.resolve("on-spark/learning-curves.png")).exists();
    assertThat(dir.resolve("on-spark/trials/batchSize-32_numWorkers-0/test-report.json")).exists();
  }

  @Test
  void anInProcessSweepLoadsNoSparkClass() throws Exception {
    SweepTest t = new SweepTest();
    t.dir = dir;
    Path file = t.sweep("plain", "axes:\n  loader.batchSize: [16]");
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
}
