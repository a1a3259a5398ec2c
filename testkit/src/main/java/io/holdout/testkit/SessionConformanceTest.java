package io.holdout.testkit;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static io.holdout.checks.Fixtures.loss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.checks.Fixtures;
import io.holdout.checks.ReferenceModel;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The session contract: weights in and out by their portable names and PyTorch layouts (bit for
 * bit), evaluation outputs and per-sample losses, the loss breakdown, evaluation leaving every
 * state alone, evaluation-only sessions, the learning rate, closed sessions, and errors that name
 * what is wrong.
 */
public abstract class SessionConformanceTest extends ConformanceBase {
  static final int N = 6;

  /** Image input, every layer type, a regression and a classification head. */
  static ModelSpec model() {
    return new ModelSpec(new long[] {2, 6, 6},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2), new LayerSpec.Dropout(0.2), new LayerSpec.Flatten(),
            new LayerSpec.Dense(8), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("reg", HeadKind.REGRESSION, 2), HeadSpec.dense("cls", HeadKind.CLASSIFICATION, 3)));
  }

  static LossSpec loss2() {
    return new LossSpec(List.of(
        new LossComponentSpec("regression", "mse", 1.0, "reg", "r", Map.of()),
        new LossComponentSpec("classification", "cross_entropy", 0.5, "cls", "c", Map.of())));
  }

  static Batch data(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return batch("input", floats(Fixtures.normal(r, N * 72, 1), N, 2, 6, 6),
        "r", floats(Fixtures.normal(r, N * 2, 1), N, 2),
        "c", longs(Fixtures.labels(r, N, 3), N));
  }

  private SessionSpec trainable(Weights w) {
    SessionSpec s = Fixtures.spec(model(), w, loss2(), Fixtures.optimizer("sgd", 0.05, 0.9, false, 0, 0));
    assumeSupported(s);
    return s;
  }

  private SessionSpec evaluating(Weights w) {
    SessionSpec s = Fixtures.spec(model(), w, loss2(), null);
    assumeSupported(s);
    return s;
  }

  @Test
  void weightsComeOutAsTheyWentInByNameShapeAndBits() {
    ModelSpec spec = model();
    Weights w0 = Weights.initialize(spec, 1);
    Weights w1 = Weights.initialize(spec, 2);
    try (TrainingSession s = open(evaluating(w0))) {
      Weights out = s.weights();
      List<ParamInfo> params = spec.parameters();
      assertThat(out.tensors().keySet()).containsExactlyElementsOf(params.stream().map(ParamInfo::name).toList());
      for (ParamInfo p : params) {
        assertThat(out.get(p.name()).shape()).as(p.name()).containsExactly(p.shape());
        assertThat(out.get(p.name()).toFloatArray()).as(p.name()).containsExactly(w0.get(p.name()).toFloatArray());
      }
      s.loadWeights(w1);
      assertThat(s.weights().maxAbsDiff(w1)).isZero();
    }
  }

  @Test
  void weightsThatDoNotFitFailNamingTheTensor() {
    ModelSpec spec = model();
    Map<String, Tensor> bad = new LinkedHashMap<>(Weights.initialize(spec, 1).tensors());
    bad.put("trunk.6.weight", floats(new float[8 * 3], 8, 3));
    try (TrainingSession s = open(evaluating(Weights.initialize(spec, 1)))) {
      assertThatThrownBy(() -> s.loadWeights(new Weights(bad)))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("trunk.6.weight");
    }
  }

  @Test
  void weightsTrainedInOneSessionEvaluateTheSameInAnother() {
    Weights w0 = Weights.initialize(model(), 3);
    Batch b = data(4);
    EvalResult first;
    Weights trained;
    try (TrainingSession s = open(trainable(w0))) {
      for (int i = 0; i < 3; i++) {
        s.trainStep(b);
      }
      trained = s.weights();
      first = s.evalStep(b);
    }
    try (TrainingSession s = open(evaluating(trained))) {
      EvalResult second = s.evalStep(b);
      assertThat(second.loss().raw()).isEqualTo(first.loss().raw());
      for (String head : List.of("reg", "cls")) {
        assertThat(second.outputs().get(head).toFloatArray()).containsExactly(first.outputs().get(head).toFloatArray());
      }
    }
  }

  @Test
  void evaluationGivesEveryHeadEveryComponentAndPerSampleValues() {
    ModelSpec spec = model();
    Weights w = Weights.initialize(spec, 5);
    Batch b = data(6);
    ReferenceModel.Pass pass = new ReferenceModel(spec, w).forward(Fixtures.toDoubles(b.input().toFloatArray()), N, false);
    try (TrainingSession s = open(evaluating(w))) {
      EvalResult r = s.evalStep(b);
      assertThat(r.outputs().keySet()).containsExactlyInAnyOrder("reg", "cls");
      assertThat(r.outputs().get("reg").shape()).containsExactly(N, 2);
      assertThat(r.outputs().get("cls").shape()).containsExactly(N, 3);
      for (String head : List.of("reg", "cls")) {
        Checks.allClose(r.outputs().get(head).toFloatArray(), pass.outputs().get(head), 1e-5, 1e-6, head);
      }
      LossBreakdown lb = r.loss();
      assertThat(lb.raw().keySet()).containsExactly("regression", "classification");
      assertThat(lb.samples()).isEqualTo(N);
      assertThat(lb.total()).isCloseTo(lb.raw("regression") + 0.5 * lb.raw("classification"), within(1e-12));
      Map<String, Tensor> outputs = Map.of("reg", floatsOf(pass.outputs().get("reg"), N, 2),
          "cls", floatsOf(pass.outputs().get("cls"), N, 3));
      for (LossComponentSpec c : loss2().components()) {
        float[] ps = r.perSampleLosses().get(c.name());
        assertThat(ps).as(c.name()).hasSize(N);
        double mean = 0;
        for (float v : ps) {
          mean += v / (double) N;
        }
        // both components are means over samples with equal denominators
        assertThat(mean).as("%s: mean of per-sample values", c.name()).isCloseTo(lb.raw(c.name()), within(1e-5));
        // what exact split losses add up: Σ num and its count (elements of the regression, labels of the
        // classification), by hand
        assertThat(lb.count(c.name())).as("%s count", c.name()).isEqualTo(c.type().equals("mse") ? 2.0 * N : N);
        Checks.close(lb.numerator(c.name()), lb.raw(c.name()) * lb.count(c.name()), 1e-5, 1e-6, c.name() + " numerator");
        Checks.close(lb.raw(c.name()), io.holdout.losses.reference.ReferenceLosses.value(c, outputs, b), 1e-5,
            1e-6, c.name());
      }
    }
  }

  private static Tensor floatsOf(double[] v, long... shape) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return floats(f, shape);
  }

  @Test
  void evaluationChangesNoState() {
    Weights w = Weights.initialize(model(), 7);
    Batch b = data(8);
    try (TrainingSession s = open(trainable(w))) {
      EvalResult a = s.evalStep(b);
      EvalResult c = s.evalStep(b);
      assertThat(c.loss().raw()).isEqualTo(a.loss().raw());
      assertThat(s.weights().maxAbsDiff(w)).as("weights and running statistics").isZero();
    }
  }

  @Test
  void trainingStepReportsTheLossBeforeItsUpdate() {
    Weights w = Weights.initialize(model(), 9);
    Batch b = data(10);
    try (TrainingSession s = open(trainable(w))) {
      LossBreakdown lb = s.trainStep(b);
      assertThat(lb.raw().keySet()).containsExactly("regression", "classification");
      assertThat(lb.total()).isCloseTo(lb.raw("regression") + 0.5 * lb.raw("classification"), within(1e-12));
      assertThat(lb.samples()).isEqualTo(N);
      assertThat(s.weights().maxAbsDiff(w)).as("the step updated the weights").isPositive();
    }
  }

  @Test
  void evaluationOnlySessionsRefuseToTrain() {
    try (TrainingSession s = open(evaluating(Weights.initialize(model(), 1)))) {
      assertThatThrownBy(() -> s.trainStep(data(1))).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> s.setLearningRate(0.1)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void learningRateIsSettableBetweenSteps() {
    try (TrainingSession s = open(trainable(Weights.initialize(model(), 1)))) {
      assertThat(s.learningRate()).isEqualTo(0.05);
      s.setLearningRate(0.01);
      assertThat(s.learningRate()).isEqualTo(0.01);
      assertThatThrownBy(() -> s.setLearningRate(0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.setLearningRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closedSessionsRefuseWorkAndCloseTwice() {
    TrainingSession s = open(trainable(Weights.initialize(model(), 1)));
    assertThat(s.device()).isNotBlank();
    s.close();
    s.close();
    assertThatThrownBy(() -> s.evalStep(data(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(s::weights).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badBatchesFailNamingWhatIsWrong() {
    try (TrainingSession s = open(trainable(Weights.initialize(model(), 1)))) {
      SplittableRandom r = new SplittableRandom(1);
      Batch wrongInput = batch("input", floats(Fixtures.normal(r, N * 50, 1), N, 2, 5, 5),
          "r", floats(new float[N * 2], N, 2), "c", longs(new long[N], N));
      assertThatThrownBy(() -> s.trainStep(wrongInput))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("input");
      Batch missingTarget = batch("input", floats(new float[N * 72], N, 2, 6, 6), "r", floats(new float[N * 2], N, 2));
      assertThatThrownBy(() -> s.evalStep(missingTarget))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("classification")
          .hasMessageContaining("'c'");
      Batch badLabel = batch("input", floats(new float[N * 72], N, 2, 6, 6), "r", floats(new float[N * 2], N, 2),
          "c", longs(new long[] {0, 1, 2, 3, 0, 1}, N));
      assertThatThrownBy(() -> s.trainStep(badLabel))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("classification")
          .hasMessageContaining("label 3");
      Batch wrongSize = batch("input", floats(new float[N * 72], N, 2, 6, 6), "r", floats(new float[N * 3], N, 3),
          "c", longs(new long[N], N));
      assertThatThrownBy(() -> s.evalStep(wrongSize))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("regression")
          .hasMessageContaining("'r'");
      // the session survives bad batches
      assertThat(s.trainStep(data(2)).raw()).containsKeys("regression", "classification");
    }
  }

  /** Dense layers and dropout, so that resuming must restore the dropout stream too. */
  static ModelSpec withDropout() {
    return new ModelSpec(new long[] {4},
        List.of(new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.Dropout(0.3)),
        List.of(HeadSpec.dense("reg", HeadKind.REGRESSION, 2), HeadSpec.dense("cls", HeadKind.CLASSIFICATION, 3)));
  }

  static Batch flatData(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return batch("input", floats(Fixtures.normal(r, N * 4, 1), N, 4),
        "r", floats(Fixtures.normal(r, N * 2, 1), N, 2),
        "c", longs(Fixtures.labels(r, N, 3), N));
  }

  @Test
  void trainingStateResumesExactlyWithSgdMomentum() {
    resumesExactly(Fixtures.optimizer("sgd", 0.05, 0.9, true, 0.01, 0));
  }

  @Test
  void trainingStateResumesExactlyWithAdam() {
    resumesExactly(Fixtures.optimizer("adamw", 0.01, 0, false, 0.01, 0));
  }

  @Test
  void trainingStateResumesExactlyWithAnUpdateRule() {
    resumesExactly(OptimizerSpec.ofRule("every_op", 0.01, 0, io.holdout.checks.TestRules.everyOp()));
  }

  /**
   * A session rebuilt from (weights, training state) continues bit for bit like the original,
   * dropout and optimizer moments included. Skipped for backends that offer no exact resume.
   */
  private void resumesExactly(OptimizerSpec opt) {
    ModelSpec spec = withDropout();
    SessionSpec first = Fixtures.spec(spec, Weights.initialize(spec, 3), loss2(), opt);
    assumeSupported(first);
    try (TrainingSession a = open(first)) {
      for (int i = 0; i < 3; i++) {
        a.trainStep(flatData(i));
      }
      Map<String, Tensor> state;
      try {
        state = a.trainingState();
      } catch (HoldoutException e) {
        org.junit.jupiter.api.Assumptions.abort(backend().name() + " offers no exact resume: " + e.getMessage());
        return;
      }
      assertThat(state.get("steps").toLongArray()).containsExactly(3);
      if (opt.usesRule()) {
        // every slot of every trainable parameter, as <slot>.<parameter>
        java.util.Set<String> params = a.weights().tensors().keySet();
        for (io.holdout.api.optim.UpdateRule.Slot slot : opt.rule().slots()) {
          java.util.List<String> of = state.keySet().stream().filter(k -> k.startsWith(slot.name() + ".")).toList();
          assertThat(of).as("state of slot " + slot.name()).isNotEmpty();
          of.forEach(k -> assertThat(params).contains(k.substring(slot.name().length() + 1)));
        }
      }
      try (TrainingSession b = open(Fixtures.spec(spec, a.weights(), loss2(), opt))) {
        b.loadTrainingState(state);
        for (int i = 3; i < 6; i++) {
          assertThat(b.trainStep(flatData(i)).raw()).as("step %d", i).isEqualTo(a.trainStep(flatData(i)).raw());
        }
        assertThat(b.weights().maxAbsDiff(a.weights())).isZero();
      }
    }
  }

  @Test
  void lossParametersThatDoNotFitTheHeadFailAtOpen() {
    ModelSpec spec = model();
    assumeLayers(spec);
    LossSpec loss = new LossSpec(List.of(new LossComponentSpec("classification", "cross_entropy", 1, "cls", "c",
        Map.of("class_weights", List.of(1.0, 2.0)))));
    assumeLosses(loss);
    assertThatThrownBy(() -> open(Fixtures.spec(spec, Weights.initialize(spec, 1), loss, (OptimizerSpec) null)).close())
        .isInstanceOf(HoldoutException.class)
        .hasMessage("loss 'classification' (cross_entropy): parameter 'class_weights' has 2 values for the 3 classes"
            + " of head 'cls'");
  }

  @Test
  void aLossReadingNoHeadFailsAtOpen() {
    ModelSpec spec = model();
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("l", "mse", 1, "nope", "r")));
    assumeLayers(spec);
    assertThatThrownBy(() -> open(Fixtures.spec(spec, Weights.initialize(spec, 1), loss, (OptimizerSpec) null)).close())
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("nope");
  }
}
