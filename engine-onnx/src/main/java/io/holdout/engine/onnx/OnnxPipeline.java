package io.holdout.engine.onnx;

import io.holdout.api.export.Exporter;
import java.util.Objects;

/**
 * What an exported graph does around the network so a consumer feeds what it has and reads what
 * it wants (see {@link OnnxExport}).
 *
 * <p><b>Input.</b> {@link Input#MODEL}: the network's own input, float {@code [batch, ...shape]}
 * (the inputs holdout trained on, already scaled and standardised). {@link Input#FEATURES}: raw
 * feature values, float {@code [batch, features]}, in the training CSV's units. {@link
 * Input#IMAGE}: decoded pixels, uint8 {@code [batch, height, width, 3]} (RGB, 0–255, channels
 * last, any height and width); the graph casts them to float, multiplies by {@code 1/255} (what
 * holdout's image reader does), takes the luma {@code 0.299 R + 0.587 G + 0.114 B} for a one-channel
 * model, moves the channels first and resizes bilinearly (half-pixel centres) to the model's size.
 *
 * <p><b>Standardisation.</b> With {@code mean} and {@code std} (one value per element of the
 * network's input, as holdout's standardiser fitted them on the training split), the graph computes
 * {@code (x - mean) / std} before the network (ONNX {@code Sub} and {@code Div}, float32, the same
 * operations holdout runs in Java).
 *
 * <p><b>Probabilities.</b> With {@code probabilities}, each usual (not multi-scale) classification
 * head {@code h} gets a second output {@code h_probabilities}, the softmax of its logits, next to
 * the logits output {@code h}.
 *
 * @param input what the graph's input {@code input} takes
 * @param mean per-element means (null: no standardisation), a copy is kept
 * @param std per-element standard deviations, all positive (null exactly when {@code mean} is)
 * @param probabilities whether classification heads also output softmax probabilities
 */
public record OnnxPipeline(Input input, float[] mean, float[] std, boolean probabilities) {
  /** The forms of the exported graph's input. */
  public enum Input {
    /** The network's own float input. */
    MODEL,
    /** Raw float features {@code [batch, features]}. */
    FEATURES,
    /** Decoded RGB pixels, uint8 {@code [batch, height, width, 3]}, any size. */
    IMAGE
  }

  /** The suffix of a classification head's probabilities output. */
  public static final String PROBABILITIES = Exporter.PROBABILITIES;

  /** The network alone: its own input, one output per head (what {@link OnnxExport} wrote before). */
  public static final OnnxPipeline NONE = new OnnxPipeline(Input.MODEL, null, null, false);

  public OnnxPipeline {
    Objects.requireNonNull(input, "input is null");
    if ((mean == null) != (std == null)) {
      throw new IllegalArgumentException("standardisation needs both mean and std");
    }
    if (mean != null) {
      if (mean.length != std.length || mean.length == 0) {
        throw new IllegalArgumentException("standardisation: " + mean.length + " means but " + std.length + " stds");
      }
      for (int i = 0; i < std.length; i++) {
        if (!(std[i] > 0) || !Float.isFinite(std[i]) || !Float.isFinite(mean[i])) {
          throw new IllegalArgumentException("standardisation: element " + i + " has mean " + mean[i] + " and std "
              + std[i]);
        }
      }
      mean = mean.clone();
      std = std.clone();
    }
  }

  /** Raw features in, probabilities out; standardised when {@code mean} is not null. */
  public static OnnxPipeline features(float[] mean, float[] std) {
    return new OnnxPipeline(Input.FEATURES, mean, std, true);
  }

  /** Decoded pixels in, probabilities out; standardised when {@code mean} is not null. */
  public static OnnxPipeline image(float[] mean, float[] std) {
    return new OnnxPipeline(Input.IMAGE, mean, std, true);
  }

  @Override
  public float[] mean() {
    return mean == null ? null : mean.clone();
  }

  @Override
  public float[] std() {
    return std == null ? null : std.clone();
  }

  /** Whether the graph standardises its input. */
  public boolean standardizes() {
    return mean != null;
  }
}
