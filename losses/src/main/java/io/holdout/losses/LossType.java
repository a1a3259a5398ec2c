package io.holdout.losses;

import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.CustomLoss;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A loss in the catalogue: its config name, the kind of target it compares with, its parameters
 * with their defaults, and one sentence on how it is normalised (what "mean" means for it), used
 * by {@code docs/losses.md} and by reports.
 *
 * <p>{@code custom} is null for the built-in catalogue, the plugin's definition otherwise.
 *
 * <p>List parameters default to the empty list, meaning "1 for every class".
 */
public record LossType(
    String name, TargetKind target, Map<String, Object> defaults, String normalisation, CustomLoss custom) {
  /** A built-in type. */
  public LossType(String name, TargetKind target, Map<String, Object> defaults, String normalisation) {
    this(name, target, defaults, normalisation, null);
  }

  /** A plugin's type, computed from its expression; its one parameter is {@code reduction}. */
  public static LossType of(String name, CustomLoss custom) {
    return new LossType(name, custom.target(), Map.of("reduction", "mean"), custom.description(), custom);
  }

  public LossType {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(target, "target kind is null");
    Objects.requireNonNull(normalisation, "normalisation is null");
    defaults = Map.copyOf(defaults);
  }

  /** The parameter names, sorted. */
  public List<String> parameters() {
    return List.copyOf(new TreeSet<>(defaults.keySet()));
  }
}
