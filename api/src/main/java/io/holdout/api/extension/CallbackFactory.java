package io.holdout.api.extension;

import io.holdout.api.train.TrainingListener;

/**
 * Builds a training callback named in {@code trainer.callbacks}: a {@link TrainingListener} that
 * sees every epoch, decision and the test, e.g. to post results somewhere. One per run.
 */
@FunctionalInterface
public interface CallbackFactory {
  /**
   * @throws io.holdout.api.HoldoutException one line naming what is wrong (e.g. a missing setting)
   */
  TrainingListener create(CallbackContext context);
}
