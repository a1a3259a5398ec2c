package io.holdout.api.train;

import io.holdout.api.model.Weights;
import java.util.List;

/**
 * The loop's own state after a completed epoch: what a checkpoint must hold (besides the session's
 * weights and optimizer state) to continue exactly.
 *
 * @param monitorBest null before the first validation
 * @param bestWeights weights of the best epoch so far, or null
 * @param stopReason why training stopped before its last epoch (early stopping), or null while it goes on
 */
public record RunState(
    int completedEpochs,
    double baseLr,
    List<EpochSummary> history,
    Double monitorBest,
    int monitorBestEpoch,
    int monitorBad,
    double plateauScale,
    int plateauBad,
    int plateauCooldown,
    Weights bestWeights,
    String stopReason) {
  public RunState {
    history = List.copyOf(history);
  }

  public static RunState fresh(double baseLr) {
    return new RunState(0, baseLr, List.of(), null, 0, 0, 1, 0, 0, null, null);
  }
}
