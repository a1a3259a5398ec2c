package io.holdout.api.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One named term of the loss: its type in the loss catalogue ({@code mse}, {@code cross_entropy},
 * ...), its weight in the total, the model output (head) it reads and the target it compares with,
 * and type-specific parameters (e.g. {@code beta} for smooth L1).
 */
public record LossComponentSpec(
    String name, String type, double weight, String output, String target, Map<String, Object> params) {
  public LossComponentSpec {
    Objects.requireNonNull(name, "loss name is null");
    Objects.requireNonNull(type, "loss type is null");
    Objects.requireNonNull(output, "loss output is null");
    Objects.requireNonNull(target, "loss target is null");
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("loss '" + name + "' weight must be >= 0, got " + weight);
    }
    params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public static LossComponentSpec of(String name, String type, double weight, String output, String target) {
    return new LossComponentSpec(name, type, weight, output, target, Map.of());
  }

  public double param(String key, double fallback) {
    Object v = params.get(key);
    return v == null ? fallback : ((Number) v).doubleValue();
  }
}
