package io.holdout.api.model;

import java.util.List;
import java.util.Objects;

/**
 * A named output of the model.
 *
 * <p><b>A usual head</b> ({@code taps} empty): {@code layers} applied to the trunk's output. The
 * last layer must be a {@link LayerSpec.Dense} whose units are the head's output width (classes for
 * a classification head, which outputs logits).
 *
 * <p><b>A multi-scale (tapped) head</b> ({@code taps} not empty), as SSD's box and class
 * predictors: it reads the outputs of the trunk layers at the indices {@code taps}, each an image
 * {@code [C_t, H_t, W_t]}, and {@code layers} is exactly one {@code Dense(units)} naming the width
 * per anchor ({@code 4} for box offsets, {@code classes + 1} for class logits with the background
 * as class 0). For each tap {@code t} it applies a 3×3 convolution, stride 1, padding 1, with
 * {@code k·units} output channels ({@code k = anchorsPerLocation}; output channel {@code a·units +
 * u} is anchor {@code a}'s value {@code u}), permutes the result from {@code [B, k·units, H, W]} to
 * {@code [B, H, W, k·units]} and reshapes it to {@code [B, H·W·k, units]}, so rows run in {@code (y,
 * x, anchor)} order; the taps are concatenated in the order listed. The output is {@code [B, A,
 * units]} with {@code A = Σ_t H_t·W_t·k}. Parameters are {@code heads.<name>.<t>.weight} {@code
 * [k·units, C_t, 3, 3]} (OIHW) and {@code heads.<name>.<t>.bias} {@code [k·units]}, {@code t} being
 * the position in {@code taps} (not the trunk index). Backends declare it as the layer type {@value
 * #MULTISCALE_TYPE}.
 *
 * @param taps trunk layer indices whose outputs feed a multi-scale head, in concatenation order;
 *     empty for a usual head
 * @param anchorsPerLocation {@code k}, default boxes per feature-map cell (1 for a usual head)
 */
public record HeadSpec(
    String name, HeadKind kind, List<LayerSpec> layers, List<Integer> taps, int anchorsPerLocation) {

  /** The layer type a multi-scale head reports in {@link ModelSpec#layerTypes()}. */
  public static final String MULTISCALE_TYPE = "multiscale_head";

  public HeadSpec {
    Objects.requireNonNull(name, "head name is null");
    Objects.requireNonNull(kind, "head kind is null");
    layers = List.copyOf(Objects.requireNonNull(layers, "head layers are null"));
    taps = List.copyOf(Objects.requireNonNull(taps, "head taps are null"));
    if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof LayerSpec.Dense)) {
      throw new IllegalArgumentException("head '" + name + "' must end with a dense layer");
    }
    if (taps.isEmpty()) {
      if (anchorsPerLocation != 1) {
        throw new IllegalArgumentException(
            "head '" + name + "' reads no trunk taps, so anchorsPerLocation must be 1, not "
                + anchorsPerLocation);
      }
    } else {
      if (layers.size() != 1) {
        throw new IllegalArgumentException(
            "multi-scale head '" + name + "' takes exactly one dense layer (its units per anchor),"
                + " not " + layers.size() + " layers");
      }
      if (anchorsPerLocation <= 0) {
        throw new IllegalArgumentException(
            "multi-scale head '" + name + "' needs anchorsPerLocation > 0, got "
                + anchorsPerLocation);
      }
      if (taps.stream().distinct().count() != taps.size()) {
        throw new IllegalArgumentException(
            "multi-scale head '" + name + "' lists a trunk tap twice: " + taps);
      }
    }
  }

  /** A usual head: {@code layers} applied to the trunk's final output. */
  public HeadSpec(String name, HeadKind kind, List<LayerSpec> layers) {
    this(name, kind, layers, List.of(), 1);
  }

  /** A head of one dense layer with {@code units} outputs. */
  public static HeadSpec dense(String name, HeadKind kind, int units) {
    return new HeadSpec(name, kind, List.of(new LayerSpec.Dense(units)));
  }

  /**
   * A multi-scale head reading the trunk outputs at {@code taps}, with {@code units} values per
   * anchor and {@code anchorsPerLocation} anchors per feature-map cell.
   */
  public static HeadSpec multiScale(
      String name, HeadKind kind, int units, List<Integer> taps, int anchorsPerLocation) {
    Objects.requireNonNull(taps, "taps is null");
    if (taps.isEmpty()) {
      throw new IllegalArgumentException("multi-scale head '" + name + "' needs at least one tap");
    }
    return new HeadSpec(name, kind, List.of(new LayerSpec.Dense(units)), taps, anchorsPerLocation);
  }

  /** Output width: per sample for a usual head, per anchor for a multi-scale head. */
  public int units() {
    return ((LayerSpec.Dense) layers.get(layers.size() - 1)).units();
  }

  /** Whether this head reads trunk taps (a multi-scale head). */
  public boolean isMultiScale() {
    return !taps.isEmpty();
  }
}
