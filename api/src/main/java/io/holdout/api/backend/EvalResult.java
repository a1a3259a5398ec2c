package io.holdout.api.backend;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/**
 * Result of one evaluation step: the loss breakdown over the batch, each head's raw output ({@code
 * [batch, ...]}: values for regression, logits for classification) and each loss component's value
 * per sample ({@code float[batch]}, under that component's own normalisation), all copied out of the
 * engine.
 */
public record EvalResult(
    LossBreakdown loss, Map<String, Tensor> outputs, Map<String, float[]> perSampleLosses) {
  public EvalResult {
    outputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputs));
    perSampleLosses = perSampleLosses == null ? Map.of() : Map.copyOf(perSampleLosses);
  }
}
