package io.holdout.spark;

import io.holdout.api.HoldoutException;
import io.holdout.api.sweep.SweepExecutor;
import io.holdout.api.sweep.TrialRunner;
import io.holdout.api.sweep.TrialStatus;
import io.holdout.api.sweep.TrialTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs each trial as one Spark task: every trial is its own single-partition job, all submitted at
 * once, so the cluster (or {@code local[N]}'s N threads) runs as many trials at a time as it has
 * task slots, and a trial whose executor is lost fails alone. The trial's run folder is written by
 * the task, on the path the driver gave it: with a cluster that path must be shared (a mounted
 * file system) by the driver and every executor.
 */
final class SparkSweepExecutor implements SweepExecutor {
  private final JavaSparkContext sc;
  private final String master;

  private SparkSweepExecutor(JavaSparkContext sc, String master) {
    this.sc = sc;
    this.master = master;
  }

  static SparkSweepExecutor start(String master) {
    return new SparkSweepExecutor(Sparks.start(master, "holdout-sweep"), master);
  }

  @Override
  public List<TrialStatus> run(List<TrialTask> tasks, TrialRunner runner, Consumer<TrialStatus> done) {
    List<JavaFutureAction<List<TrialStatus>>> jobs = new ArrayList<>();
    for (TrialTask t : tasks) {
      jobs.add(sc.parallelize(List.of(t), 1).map(runner::run).collectAsync());
    }
    List<TrialStatus> out = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      TrialStatus s;
      try {
        s = jobs.get(i).get().get(0);
      } catch (ExecutionException e) {
        s = TrialStatus.failed(tasks.get(i).id(), "spark task failed: " + Sparks.reason(e.getCause() == null ? e
            : e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        jobs.forEach(j -> j.cancel(true));
        throw new HoldoutException("interrupted while waiting for the spark trials");
      }
      out.add(s);
      done.accept(s);
    }
    return out;
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "spark %s (Spark %s, %d task slot%s): each trial a task", master, sc.version(),
        sc.defaultParallelism(), sc.defaultParallelism() == 1 ? "" : "s");
  }

  @Override
  public void close() {
    sc.close();
  }
}
