package io.holdout.api.backend;

import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import java.util.Objects;

/**
 * Everything a backend needs to open a session: the model, its initial weights, the loss, the
 * optimizer (null for evaluation-only sessions), the device, a seed for engine-side randomness
 * (dropout), thread counts (0 = engine default) and the precision the engine computes in.
 */
public record SessionSpec(
    ModelSpec model,
    Weights initialWeights,
    LossSpec loss,
    OptimizerSpec optimizer,
    Device device,
    long seed,
    int intraOpThreads,
    int interOpThreads,
    Precision precision) {
  public SessionSpec {
    Objects.requireNonNull(model, "model is null");
    Objects.requireNonNull(precision, "precision is null");
    Objects.requireNonNull(initialWeights, "initialWeights is null");
    Objects.requireNonNull(loss, "loss is null");
    Objects.requireNonNull(device, "device is null");
  }

  /** A float32 session. */
  public SessionSpec(ModelSpec model, Weights initialWeights, LossSpec loss, OptimizerSpec optimizer,
      Device device, long seed, int intraOpThreads, int interOpThreads) {
    this(model, initialWeights, loss, optimizer, device, seed, intraOpThreads, interOpThreads,
        Precision.FLOAT32);
  }

  /** This spec computed in {@code p}. */
  public SessionSpec withPrecision(Precision p) {
    return new SessionSpec(model, initialWeights, loss, optimizer, device, seed, intraOpThreads,
        interOpThreads, p);
  }

  public boolean trains() {
    return optimizer != null;
  }
}
