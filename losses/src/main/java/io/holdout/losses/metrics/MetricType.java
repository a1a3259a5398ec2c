package io.holdout.losses.metrics;

import io.holdout.api.metrics.Direction;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A metric in the catalogue: its config name, which way is better, its parameters with their
 * defaults, and one sentence on what it computes (for docs and reports).
 */
public record MetricType(
    String name, Direction direction, Map<String, Object> defaults, String description) {
  public MetricType {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(direction, "direction is null");
    Objects.requireNonNull(description, "description is null");
    defaults = Map.copyOf(defaults);
  }

  /** The parameter names, sorted. */
  public List<String> parameters() {
    return List.copyOf(new TreeSet<>(defaults.keySet()));
  }
}
