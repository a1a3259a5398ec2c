package io.holdout.api.parallel;

import io.holdout.api.backend.TrainingSession;

/**
 * Service-provider entry of a data-parallel executor, listed in {@code
 * META-INF/services/io.holdout.api.parallel.DataParallelProvider}. Instantiating it must be cheap and
 * load none of its libraries: that happens in {@link #open}.
 */
public interface DataParallelProvider {
  /** The name {@code trainer.dataParallel.executor} picks, e.g. {@code spark}. */
  String name();

  /** Maven artifact that provides it, for messages such as "add holdout-spark". */
  String artifact();

  /**
   * Wraps {@code local}: the returned session trains each round on {@code shards} sessions opened
   * from {@code recipe} where the executor runs them, and keeps {@code local} holding the averaged
   * weights and optimizer state after every round, so evaluation, checkpoints and resume work on it
   * as on any session. It owns {@code local} and everything it started; closing it closes them.
   *
   * @param master where to run, e.g. {@code local[2]}
   * @param localSteps steps per shard between averages ({@link TrainingSession#roundSteps()})
   * @throws io.holdout.api.HoldoutException in one line when the executor cannot start
   */
  TrainingSession open(String master, int shards, int localSteps, SessionRecipe recipe, TrainingSession local);
}
