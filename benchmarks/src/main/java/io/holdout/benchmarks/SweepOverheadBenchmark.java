package io.holdout.benchmarks;

import io.holdout.api.sweep.SweepExecutor;
import io.holdout.api.sweep.TrialRunner;
import io.holdout.api.sweep.TrialStatus;
import io.holdout.api.sweep.TrialTask;
import io.holdout.spark.SparkExecutorProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the Spark executor of {@code holdout sweep} costs per trial, apart from the trial's own work:
 * <ul>
 *   <li>start-up: opening the executor ({@code SparkContext} on {@code local[N]}) once per sweep;
 *   <li>latency: one empty trial submitted alone (a one-task job: serializing the task and its runner,
 *       scheduling, running, collecting its status), against calling the runner directly as the
 *       in-process executor does; median of {@code trials} after {@code 3} not counted;
 *   <li>throughput: {@code trials} empty trials submitted at once, wall time per trial.
 * </ul>
 * An empty trial's runner returns {@code ok} at once, so every figure is executor overhead.
 *
 * <p>Run (Spark 4 on Java 17 needs the add-opens flags of the root pom's {@code spark.jvm.opens}):
 * <pre>
 * mvn -o -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java $OPENS -cp "benchmarks/target/classes:$(cat benchmarks/target/cp.txt)" \
 *     io.holdout.benchmarks.SweepOverheadBenchmark [master=local[2]] [trials=50]
 * </pre>
 */
public final class SweepOverheadBenchmark {
  private static final int WARMUP = 3;

  private SweepOverheadBenchmark() {}

  public static void main(String[] args) {
    Map<String, String> a = new LinkedHashMap<>(Map.of("master", "local[2]", "trials", "50"));
    for (String s : args) {
      String[] kv = s.split("=", 2);
      a.put(kv[0], kv[1]);
    }
    int n = Integer.parseInt(a.get("trials"));
    TrialRunner empty = t -> TrialStatus.ok(t.id());
    List<TrialTask> tasks = new ArrayList<>();
    for (int i = 0; i < n + WARMUP; i++) {
      tasks.add(new TrialTask("trial-" + i, "/tmp/none/trial-" + i, "name: x", "sweep.yaml", "/tmp", false));
    }

    double[] direct = new double[tasks.size()];
    for (int i = 0; i < tasks.size(); i++) {
      long t0 = System.nanoTime();
      empty.run(tasks.get(i));
      direct[i] = (System.nanoTime() - t0) / 1e9;
    }

    long s0 = System.nanoTime();
    try (SweepExecutor spark = new SparkExecutorProvider().open(Map.of("master", a.get("master")))) {
      double startup = (System.nanoTime() - s0) / 1e9;
      double[] alone = new double[tasks.size()];
      for (int i = 0; i < tasks.size(); i++) {
        long t0 = System.nanoTime();
        List<TrialStatus> r = spark.run(List.of(tasks.get(i)), empty, st -> { });
        alone[i] = (System.nanoTime() - t0) / 1e9;
        check(r);
      }
      long t0 = System.nanoTime();
      check(spark.run(tasks.subList(WARMUP, tasks.size()), empty, st -> { }));
      double together = (System.nanoTime() - t0) / 1e9;

      System.out.printf(Locale.ROOT, "%s on %d cores, %d empty trials%n", spark.describe(),
          Runtime.getRuntime().availableProcessors(), n);
      System.out.printf(Locale.ROOT, "start-up (once per sweep):             %8.1f ms%n", 1e3 * startup);
      System.out.printf(Locale.ROOT, "in-process, per trial (median):        %8.4f ms%n", 1e3 * median(direct));
      System.out.printf(Locale.ROOT, "spark, one trial alone (median):       %8.1f ms%n", 1e3 * median(alone));
      System.out.printf(Locale.ROOT, "spark, %d trials at once, per trial:   %8.1f ms%n", n, 1e3 * together / n);
    }
  }

  private static void check(List<TrialStatus> r) {
    if (!r.stream().allMatch(TrialStatus::ok)) {
      throw new IllegalStateException("an empty trial failed: " + r);
    }
  }

  private static double median(double[] v) {
    double[] s = Arrays.copyOfRange(v, WARMUP, v.length);
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
