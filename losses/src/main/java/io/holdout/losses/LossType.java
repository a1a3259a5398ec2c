package io.holdout.losses;

import io.holdout.api.data.TargetKind;
import java.util.Map;

/**
 * A loss in the catalogue: its config name, the kind of target it compares with, its parameters
 * with their defaults, and one sentence on how it is normalised (what "mean" means for it).
 */
public record LossType(
    String name, TargetKind target, Map<String, Object> defaults, String normalisation) {
  public LossType {
    defaults = Map.copyOf(defaults);
  }
}
