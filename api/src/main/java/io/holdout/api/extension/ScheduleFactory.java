package io.holdout.api.extension;

import io.holdout.api.config.TrainerConfig;
import io.holdout.api.train.LrSchedule;

/** Builds a learning-rate schedule from {@code trainer.schedule}. */
@FunctionalInterface
public interface ScheduleFactory {
  /**
   * @throws io.holdout.api.HoldoutException one line naming the missing or bad key (relative to
   *     {@code trainer.schedule}, e.g. {@code 'trainer.schedule.stepEpochs' must be > 0})
   */
  LrSchedule create(TrainerConfig.ScheduleConfig config);
}
