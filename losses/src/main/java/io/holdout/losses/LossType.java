package io.holdout.losses;

import io.holdout.api.data.TargetKind;
import io.holdout.api.extension.PluginLoss;
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
 * <p>{@code custom} and {@code plugin} are null for the built-in catalogue; for a plugin's type,
 * {@code plugin} is what it registered and {@code custom} its loss at the default parameters (the
 * target kind and description of every entry; an entry's own loss is {@link LossParams#custom()}).
 *
 * <p>List parameters default to the empty list, meaning "1 for every class".
 */
public record LossType(
    String name, TargetKind target, Map<String, Object> defaults, String normalisation, CustomLoss custom,
    PluginLoss plugin) {
  /** A built-in type. */
  public LossType(String name, TargetKind target, Map<String, Object> defaults, String normalisation) {
    this(name, target, defaults, normalisation, null, null);
  }

  /** A plugin's type without parameters, computed from its expression; it takes {@code reduction}. */
  public static LossType of(String name, CustomLoss custom) {
    return of(name, PluginLoss.of(custom));
  }

  /**
   * A plugin's type: its parameters are {@code reduction} and the ones it declared, with their
   * defaults; its target kind and description are those of its loss at the defaults.
   */
  public static LossType of(String name, PluginLoss plugin) {
    CustomLoss atDefaults = plugin.atDefaults();
    Map<String, Object> defaults = new java.util.LinkedHashMap<>(plugin.defaults());
    defaults.put("reduction", "mean");
    return new LossType(name, atDefaults.target(), defaults, atDefaults.description(), atDefaults, plugin);
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
