package io.holdout.api.parallel;

import io.holdout.api.backend.TrainingSession;
import io.holdout.api.model.Weights;
import java.io.Serializable;

/**
 * Opens a training session where it runs: it travels to executors (serialized) in place of engine
 * objects, and opens the same model, loss and optimizer on the same backend there, plugins included.
 */
@FunctionalInterface
public interface SessionRecipe extends Serializable {
  /** A new session starting from {@code initial} with fresh optimizer state. */
  TrainingSession open(Weights initial);
}
