package io.holdout.engine.pytorch;

import static io.holdout.engine.pytorch.TestData.batch;
import static io.holdout.engine.pytorch.TestData.floats;
import static io.holdout.engine.pytorch.TestData.longs;
import static io.holdout.engine.pytorch.TestData.loss;
import static io.holdout.engine.pytorch.TestData.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Device;
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
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.ReferenceLosses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Sessions end to end: weights, training, evaluation, capability errors and misuse. */
class SessionTest {

  /** Two heads on a small dense trunk: 3-way classification and a scalar regression. */
  static ModelSpec twoHeads() {
    return new ModelSpec(
        new long[] {4},
        List.of(new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.BatchNorm()),
        List.of(
            HeadSpec.dense("kind", HeadKind.CLASSIFICATION, 3),
            new HeadSpec(
                "size",
                HeadKind.REGRESSION,
                List.of(new LayerSpec.Dense(8), new LayerSpec.Relu(), new LayerSpec.Dense(1)))));
  }

  static LossSpec twoLosses() {
    return new LossSpec(
        List.of(
            LossComponentSpec.of("classification", "cross_entropy", 1.0, "kind", "kind"),
            LossComponentSpec.of("regression", "mse", 0.5, "size", "size")));
  }

  /** Samples of a fixed rule: the class is the largest of the first three inputs, size a sum. */
  static Batch ruleBatch(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = TestData.normal(r, n * 4, 1);
    long[] kind = new long[n];
    float[] size = new float[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < 3; c++) {
        if (x[i * 4 + c] > x[i * 4 + best]) {
          best = c;
        }
      }
      kind[i] = best;
      size[i] = x[i * 4] - 0.5f * x[i * 4 + 3];
    }
    return batch("input", floats(x, n, 4), "kind", longs(kind, n), "size", floats(size, n, 1));
  }

  @Test
  void weightsRoundTripExactlyIncludingRunningStatistics() {
    ModelSpec spec = twoHeads();
    Weights w0 = Weights.initialize(spec, 1);
    Map<String, Tensor> other = new LinkedHashMap<>(Weights.initialize(spec, 2).tensors());
    SplittableRandom r = new SplittableRandom(2);
    other.put("trunk.2.running_mean", floats(TestData.normal(r, 16, 1), 16));
    other.put("trunk.2.running_var", floats(TestData.uniform(r, 16, 0.5, 2), 16));
    Weights w1 = new Weights(other);
    Weights w1Copy = w1.copy();
    try (TrainingSession s = TestData.open(spec, w0, twoLosses(), OptimizerSpec.adam(0.01))) {
      assertThat(s.weights().tensors().keySet())
          .containsExactlyElementsOf(spec.parameters().stream().map(p -> p.name()).toList());
      assertThat(s.weights().maxAbsDiff(w0)).isZero();
      s.trainStep(ruleBatch(8, 1));
      assertThat(s.weights().maxAbsDiff(w0)).isGreaterThan(0);
      s.loadWeights(w1);
      assertThat(s.weights().maxAbsDiff(w1)).isZero();
      for (Map.Entry<String, Tensor> e : s.weights().tensors().entrySet()) {
        assertThat(e.getValue().shape()).isEqualTo(w1.get(e.getKey()).shape());
      }
      // the session copied the weights: training does not write into the caller's buffers
      s.trainStep(ruleBatch(8, 2));
      assertThat(w1.maxAbsDiff(w1Copy)).isZero();
    }
  }

  @Test
  void loadWeightsChecksTheFit() {
    ModelSpec spec = twoHeads();
    Map<String, Tensor> bad = new LinkedHashMap<>(Weights.initialize(spec, 1).tensors());
    bad.put("heads.kind.0.weight", floats(new float[4 * 16], 4, 16));
    try (TrainingSession s =
        TestData.open(spec, Weights.initialize(spec, 1), twoLosses(), OptimizerSpec.adam(0.01))) {
      assertThatThrownBy(() -> s.loadWeights(new Weights(bad)))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("heads.kind.0.weight")
          .hasMessageContaining("[4, 16]");
    }
  }

  @Test
  void trainingLowersTheLossAndReportsEachComponent() {
    ModelSpec spec = twoHeads();
    Batch b = ruleBatch(64, 3);
    try (TrainingSession s =
        TestData.open(spec, Weights.initialize(spec, 5), twoLosses(), OptimizerSpec.adam(0.02))) {
      LossBreakdown first = s.trainStep(b);
      LossBreakdown last = first;
      for (int i = 0; i < 80; i++) {
        last = s.trainStep(b);
      }
      assertThat(first.raw().keySet()).containsExactly("classification", "regression");
      assertThat(first.samples()).isEqualTo(64);
      assertThat(first.total())
          .isCloseTo(first.raw("classification") + 0.5 * first.raw("regression"), within(1e-12));
      assertThat(last.raw("classification")).isLessThan(0.4 * first.raw("classification"));
      assertThat(last.raw("regression")).isLessThan(0.4 * first.raw("regression"));
      assertThat(s.evalStep(b).loss().total()).isLessThan(0.4 * first.total());
    }
  }

  @Test
  void smallConvNetTrains() {
    ModelSpec spec =
        new ModelSpec(
            new long[] {1, 8, 8},
            List.of(
                new LayerSpec.Conv2d(4, 3, 1, 1),
                new LayerSpec.BatchNorm(),
                new LayerSpec.Relu(),
                new LayerSpec.MaxPool(2, 2),
                new LayerSpec.Dropout(0.1),
                new LayerSpec.Flatten()),
            List.of(HeadSpec.dense("side", HeadKind.CLASSIFICATION, 2)));
    int n = 32;
    SplittableRandom r = new SplittableRandom(4);
    float[] x = TestData.normal(r, n * 64, 1);
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      for (int row = 0; row < 8; row++) {
        for (int col = 0; col < 4; col++) {
          x[i * 64 + row * 8 + col + (int) y[i] * 4] += 1.5f; // a bright left or right half
        }
      }
    }
    Batch b = batch("input", floats(x, n, 1, 8, 8), "side", longs(y, n));
    LossSpec l = lossSpec(loss("side", "cross_entropy", "side", "side"));
    try (TrainingSession s =
        TestData.open(
            spec,
            Weights.initialize(spec, 6),
            l,
            TestData.optimizer("sgd", 0.05, 0.9, true, 1e-4, 5.0))) {
      double first = s.trainStep(b).total();
      for (int i = 0; i < 40; i++) {
        s.trainStep(b);
      }
      assertThat(s.evalStep(b).loss().total()).isLessThan(0.5 * first);
    }
  }

  @Test
  void aHeadNoLossReadsIsNotTrainedButStillEvaluated() {
    ModelSpec spec = twoHeads();
    Weights w0 = Weights.initialize(spec, 4);
    LossSpec onlyKind = lossSpec(loss("classification", "cross_entropy", "kind", "kind"));
    try (TrainingSession s =
        TestData.open(spec, w0, onlyKind, TestData.optimizer("adamw", 0.01, 0, false, 0.1, 0))) {
      for (int i = 0; i < 3; i++) {
        s.trainStep(ruleBatch(8, i));
      }
      Weights w = s.weights();
      for (String name :
          List.of("heads.size.0.weight", "heads.size.0.bias", "heads.size.2.weight")) {
        assertThat(w.get(name).toFloatArray())
            .as(name)
            .containsExactly(w0.get(name).toFloatArray());
      }
      assertThat(w.get("heads.kind.0.weight").toFloatArray())
          .isNotEqualTo(w0.get("heads.kind.0.weight").toFloatArray());
      assertThat(s.evalStep(ruleBatch(8, 1)).outputs()).containsOnlyKeys("kind", "size");
    }
  }

  @Test
  void evaluationMatchesTheReferenceOnItsOwnOutputs() {
    ModelSpec spec = twoHeads();
    Batch b = ruleBatch(10, 7);
    try (TrainingSession s =
        TestData.open(spec, Weights.initialize(spec, 8), twoLosses(), OptimizerSpec.adam(0.01))) {
      s.trainStep(b);
      EvalResult e = s.evalStep(b);
      assertThat(e.outputs().get("kind").shape()).containsExactly(10, 3);
      assertThat(e.outputs().get("size").shape()).containsExactly(10, 1);
      LossBreakdown ref = ReferenceLosses.breakdown(twoLosses(), e.outputs(), b);
      for (String c : List.of("classification", "regression")) {
        assertThat(e.loss().raw(c)).isCloseTo(ref.raw(c), within(1e-5 * ref.raw(c)));
        float[] per = e.perSampleLosses().get(c);
        float[] perRef =
            ReferenceLosses.perSample(
                twoLosses().components().stream()
                    .filter(x -> x.name().equals(c))
                    .findFirst()
                    .orElseThrow(),
                e.outputs(),
                b);
        assertThat(per).hasSize(10).containsExactly(perRef, within(1e-5f));
      }
      // inference mode is deterministic and does not move the running statistics
      Weights before = s.weights();
      assertThat(s.evalStep(b).loss().total()).isEqualTo(e.loss().total());
      assertThat(s.weights().maxAbsDiff(before)).isZero();
    }
  }

  @Test
  void unsupportedLossNamesBackendFeatureAndAlternative() {
    ModelSpec spec = twoHeads();
    SessionSpec s =
        TestData.spec(
            spec,
            Weights.initialize(spec, 1),
            lossSpec(loss("dice", "dice", "kind", "kind")),
            OptimizerSpec.adam(0.01));
    assertThatThrownBy(() -> TestData.BACKEND.open(s))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("backend 'pytorch'")
        .hasMessageContaining("loss 'dice'")
        .hasMessageContaining("holdout backends");
  }

  /**
   * An optimizer that is not built in exists only with its update rule, which the backend compiles:
   * RMSprop written as a rule trains (its slot changes and the weights move).
   */
  @Test
  void anOptimizerThatIsNotBuiltInNeedsItsUpdateRule() {
    assertThatThrownBy(() -> TestData.optimizer("rmsprop", 0.01, 0, false, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("optimizer 'rmsprop' is not built in and has no update rule");
    io.holdout.api.optim.UpdateRule rmsprop = io.holdout.api.optim.UpdateRule.of(
        io.holdout.api.optim.RuleExpression.param().sub(io.holdout.api.optim.RuleExpression.grad()
            .div(io.holdout.api.optim.RuleExpression.updated("square_avg").sqrt().add(1e-8))
            .mul(io.holdout.api.optim.RuleExpression.lr())),
        io.holdout.api.optim.UpdateRule.Slot.zeros("square_avg", io.holdout.api.optim.RuleExpression.state("square_avg")
            .mul(0.99).add(io.holdout.api.optim.RuleExpression.grad().square().mul(0.01))));
    ModelSpec spec = twoHeads();
    Weights w0 = Weights.initialize(spec, 1);
    SessionSpec s = TestData.spec(spec, w0, twoLosses(),
        io.holdout.api.optim.OptimizerSpec.ofRule("rmsprop", 0.01, 0, rmsprop));
    try (TrainingSession session = TestData.BACKEND.open(s)) {
      session.trainStep(ruleBatch(8, 3));
      assertThat(session.weights().maxAbsDiff(w0)).isGreaterThan(0);
      java.util.Map<String, io.holdout.api.tensor.Tensor> state = session.trainingState();
      assertThat(state.keySet()).anyMatch(k -> k.startsWith("square_avg."))
          .allMatch(k -> k.equals("steps") || k.equals("optimizer_steps") || k.startsWith("square_avg."));
      for (String k : state.keySet()) {
        if (k.startsWith("square_avg.")) {
          assertThat(w0.tensors()).containsKey(k.substring("square_avg.".length()));
        }
      }
    }
  }

  @Test
  void gpuOnAMachineWithoutOneFailsClearly() {
    ModelSpec spec = twoHeads();
    SessionSpec s =
        new SessionSpec(
            spec,
            Weights.initialize(spec, 1),
            twoLosses(),
            OptimizerSpec.adam(0.01),
            Device.GPU,
            1,
            1,
            1);
    assertThat(TestData.BACKEND.capabilities().gpu()).isFalse();
    assertThatThrownBy(() -> TestData.BACKEND.open(s))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("backend 'pytorch'")
        .hasMessageContaining("GPU")
        .hasMessageContaining("device: cpu");
  }

  @Test
  void autoAndCpuRunOnTheCpu() {
    ModelSpec spec = twoHeads();
    for (Device d : List.of(Device.AUTO, Device.CPU)) {
      SessionSpec s =
          new SessionSpec(spec, Weights.initialize(spec, 1), twoLosses(), null, d, 1, 1, 1);
      try (TrainingSession session = TestData.BACKEND.open(s)) {
        assertThat(session.device()).isEqualTo("cpu()");
      }
    }
  }

  @Test
  void evaluationOnlySessionRefusesToTrain() {
    ModelSpec spec = twoHeads();
    try (TrainingSession s = TestData.open(spec, Weights.initialize(spec, 1), twoLosses(), null)) {
      assertThat(s.evalStep(ruleBatch(4, 1)).loss().raw())
          .containsKeys("classification", "regression");
      assertThat(s.learningRate()).isNaN();
      assertThatThrownBy(() -> s.trainStep(ruleBatch(4, 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("without an optimizer");
    }
  }

  @Test
  void closedSessionRefusesWork() {
    ModelSpec spec = twoHeads();
    TrainingSession s =
        TestData.open(spec, Weights.initialize(spec, 1), twoLosses(), OptimizerSpec.adam(0.01));
    s.close();
    s.close();
    assertThatThrownBy(() -> s.evalStep(ruleBatch(4, 1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(s::weights).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void wrongInputShapeAndUnknownHeadAreUserErrors() {
    ModelSpec spec = twoHeads();
    try (TrainingSession s =
        TestData.open(spec, Weights.initialize(spec, 1), twoLosses(), OptimizerSpec.adam(0.01))) {
      Batch wrong =
          batch(
              "input",
              floats(new float[4 * 5], 4, 5),
              "kind",
              longs(new long[4], 4),
              "size",
              floats(new float[4], 4, 1));
      assertThatThrownBy(() -> s.trainStep(wrong))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("[4, 5]")
          .hasMessageContaining("expects [batch, 4]");
      // the failed step left nothing behind: the next one works
      s.trainStep(ruleBatch(4, 1));
    }
    assertThatThrownBy(
            () ->
                TestData.open(
                    spec,
                    Weights.initialize(spec, 1),
                    lossSpec(loss("x", "mse", "nope", "size")),
                    OptimizerSpec.adam(0.01)))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("output 'nope'");
  }

  @Test
  void aMissingTargetFailsBeforeTheStepTouchesAnything() {
    ModelSpec spec = twoHeads();
    Weights w0 = Weights.initialize(spec, 1);
    Batch b = ruleBatch(8, 1);
    Batch noSize = batch("input", b.input(), "kind", b.get("kind"));
    try (TrainingSession s = TestData.open(spec, w0, twoLosses(), OptimizerSpec.adam(0.01))) {
      assertThatThrownBy(() -> s.trainStep(noSize))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("loss 'regression'")
          .hasMessageContaining("'size'");
      // batch-norm running statistics did not move
      assertThat(s.weights().maxAbsDiff(w0)).isZero();
    }
  }

  @Test
  void dropoutIsReproducibleFromTheSeed() {
    ModelSpec spec =
        new ModelSpec(
            new long[] {4},
            List.of(new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dropout(0.5)),
            List.of(HeadSpec.dense("size", HeadKind.REGRESSION, 1)));
    LossSpec l = lossSpec(loss("regression", "mse", "size", "size"));
    Batch b = ruleBatch(16, 9);
    double[][] runs = new double[3][];
    long[] seeds = {1, 1, 2};
    for (int k = 0; k < 3; k++) {
      SessionSpec ss =
          new SessionSpec(
              spec,
              Weights.initialize(spec, 3),
              l,
              OptimizerSpec.sgd(0.01, 0.9),
              Device.CPU,
              seeds[k],
              1,
              1);
      try (TrainingSession s = TestData.BACKEND.open(ss)) {
        runs[k] = new double[5];
        for (int i = 0; i < 5; i++) {
          runs[k][i] = s.trainStep(b).total();
        }
      }
    }
    assertThat(runs[1]).containsExactly(runs[0]);
    assertThat(runs[2]).isNotEqualTo(runs[0]);
  }

  @Test
  void stepsRunOnAnyThreadAndIntegerLabelsWork() throws Exception {
    ModelSpec spec = twoHeads();
    Batch b = ruleBatch(8, 4);
    long[] kind = b.get("kind").toLongArray();
    int[] kind32 = new int[kind.length];
    for (int i = 0; i < kind.length; i++) {
      kind32[i] = (int) kind[i];
    }
    Batch b32 =
        batch(
            "input",
            b.input(),
            "kind",
            Tensor.ofInts(new long[] {8}, kind32),
            "size",
            b.get("size"));
    try (TrainingSession s =
            TestData.open(
                spec, Weights.initialize(spec, 1), twoLosses(), OptimizerSpec.adam(0.01));
        TrainingSession twin =
            TestData.open(
                spec, Weights.initialize(spec, 1), twoLosses(), OptimizerSpec.adam(0.01))) {
      assertThat(s.evalStep(b32).loss().total())
          .isCloseTo(s.evalStep(b).loss().total(), within(1e-12));
      LossBreakdown onMain = twin.trainStep(b32);
      AtomicReference<Object> result = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  result.set(s.trainStep(b));
                } catch (RuntimeException e) {
                  result.set(e);
                }
              });
      t.start();
      t.join();
      assertThat(result.get()).isInstanceOf(LossBreakdown.class);
      assertThat(((LossBreakdown) result.get()).total()).isEqualTo(onMain.total());
      assertThat(s.weights().maxAbsDiff(twin.weights())).isZero();
    }
  }
}
