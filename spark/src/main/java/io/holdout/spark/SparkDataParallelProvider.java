package io.holdout.spark;

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

  @Override
  public TrainingSession open(String master, int shards, int localSteps, SessionRecipe recipe, TrainingSession local) {
    return new SparkDataParallelSession(Sparks.start(master, "holdout-train"), recipe, local, shards, localSteps,
        master);
  }
}
