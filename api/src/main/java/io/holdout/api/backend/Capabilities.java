package io.holdout.api.backend;

import io.holdout.api.HoldoutException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a backend can do, declared up front so that an experiment it cannot run fails at start with
 * the backend, the feature and an alternative named, never mid-run.
 *
 * @param alternatives hints per missing feature, e.g. {@code "train" -> "train on pytorch, then
 *     evaluate here"}
 */
public record Capabilities(
    boolean training,
    boolean gpu,
    Set<String> layers,
    Set<String> losses,
    Set<String> optimizers,
    Map<String, String> alternatives) {

  public Capabilities {
    layers = Set.copyOf(layers);
    losses = Set.copyOf(losses);
    optimizers = Set.copyOf(optimizers);
    alternatives = Map.copyOf(alternatives);
  }

  /** Throws a {@link HoldoutException} naming the first feature of {@code spec} not supported. */
  public void check(String backend, SessionSpec spec) {
    if (spec.trains() && !training) {
      throw missing(backend, "training", "train");
    }
    if (spec.device() == Device.GPU && !gpu) {
      throw missing(backend, "GPU devices", "gpu");
    }
    for (String layer : new TreeSet<>(spec.model().layerTypes())) {
      if (!layers.contains(layer)) {
        throw missing(backend, "layer '" + layer + "'", "layer:" + layer);
      }
    }
    for (String loss : new TreeSet<>(spec.loss().types())) {
      if (!supportsLoss(loss)) {
        throw missing(backend, "loss '" + loss + "'", "loss:" + loss);
      }
    }
    if (spec.trains() && !supportsOptimizer(spec.optimizer())) {
      throw missing(backend, "optimizer '" + spec.optimizer().type() + "'", "optimizer:" + spec.optimizer().type());
    }
  }

  private HoldoutException missing(String backend, String feature, String key) {
    String alt = alternatives.getOrDefault(key, "use a backend that supports it (see `holdout backends`)");
    return new HoldoutException("backend '" + backend + "' does not support " + feature + ": " + alt);
  }

  /**
   * Whether the backend trains with {@code optimizer}: one of its {@link #optimizers()} (built-in
   * types it runs natively), or an optimizer given by its update rule, which every training backend
   * compiles.
   */
  public boolean supportsOptimizer(io.holdout.api.optim.OptimizerSpec optimizer) {
    return optimizers.contains(optimizer.type()) || (training && optimizer.usesRule() && optimizer.rule() != null);
  }

  /**
   * Whether the backend computes loss {@code type}: one of its {@link #losses()}, or a loss type a
   * plugin registered, an engine-neutral expression that every backend compiles.
   */
  public boolean supportsLoss(String type) {
    return losses.contains(type) || io.holdout.api.extension.Extensions.installed().losses().containsKey(type);
  }
}
