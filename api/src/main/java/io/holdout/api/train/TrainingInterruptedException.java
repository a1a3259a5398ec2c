package io.holdout.api.train;

/**
 * Training or evaluation stopped at a safe point because {@link Interruption#request()} was
 * called; nothing of the interrupted epoch or pass was recorded. The message says where it stood.
 */
public final class TrainingInterruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingInterruptedException(String message) {
    super(message);
  }
}
