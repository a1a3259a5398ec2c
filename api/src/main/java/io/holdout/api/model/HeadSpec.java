package io.holdout.api.model;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A named output of the model.
 *
 * <p><b>A usual head</b> ({@code taps} empty): {@code layers} applied to the output of node {@code
 * from} (null: the model's last node). The last layer must be a {@link LayerSpec.Dense} whose units
 * are the head's output width (classes for a classification head, which outputs logits).
 *
 * <p><b>A multi-scale (tapped) head</b> ({@code taps} not empty), as SSD's box and class
 * predictors: it reads the outputs of the nodes {@code taps}, each an image {@code [C_t, H_t,
 * W_t]}, and {@code layers} is exactly one {@code Dense(units)} naming the width per anchor ({@code
 * 4} for box offsets, {@code classes + 1} for class logits with the background as class 0). For
 * each tap {@code t} a predictor maps the map to {@code k·units} channels ({@code k =
 * anchorsPerLocation}; output channel {@code a·units + u} is anchor {@code a}'s value {@code u}),
 * and {@link LayerSpec.Anchors} turns {@code [k·units, H, W]} into rows {@code [H·W·k, units]} in
 * {@code (y, x, anchor)} order; the taps are concatenated in the order listed. The output is {@code
 * [A, units]} with {@code A = Σ_t H_t·W_t·k}. The predictor is a 3×3 convolution (stride 1, padding
 * 1; SSD's, parameters {@code heads.<name>.<t>.weight} {@code [k·units, C_t, 3, 3]} and {@code
 * .bias}) or, {@link Predictor#SEPARABLE}, SSD-Lite's depthwise-separable one: a 3×3 depthwise
 * convolution with bias ({@code heads.<name>.<t>.dw}), batch norm ({@code .bn}), ReLU6 and a 1×1
 * convolution ({@code .pw}). {@code t} is the position in {@code taps}.
 *
 * @param from the node a usual head reads (null: the last node of the model)
 * @param taps nodes whose outputs feed a multi-scale head, in concatenation order; empty for a
 *     usual head
 * @param anchorsPerLocation {@code k}, default boxes per feature-map cell (1 for a usual head)
 */
public record HeadSpec(String name, HeadKind kind, List<LayerSpec> layers, String from, List<String> taps,
    int anchorsPerLocation, Predictor predictor) {

  /** How a multi-scale head predicts from each tap. */
  public enum Predictor {
    /** A 3×3 convolution (SSD). */
    CONV,
    /** Depthwise 3×3 with bias, batch norm, ReLU6, pointwise 1×1 (SSD-Lite). */
    SEPARABLE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public HeadSpec {
    Objects.requireNonNull(name, "head name is null");
    Objects.requireNonNull(kind, "head kind is null");
    layers = List.copyOf(Objects.requireNonNull(layers, "head layers are null"));
    taps = List.copyOf(Objects.requireNonNull(taps, "head taps are null"));
    predictor = predictor == null ? Predictor.CONV : predictor;
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
      if (from != null) {
        throw new IllegalArgumentException("multi-scale head '" + name + "' reads its taps, not a 'from' node");
      }
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

  /** A usual head: {@code layers} applied to the model's last node. */
  public HeadSpec(String name, HeadKind kind, List<LayerSpec> layers) {
    this(name, kind, layers, null, List.of(), 1, Predictor.CONV);
  }

  /** A head over sequential trunk layer indices {@code taps} (empty: a usual head). */
  public HeadSpec(String name, HeadKind kind, List<LayerSpec> layers, List<Integer> taps, int anchorsPerLocation) {
    this(name, kind, layers, null, trunkNodes(taps), anchorsPerLocation, Predictor.CONV);
  }

  /** A head of one dense layer with {@code units} outputs. */
  public static HeadSpec dense(String name, HeadKind kind, int units) {
    return new HeadSpec(name, kind, List.of(new LayerSpec.Dense(units)));
  }

  /** A usual head: {@code layers} applied to node {@code from}'s output. */
  public static HeadSpec on(String from, String name, HeadKind kind, List<LayerSpec> layers) {
    return new HeadSpec(name, kind, layers, Objects.requireNonNull(from, "from is null"), List.of(), 1,
        Predictor.CONV);
  }

  /**
   * A multi-scale head reading the sequential trunk outputs at {@code taps}, with {@code units}
   * values per anchor and {@code anchorsPerLocation} anchors per feature-map cell.
   */
  public static HeadSpec multiScale(
      String name, HeadKind kind, int units, List<Integer> taps, int anchorsPerLocation) {
    Objects.requireNonNull(taps, "taps is null");
    return multiScaleOn(name, kind, units, trunkNodes(taps), anchorsPerLocation, Predictor.CONV);
  }

  /** A multi-scale head reading the nodes {@code taps}. */
  public static HeadSpec multiScaleOn(String name, HeadKind kind, int units, List<String> taps,
      int anchorsPerLocation, Predictor predictor) {
    Objects.requireNonNull(taps, "taps is null");
    if (taps.isEmpty()) {
      throw new IllegalArgumentException("multi-scale head '" + name + "' needs at least one tap");
    }
    return new HeadSpec(name, kind, List.of(new LayerSpec.Dense(units)), null, taps, anchorsPerLocation,
        predictor);
  }

  /** The node name of sequential trunk layer {@code i}. */
  public static String trunkNode(int i) {
    return "trunk." + i;
  }

  private static List<String> trunkNodes(List<Integer> taps) {
    return Objects.requireNonNull(taps, "head taps are null").stream().map(HeadSpec::trunkNode).toList();
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
