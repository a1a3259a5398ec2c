package io.holdout.api.train;

import io.holdout.api.HoldoutException;

/** A loss became NaN or infinite; the message names the epoch, step and component. */
public final class TrainingDivergedException extends HoldoutException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
