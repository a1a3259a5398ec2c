package io.holdout.api.config;

import io.holdout.api.HoldoutException;
import java.util.Map;

/**
 * The optimizer: a registered type ({@code sgd}, {@code adam} (default) and {@code adamw} are built
 * in; a plugin may add others), with PyTorch's defaults for absent values (lr 0.001, momentum 0,
 * betas 0.9/0.999, eps 1e-8, weight decay 0, no clipping).
 *
 * @param params every other key of the {@code optimizer:} section (written there directly or under
 *     {@code params:}), for a plugin's optimizer; never null after defaults
 */
public record OptimizerConfig(
    String type,
    Double lr,
    Double momentum,
    Boolean nesterov,
    Double weightDecay,
    Double beta1,
    Double beta2,
    Double eps,
    Double clipNorm,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        Map<String, Object> params) {

  /** The keys of the section with a field of their own (the rest go to {@link #params}). */
  public static final java.util.List<String> FIELDS =
      java.util.List.of("type", "lr", "momentum", "nesterov", "weightDecay", "beta1", "beta2", "eps", "clipNorm", "params");

  /** Without extra parameters. */
  public OptimizerConfig(String type, Double lr, Double momentum, Boolean nesterov, Double weightDecay, Double beta1,
      Double beta2, Double eps, Double clipNorm) {
    this(type, lr, momentum, nesterov, weightDecay, beta1, beta2, eps, clipNorm, Map.of());
  }

  /**
   * The number of extra key {@code key}, or {@code fallback} when it is absent.
   *
   * @throws HoldoutException {@code 'optimizer.KEY' must be a number, got 'x'}
   */
  public double number(String key, double fallback) {
    Object v = params == null ? null : params.get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new HoldoutException("'optimizer." + key + "' must be a number, got '" + v + "'");
  }

  /**
   * Fails naming the first extra key not among {@code known}.
   *
   * @throws HoldoutException {@code 'optimizer.KEY' is not a setting of optimizer 'TYPE' (settings:
   *     ...)}
   */
  public void requireOnly(java.util.Collection<String> known) {
    if (params == null) {
      return;
    }
    for (String k : new java.util.TreeSet<>(params.keySet())) {
      if (!known.contains(k)) {
        throw new HoldoutException("'optimizer." + k + "' is not a setting of optimizer '" + type + "' (settings: "
            + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
  }
}
