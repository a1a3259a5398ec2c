package io.holdout.api.backend;

import io.holdout.api.HoldoutException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a backend can do, declared up front so that an experiment it cannot run fails at start with
 * the backend, the feature and an alternative named, never mid-run.
 *
 * <p>A backend may evaluate more than it trains: {@link #trainingLayers()} and {@link
 * #trainingLosses()} are the layer and loss types it can differentiate (a subset of {@link
 * #layers()} and {@link #losses()}; empty when it does not train). {@link #PLUGIN_LOSSES} among the
 * training losses means it also trains with every loss type a plugin registers.
 *
 * @param alternatives hints per missing feature, e.g. {@code "train" -> "train on pytorch, then
 *     evaluate here"}; {@code "train:layer:<type>"} and {@code "train:loss:<type>"} for a type
 *     evaluated but not trained ({@code "train:*"} for all of them)
 * @param precisions the types the backend computes sessions in (float32 always)
 */
public record Capabilities(
    boolean training,
    boolean gpu,
    Set<String> layers,
    Set<String> losses,
    Set<String> optimizers,
    Map<String, String> alternatives,
    Set<String> trainingLayers,
    Set<String> trainingLosses,
    Set<Precision> precisions) {

  /** In {@link #trainingLosses()}: the backend trains with the loss types plugins register too. */
  public static final String PLUGIN_LOSSES = "<plugin losses>";

  public Capabilities {
    layers = Set.copyOf(layers);
    losses = Set.copyOf(losses);
    optimizers = Set.copyOf(optimizers);
    alternatives = Map.copyOf(alternatives);
    trainingLayers = training ? Set.copyOf(trainingLayers) : Set.of();
    trainingLosses = training ? Set.copyOf(trainingLosses) : Set.of();
    precisions = Set.copyOf(precisions);
    for (String t : trainingLayers) {
      if (!layers.contains(t)) {
        throw new IllegalArgumentException("training layer '" + t + "' is not among the layers " + new TreeSet<>(layers));
      }
    }
  }

  /** A float32-only backend. */
  public Capabilities(boolean training, boolean gpu, Set<String> layers, Set<String> losses, Set<String> optimizers,
      Map<String, String> alternatives, Set<String> trainingLayers, Set<String> trainingLosses) {
    this(training, gpu, layers, losses, optimizers, alternatives, trainingLayers, trainingLosses,
        Set.of(Precision.FLOAT32));
  }

  /** These capabilities computing in {@code p} as well. */
  public Capabilities withPrecisions(Set<Precision> p) {
    return new Capabilities(training, gpu, layers, losses, optimizers, alternatives, trainingLayers, trainingLosses, p);
  }

  /**
   * A backend that trains everything it evaluates (when {@code training}), plugin loss types
   * included.
   */
  public Capabilities(boolean training, boolean gpu, Set<String> layers, Set<String> losses, Set<String> optimizers,
      Map<String, String> alternatives) {
    this(training, gpu, layers, losses, optimizers, alternatives, layers, withPlugins(losses));
  }

  private static Set<String> withPlugins(Set<String> losses) {
    Set<String> out = new java.util.HashSet<>(losses);
    out.add(PLUGIN_LOSSES);
    return out;
  }

  /** Whether the backend trains layer {@code type} (computes its gradients). */
  public boolean trainsLayer(String type) {
    return training && trainingLayers.contains(type);
  }

  /** Whether the backend trains with loss {@code type}, a built-in one or one a plugin registered. */
  public boolean trainsLoss(String type) {
    if (!training) {
      return false;
    }
    return trainingLosses.contains(type) || (trainingLosses.contains(PLUGIN_LOSSES)
        && !losses.contains(type) && io.holdout.api.extension.Extensions.installed().losses().containsKey(type));
  }

  /**
   * Whether the backend trains {@code model} with {@code loss} and SGD (what the conformance suites
   * and the doctor's gradient checks need).
   */
  public boolean trainsWithSgd(io.holdout.api.model.ModelSpec model, io.holdout.api.loss.LossSpec loss) {
    return training && optimizers.contains("sgd") && model.layerTypes().stream().allMatch(this::trainsLayer)
        && loss.types().stream().allMatch(this::trainsLoss);
  }

  /** Throws a {@link HoldoutException} naming the first feature of {@code spec} not supported. */
  public void check(String backend, SessionSpec spec) {
    if (spec.trains() && !training) {
      throw missing(backend, "training", "train");
    }
    if (spec.device() == Device.GPU && !gpu) {
      throw missing(backend, "GPU devices", "gpu");
    }
    if (!precisions.contains(spec.precision())) {
      throw missing(backend, "engine.precision " + spec.precision().key(), "precision:" + spec.precision().key());
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
    if (spec.trains()) {
      for (String layer : new TreeSet<>(spec.model().layerTypes())) {
        if (!trainsLayer(layer)) {
          throw missing(backend, "training layer '" + layer + "' yet (it evaluates it)", "train:layer:" + layer);
        }
      }
      for (String loss : new TreeSet<>(spec.loss().types())) {
        if (!trainsLoss(loss)) {
          throw missing(backend, "training with loss '" + loss + "' yet (it evaluates it)", "train:loss:" + loss);
        }
      }
    }
    if (spec.trains() && !supportsOptimizer(spec.optimizer())) {
      throw missing(backend, "optimizer '" + spec.optimizer().type() + "'", "optimizer:" + spec.optimizer().type());
    }
  }

  private HoldoutException missing(String backend, String feature, String key) {
    String alt = alternatives.getOrDefault(key, alternatives.getOrDefault(key.startsWith("train:") ? "train:*" : key,
        "use a backend that supports it (see `holdout backends`)"));
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
