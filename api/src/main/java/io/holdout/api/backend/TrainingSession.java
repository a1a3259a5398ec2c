package io.holdout.api.backend;

import io.holdout.api.HoldoutException;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Tensor;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.tensor.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A compiled model with its loss and optimizer, living in one engine. Each step is one call into
 * the engine (forward, loss, backward and update for training), so graph engines can run it as one
 * compiled graph. Closing a session frees every native resource it holds.
 */
public interface TrainingSession extends AutoCloseable {

  /** One optimisation step on {@code batch}; returns the loss breakdown before the update. */
  LossBreakdown trainStep(Batch batch);

  /**
   * How many consecutive steps this session wants per {@link #trainRound} call (1 for an engine
   * session; {@code k} for data-parallel training, which averages once per {@code k} local steps).
   * The trainer hands it up to this many batches at a time, never across an epoch's end.
   */
  default int roundSteps() {
    return 1;
  }

  /**
   * Several optimisation steps: batch {@code i} at learning rate {@code lrs[i]}; returns one
   * breakdown per batch, each before its update. The default runs {@link #trainStep} on each.
   */
  default List<LossBreakdown> trainRound(List<Batch> batches, double[] lrs) {
    if (batches.size() != lrs.length) {
      throw new IllegalArgumentException(batches.size() + " batches but " + lrs.length + " learning rates");
    }
    List<LossBreakdown> out = new ArrayList<>(batches.size());
    for (int i = 0; i < batches.size(); i++) {
      if (lrs[i] != learningRate()) {
        setLearningRate(lrs[i]);
      }
      out.add(trainStep(batches.get(i)));
    }
    return out;
  }

  /** Loss breakdown and head outputs on {@code batch}, in inference mode, without updating. */
  EvalResult evalStep(Batch batch);

  /** The current weights (including batch-norm running statistics), copied out of the engine. */
  Weights weights();

  /** Replaces the current weights; shapes must fit the model. */
  void loadWeights(Weights weights);

  /**
   * Everything besides {@link #weights()} that training needs to continue exactly where it is:
   * optimizer moments, the step count, the position of engine-side random streams (dropout), as
   * named neutral tensors. Checkpoints store it; {@link #loadTrainingState} restores it.
   *
   * @throws io.holdout.api.HoldoutException when the backend cannot save it (then exact resume is
   *     not offered)
   */
  default Map<String, Tensor> trainingState() {
    throw new HoldoutException("this backend cannot save its optimizer state, so runs cannot be resumed exactly");
  }

  /** Restores what {@link #trainingState()} returned. */
  default void loadTrainingState(Map<String, Tensor> state) {
    throw new HoldoutException("this backend cannot restore optimizer state, so runs cannot be resumed exactly");
  }

  double learningRate();

  void setLearningRate(double lr);

  /** Human-readable device the session runs on, e.g. {@code cpu()} or {@code gpu(0)}. */
  String device();

  @Override
  void close();
}
