package io.holdout.api.model;

import java.util.List;
import java.util.Objects;

/**
 * A named output of the model: layers applied to the trunk's output. The last layer must be a
 * {@link LayerSpec.Dense} whose units are the head's output width (classes for a classification
 * head, which outputs logits).
 */
public record HeadSpec(String name, HeadKind kind, List<LayerSpec> layers) {
  public HeadSpec {
    Objects.requireNonNull(name, "head name is null");
    Objects.requireNonNull(kind, "head kind is null");
    layers = List.copyOf(layers);
    if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof LayerSpec.Dense)) {
      throw new IllegalArgumentException("head '" + name + "' must end with a dense layer");
    }
  }

  /** A head of one dense layer with {@code units} outputs. */
  public static HeadSpec dense(String name, HeadKind kind, int units) {
    return new HeadSpec(name, kind, List.of(new LayerSpec.Dense(units)));
  }

  public int units() {
    return ((LayerSpec.Dense) layers.get(layers.size() - 1)).units();
  }
}
