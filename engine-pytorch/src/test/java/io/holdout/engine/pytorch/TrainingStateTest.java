package io.holdout.engine.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exact resume: a session rebuilt from (weights, training state) continues bit for bit like the
 * original, dropout and optimizer moments included.
 */
class TrainingStateTest {
  static ModelSpec withDropout() {
    return new ModelSpec(new long[] {4},
        List.of(new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.Dropout(0.3)),
        List.of(HeadSpec.dense("kind", HeadKind.CLASSIFICATION, 3), HeadSpec.dense("size", HeadKind.REGRESSION, 1)));
  }

  private void continuesExactly(OptimizerSpec opt) {
    ModelSpec spec = withDropout();
    LossSpec loss = SessionTest.twoLosses();
    Weights w0 = Weights.initialize(spec, 3);
    try (TrainingSession a = TestData.open(spec, w0, loss, opt)) {
      for (int i = 0; i < 3; i++) {
        a.trainStep(SessionTest.ruleBatch(8, i));
      }
      Weights w3 = a.weights();
      Map<String, Tensor> state = a.trainingState();
      assertThat(state).containsKey("steps");
      assertThat(state.get("steps").toLongArray()).containsExactly(3);
      try (TrainingSession b = TestData.open(spec, w3, loss, opt)) {
        b.loadTrainingState(state);
        for (int i = 3; i < 6; i++) {
          double la = a.trainStep(SessionTest.ruleBatch(8, i)).total();
          double lb = b.trainStep(SessionTest.ruleBatch(8, i)).total();
          assertThat(lb).isEqualTo(la);
        }
        assertThat(b.weights().maxAbsDiff(a.weights())).isZero();
      }
    }
  }

  @Test
  void adamResumesExactly() {
    continuesExactly(OptimizerSpec.adam(0.01));
  }

  @Test
  void sgdWithMomentumResumesExactly() {
    continuesExactly(OptimizerSpec.sgd(0.05, 0.9));
  }

  @Test
  void withoutStateTheContinuationDiffers() {
    ModelSpec spec = withDropout();
    OptimizerSpec opt = OptimizerSpec.adam(0.01);
    try (TrainingSession a = TestData.open(spec, Weights.initialize(spec, 3), SessionTest.twoLosses(), opt)) {
      for (int i = 0; i < 3; i++) {
        a.trainStep(SessionTest.ruleBatch(8, i));
      }
      try (TrainingSession b = TestData.open(spec, a.weights(), SessionTest.twoLosses(), opt)) {
        a.trainStep(SessionTest.ruleBatch(8, 3));
        b.trainStep(SessionTest.ruleBatch(8, 3));
        assertThat(b.weights().maxAbsDiff(a.weights())).isGreaterThan(0);
      }
    }
  }

  @Test
  void stateOfAnotherOptimizerIsRejected() {
    ModelSpec spec = withDropout();
    try (TrainingSession a = TestData.open(spec, Weights.initialize(spec, 3), SessionTest.twoLosses(), OptimizerSpec.sgd(0.1, 0.9));
        TrainingSession b = TestData.open(spec, Weights.initialize(spec, 3), SessionTest.twoLosses(), OptimizerSpec.adam(0.1))) {
      Map<String, Tensor> sgdState = a.trainingState();
      assertThatThrownBy(() -> b.loadTrainingState(sgdState)).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("lacks 'exp_avg.trunk.0.weight'");
    }
  }
}
