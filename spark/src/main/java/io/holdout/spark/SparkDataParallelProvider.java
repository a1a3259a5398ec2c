package io.holdout.spark;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.parallel.DataParallelProvider;
import io.holdout.api.parallel.SessionRecipe;

/** {@code trainer.dataParallel.executor: spark}: cheap to instantiate; Spark starts in {@link #open}. */
public final class SparkDataParallelProvider implements DataParallelProvider {
  @Override
  public String name() {
    return "spark";
  }

  @Override
  public String artifact() {
    return "holdout-spark";
  }

  /**
   * Starts Spark on {@code master}. Refused in a JVM where holdout already runs Spark: Spark runs one
   * context per JVM, and a trial running as a task of a sweep's context would wait for task slots its
   * own and its neighbours' tasks hold.
   */
  @Override
  public TrainingSession open(String master, int shards, int localSteps, SessionRecipe recipe, TrainingSession local) {
    Sparks.checkMaster(master, "master");
    if (Sparks.running() != null) {
      throw new HoldoutException("Spark already runs in this process (a sweep on the spark executor, or another "
          + "data-parallel trial of --parallel): run data-parallel trials with the in-process executor, one at a time");
    }
    return new SparkDataParallelSession(Sparks.start(master, "holdout-train"), recipe, local, shards, localSteps,
        master);
  }
}
