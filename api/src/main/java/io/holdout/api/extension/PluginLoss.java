package io.holdout.api.extension;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.CustomLoss;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A loss type a plugin registered: the parameters it takes with their defaults, and the factory
 * that builds the loss of one entry. A type registered as a fixed {@link CustomLoss} takes no
 * parameters.
 *
 * @param defaults parameter name → default value, sorted by name ({@code reduction} is holdout's
 *     and may not be declared)
 * @param factory builds the loss from the parameters
 */
public record PluginLoss(Map<String, Object> defaults, LossFactory factory) {
  public PluginLoss {
    Objects.requireNonNull(defaults, "defaults is null");
    Objects.requireNonNull(factory, "factory is null");
    for (Map.Entry<String, Object> e : defaults.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("loss parameter " + e.getKey() + " has no default");
      }
    }
    if (defaults.containsKey("reduction")) {
      throw new IllegalArgumentException("'reduction' is holdout's parameter of every loss: declare it not");
    }
    defaults = Collections.unmodifiableMap(new TreeMap<>(defaults));
  }

  /** A type without parameters: {@code definition} for every entry. */
  public static PluginLoss of(CustomLoss definition) {
    Objects.requireNonNull(definition, "definition is null");
    return new PluginLoss(Map.of(), params -> definition);
  }

  /**
   * The loss of an entry with {@code params} (the entry's own, without {@code reduction}) over the
   * defaults.
   *
   * @throws HoldoutException {@code has no parameter 'k' (known: ...)} for a key the type does not
   *     declare, or the factory's one-line complaint about a value
   */
  public CustomLoss create(Map<String, Object> params) {
    Map<String, Object> all = new LinkedHashMap<>(defaults);
    for (Map.Entry<String, Object> e : params.entrySet()) {
      if (!defaults.containsKey(e.getKey())) {
        throw new HoldoutException("has no parameter '" + e.getKey() + "' (known: "
            + String.join(", ", new TreeMap<>(withReduction()).keySet()) + ")");
      }
      if (e.getValue() != null) {
        all.put(e.getKey(), e.getValue());
      }
    }
    CustomLoss loss = factory.create(Collections.unmodifiableMap(all));
    if (loss == null) {
      throw new IllegalStateException("loss factory returned null for " + params);
    }
    return loss;
  }

  /** The loss at the default parameters (what {@code holdout doctor} checks). */
  public CustomLoss atDefaults() {
    return create(Map.of());
  }

  private Map<String, Object> withReduction() {
    Map<String, Object> m = new LinkedHashMap<>(defaults);
    m.put("reduction", "mean");
    return m;
  }
}
