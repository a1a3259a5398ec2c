package io.holdout.api.train;

import io.holdout.api.backend.TrainingSession;
import java.util.Objects;

/** What listeners may see and steer: the session (weights, learning rate) and a stop request. */
public final class TrainingContext {
  private final TrainingSession session;
  private String stopReason;

  TrainingContext(TrainingSession session) {
    this.session = Objects.requireNonNull(session, "session is null");
  }

  public TrainingSession session() {
    return session;
  }

  /** Asks the loop to stop after the current epoch. */
  public void requestStop(String reason) {
    if (stopReason == null) {
      stopReason = Objects.requireNonNull(reason, "reason is null");
    }
  }

  public String stopReason() {
    return stopReason;
  }
}
