package io.holdout.api.export;

import io.holdout.api.detection.BoxDecoding;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an {@link Exporter} needs to write a standalone model file, engine-neutral: the
 * network and its weights, the preprocessing the file does itself (what its input takes and the
 * training split's standardisation), the postprocessing (a detector's box decoding) and the
 * metadata to store in it.
 *
 * @param model the network
 * @param weights its trained weights
 * @param input what the file's input {@code input} takes
 * @param mean per-element means to standardise the input with (null: none); a copy is kept
 * @param std per-element standard deviations (null exactly when {@code mean} is); a copy is kept
 * @param decoding a detector's box decoding, done in the file (null: not a detector, or no
 *     decoding)
 * @param metadata key/value pairs to store in the file (e.g. the holdout version, config hash)
 */
public record ExportRequest(
    ModelSpec model,
    Weights weights,
    Input input,
    float[] mean,
    float[] std,
    BoxDecoding decoding,
    Map<String, String> metadata) {

  /** The forms of the written file's input. */
  public enum Input {
    /** The network's own input (already preprocessed values). */
    MODEL,
    /** Raw float features {@code [batch, features]}; the file standardises them. */
    FEATURES,
    /**
     * Decoded RGB pixels, uint8 {@code [batch, height, width, 3]}, any size; the file scales,
     * resizes and standardises them.
     */
    IMAGE
  }

  public ExportRequest {
    Objects.requireNonNull(model, "model is null");
    Objects.requireNonNull(weights, "weights is null");
    Objects.requireNonNull(input, "input is null");
    if ((mean == null) != (std == null)) {
      throw new IllegalArgumentException("standardisation needs both mean and std");
    }
    mean = mean == null ? null : mean.clone();
    std = std == null ? null : std.clone();
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata is null")));
  }

  @Override
  public float[] mean() {
    return mean == null ? null : mean.clone();
  }

  @Override
  public float[] std() {
    return std == null ? null : std.clone();
  }
}
