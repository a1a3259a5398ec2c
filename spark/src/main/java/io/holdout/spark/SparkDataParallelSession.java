package io.holdout.spark;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.Weights;
import io.holdout.api.parallel.SessionRecipe;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A training session whose steps run data-parallel on Spark ({@link DataParallel}), {@code k} local
 * steps per round; the local session holds the averaged weights and optimizer state after every round
 * and does everything else (evaluation, weights, checkpoints' state).
 */
final class SparkDataParallelSession implements TrainingSession {
  private final JavaSparkContext sc;
  private final DataParallel parallel;
  private final TrainingSession local;
  private final int k;
  private final String description;
  /** The averaged state of the last round or what was loaded; null until then (fresh sessions). */
  private Map<String, Tensor> state;
  /** The weights the next round starts from; null: read them from the local session. */
  private Weights current;

  SparkDataParallelSession(JavaSparkContext sc, SessionRecipe recipe, TrainingSession local, int shards, int k,
      String master) {
    this.sc = sc;
    this.parallel = new DataParallel(sc, recipe, shards);
    this.local = local;
    this.k = k;
    this.description = local.device() + ", data-parallel: " + shards + " shards on spark " + master + ", " + k
        + (k == 1 ? " step" : " steps") + " per average";
  }

  @Override
  public int roundSteps() {
    return k;
  }

  @Override
  public LossBreakdown trainStep(Batch batch) {
    return trainRound(List.of(batch), new double[] {local.learningRate()}).get(0);
  }

  @Override
  public List<LossBreakdown> trainRound(List<Batch> batches, double[] lrs) {
    DataParallel.RoundResult r = parallel.round(current != null ? current : local.weights(), state, batches, lrs);
    local.loadWeights(r.weights());
    local.loadTrainingState(r.trainingState());
    local.setLearningRate(lrs[lrs.length - 1]);
    current = r.weights();
    state = r.trainingState();
    return r.losses();
  }

  @Override
  public EvalResult evalStep(Batch batch) {
    return local.evalStep(batch);
  }

  @Override
  public Weights weights() {
    return current != null ? current : local.weights();
  }

  @Override
  public void loadWeights(Weights weights) {
    local.loadWeights(weights);
    current = null;
  }

  @Override
  public Map<String, Tensor> trainingState() {
    return state != null ? state : local.trainingState();
  }

  @Override
  public void loadTrainingState(Map<String, Tensor> s) {
    local.loadTrainingState(s);
    state = s;
  }

  @Override
  public double learningRate() {
    return local.learningRate();
  }

  @Override
  public void setLearningRate(double lr) {
    local.setLearningRate(lr);
  }

  @Override
  public String device() {
    return description;
  }

  @Override
  public void close() {
    try {
      parallel.close();
    } finally {
      try {
        local.close();
      } finally {
        sc.close();
      }
    }
  }
}
