package io.holdout.api.extension;

import io.holdout.api.config.OptimizerConfig;
import io.holdout.api.optim.UpdateRule;

/**
 * Builds an optimizer's engine-neutral {@link UpdateRule} from the {@code optimizer:} section of a
 * config: its fields ({@code lr}, {@code beta1}, ... with their defaults) and every other key in
 * {@link OptimizerConfig#params()}. The learning rate is not part of the rule (schedules change it
 * between steps; the rule reads it as {@code RuleExpression.lr()}), nor is gradient clipping
 * ({@code clipNorm}, applied to every optimizer before its rule).
 */
@FunctionalInterface
public interface OptimizerFactory {
  /**
   * @throws io.holdout.api.HoldoutException one line naming the bad key (e.g. {@code
   *     'optimizer.beta2' must be in [0, 1), got 1.5}, or {@link OptimizerConfig#requireOnly})
   */
  UpdateRule create(OptimizerConfig config);
}
