package io.holdout.api.backend;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/**
 * Result of one evaluation step: the loss breakdown over the batch, and each head's raw output
 * ({@code [batch, units]}: values for regression, logits for classification), copied out of the
 * engine.
 */
public record EvalResult(LossBreakdown loss, Map<String, Tensor> outputs) {
  public EvalResult {
    outputs = Map.copyOf(outputs);
  }
}
