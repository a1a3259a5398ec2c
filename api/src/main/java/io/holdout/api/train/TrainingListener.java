package io.holdout.api.train;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.tensor.Batch;

/**
 * Hooks into the training loop. Built-in behaviours (console output, metrics.csv, checkpoints) are
 * listeners too; users of the Java API add their own with {@link Trainer.Builder#addListener}. Every
 * hook has a no-op default.
 */
public interface TrainingListener {
  default void onStart(TrainingContext ctx, TrainingPlan plan) {}

  default void onEpochStart(TrainingContext ctx, int epoch) {}

  /** After each training step, with that step's breakdown. */
  default void onBatchEnd(TrainingContext ctx, int epoch, int step, int steps, LossBreakdown loss) {}

  /** After each evaluation batch of {@code split} ("val" or "test"), e.g. for per-sample reports. */
  default void onEvalBatch(TrainingContext ctx, String split, Batch batch, EvalResult result) {}

  default void onEpochEnd(TrainingContext ctx, EpochSummary summary) {}

  /**
   * A decision the loop took, explained: a new best, no improvement with the patience count, a
   * learning-rate drop, early stopping, which weights the test uses.
   */
  default void onDecision(TrainingContext ctx, int epoch, String message) {}

  /** After an epoch whose monitored value is the best so far (the weights are the session's). */
  default void onNewBest(TrainingContext ctx, EpochSummary summary) {}

  /**
   * After an epoch and every decision about it: {@code state} is everything needed to continue the
   * run after this epoch (checkpoint listeners save it).
   */
  default void onEpochCommitted(TrainingContext ctx, RunState state) {}

  /** Once, after training, with the test split's evaluation. */
  default void onTestEnd(TrainingContext ctx, EvalSummary summary) {}

  default void onEnd(TrainingContext ctx, RunResult result) {}
}
