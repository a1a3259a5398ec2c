package io.holdout.testkit;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.loss;
import static io.holdout.checks.Fixtures.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.checks.Fixtures;
import io.holdout.checks.ReferenceModel;
import io.holdout.checks.ReferenceOptimizer;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizer steps against {@link ReferenceOptimizer} ({@code torch.optim}'s formulas in double
 * precision) fed with finite-difference gradients of {@link ReferenceModel}: several steps of every
 * optimizer and option, a learning-rate change between steps, global-norm clipping, one step from
 * given weights by hand, and the rule that a head no loss reads is left alone.
 */
public abstract class OptimizerConformanceTest extends ConformanceBase {
  static final int N = 5;

  /** {@code [3] -> dense(4) -> relu -> head y: dense(2)}. */
  static ModelSpec model() {
    return new ModelSpec(new long[] {3}, List.of(new LayerSpec.Dense(4), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)));
  }

  static Stream<Arguments> optimizers() {
    return Stream.of(
        Arguments.of("sgd", Fixtures.optimizer("sgd", 0.1, 0, false, 0, 0)),
        Arguments.of("sgd momentum", Fixtures.optimizer("sgd", 0.1, 0.9, false, 0, 0)),
        Arguments.of("sgd nesterov + weight decay", Fixtures.optimizer("sgd", 0.1, 0.9, true, 0.01, 0)),
        Arguments.of("sgd weight decay", Fixtures.optimizer("sgd", 0.05, 0, false, 0.1, 0)),
        Arguments.of("sgd momentum clipped", Fixtures.optimizer("sgd", 0.1, 0.5, false, 0, 0.05)),
        Arguments.of("adam", Fixtures.optimizer("adam", 0.01, 0, false, 0, 0)),
        Arguments.of("adam L2 weight decay", Fixtures.optimizer("adam", 0.01, 0, false, 0.1, 0)),
        Arguments.of("adamw", Fixtures.optimizer("adamw", 0.01, 0, false, 0.1, 0)),
        Arguments.of("adamw clipped", Fixtures.optimizer("adamw", 0.01, 0, false, 0.05, 0.1)),
        Arguments.of("adam other betas and eps", new OptimizerSpec("adam", 0.02, 0, false, 0, 0.8, 0.99, 1e-6, 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.OptimizerConformanceTest#optimizers")
  void stepsMatchTorchOptimFormulas(String name, OptimizerSpec opt) {
    ModelSpec spec = model();
    LossSpec loss = lossSpec(loss("l", "mse", "y", "t"));
    Weights w0 = Weights.initialize(spec, 3);
    SessionSpec session = Fixtures.spec(spec, w0, loss, opt);
    assumeSupported(session);
    SplittableRandom r = new SplittableRandom(9);
    double[] x = Fixtures.toDoubles(Fixtures.normal(r, N * 3, 1));
    float[] t = Fixtures.normal(r, N * 2, 1);
    float[] xf = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xf[i] = (float) x[i];
    }
    Batch b = batch("input", floats(xf, N, 3), "t", floats(t, N, 2));
    ReferenceModel ref = new ReferenceModel(spec, w0);
    ReferenceOptimizer refOpt = new ReferenceOptimizer(opt);
    Map<String, float[]> targets = Map.of("y", t);
    int clipped = 0;
    try (TrainingSession s = open(session)) {
      for (int step = 0; step < 4; step++) {
        if (step == 3) {
          s.setLearningRate(opt.lr() / 2);
          refOpt.setLearningRate(opt.lr() / 2);
          assertThat(s.learningRate()).isEqualTo(opt.lr() / 2);
        }
        double expectedLoss = ReferenceModel.mse(ref.forward(x, N, true).outputs(), targets);
        Map<String, double[]> grads = ref.gradients(x, N, o -> ReferenceModel.mse(o, targets), 1e-6);
        Map<String, double[]> params = new LinkedHashMap<>();
        grads.keySet().forEach(k -> params.put(k, ref.get(k)));
        clipped += refOpt.step(params, grads) ? 1 : 0;

        LossBreakdown lb = s.trainStep(b);
        Checks.close(lb.raw("l"), expectedLoss, 1e-5, 1e-7, name + " loss at step " + step);
        Weights now = s.weights();
        for (String k : grads.keySet()) {
          Checks.allClose(now.get(k).toFloatArray(), ref.get(k), 1e-5, 2e-6, name + " " + k + " after step " + step);
        }
      }
    }
    assertThat(clipped).as("steps clipped by the reference").isEqualTo(opt.clipNorm() > 0 ? 4 : 0);
  }

  @Test
  void oneSgdStepByHand() {
    ModelSpec spec = new ModelSpec(new long[] {2}, List.of(), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 1)));
    Weights w = new Weights(Map.of(
        "heads.y.0.weight", floats(new float[] {1, 2}, 1, 2),
        "heads.y.0.bias", floats(new float[] {0.5f}, 1)));
    SessionSpec session = Fixtures.spec(spec, w, lossSpec(loss("l", "mse", "y", "t")), Fixtures.sgd(0.1));
    assumeSupported(session);
    Batch b = batch("input", floats(new float[] {1, 1}, 1, 2), "t", floats(new float[] {0}, 1, 1));
    try (TrainingSession s = open(session)) {
      // y = 1 + 2 + 0.5 = 3.5, loss 12.25 (before the update), dL/dy = 7 = dL/dW_i = dL/db
      assertThat(s.trainStep(b).raw("l")).isEqualTo(12.25);
      Weights after = s.weights();
      assertThat(after.get("heads.y.0.weight").toFloatArray()).containsExactly(new float[] {0.3f, 1.3f}, within(1e-6f));
      assertThat(after.get("heads.y.0.bias").toFloatArray()).containsExactly(new float[] {-0.2f}, within(1e-6f));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.OptimizerConformanceTest#optimizers")
  void aHeadNoLossReadsIsLeftAlone(String name, OptimizerSpec opt) {
    ModelSpec spec = new ModelSpec(new long[] {3}, List.of(new LayerSpec.Dense(4)),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2), HeadSpec.dense("unused", HeadKind.REGRESSION, 2)));
    Weights w0 = Weights.initialize(spec, 4);
    SessionSpec session = Fixtures.spec(spec, w0, lossSpec(loss("l", "mse", "y", "t")),
        new OptimizerSpec(opt.type(), opt.lr(), opt.momentum(), opt.nesterov(), 0.1, opt.beta1(),
            opt.beta2(), opt.eps(), opt.clipNorm()));
    assumeSupported(session);
    SplittableRandom r = new SplittableRandom(2);
    Batch b = batch("input", floats(Fixtures.normal(r, 12, 1), 4, 3), "t", floats(Fixtures.normal(r, 8, 1), 4, 2));
    try (TrainingSession s = open(session)) {
      s.trainStep(b);
      s.trainStep(b);
      Weights after = s.weights();
      assertThat(after.get("heads.unused.0.weight").toFloatArray())
          .containsExactly(w0.get("heads.unused.0.weight").toFloatArray());
      assertThat(after.get("heads.unused.0.bias").toFloatArray())
          .containsExactly(w0.get("heads.unused.0.bias").toFloatArray());
      assertThat(after.get("heads.y.0.weight").toFloatArray())
          .isNotEqualTo(w0.get("heads.y.0.weight").toFloatArray());
    }
  }

  @Test
  void invalidHyperParametersFailAtOpen() {
    assumeOptimizer("sgd");
    ModelSpec spec = model();
    SessionSpec bad = Fixtures.spec(spec, Weights.initialize(spec, 1), lossSpec(loss("l", "mse", "y", "t")),
        Fixtures.optimizer("sgd", 0.1, 0, true, 0, 0));
    assertThatThrownBy(() -> open(bad).close())
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("nesterov");
  }
}
