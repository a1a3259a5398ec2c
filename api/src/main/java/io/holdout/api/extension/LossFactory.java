package io.holdout.api.extension;

import io.holdout.api.loss.CustomLoss;
import java.util.Map;

/**
 * Builds a plugin's loss type for one {@code loss:} entry from the entry's {@code params}: e.g. a
 * scale or a threshold that goes into the expression. Registered with {@link Registry#loss(String,
 * Map, LossFactory)}, next to the parameters' defaults.
 */
@FunctionalInterface
public interface LossFactory {
  /**
   * @param params every parameter the type declared, with the entry's values over the defaults
   *     ({@code reduction} is holdout's and not among them)
   * @return the loss of this entry; its target kind must be the one of the defaults' loss
   * @throws io.holdout.api.HoldoutException one line naming the parameter whose value is bad
   */
  CustomLoss create(Map<String, Object> params);
}
