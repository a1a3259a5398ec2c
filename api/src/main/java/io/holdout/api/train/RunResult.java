package io.holdout.api.train;

import java.util.List;

/**
 * The outcome of {@link Trainer#fit}: every epoch, the single test evaluation (null without a test
 * split) and why training stopped.
 */
public record RunResult(List<EpochSummary> epochs, EvalSummary test, String stopReason) {
  public RunResult {
    epochs = List.copyOf(epochs);
  }

  public EpochSummary lastEpoch() {
    return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
  }
}
