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
import io.holdout.api.optim.StandardRules;
import io.holdout.checks.TestRules;
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
 * given weights by hand, and the rule that a head no loss reads is left alone. Optimizers given by
 * an update rule ({@link StandardRules}, {@link TestRules}) are checked the same way, their slots
 * too, and the built-ins written as rules must give the native optimizers' weights.
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
        Arguments.of("adam other betas and eps", new OptimizerSpec("adam", 0.02, 0, false, 0, 0.8, 0.99, 1e-6, 0)),
        Arguments.of("rule: sgd nesterov + weight decay",
            OptimizerSpec.ofRule("sgd_rule", 0.1, 0, StandardRules.sgd(0.9, true, 0.01))),
        Arguments.of("rule: adam", OptimizerSpec.ofRule("adam_rule", 0.01, 0, StandardRules.adam(0.9, 0.999, 1e-8, 0, false))),
        Arguments.of("rule: adamw clipped",
            OptimizerSpec.ofRule("adamw_rule", 0.01, 0.1, StandardRules.adam(0.9, 0.999, 1e-8, 0.05, true))),
        Arguments.of("rule: lion", OptimizerSpec.ofRule("lion", 0.01, 0, TestRules.lion(0.9, 0.99, 0.1))),
        Arguments.of("rule: every operation", OptimizerSpec.ofRule("every_op", 0.05, 0, TestRules.everyOp())),
        Arguments.of("rule: every operation clipped", OptimizerSpec.ofRule("every_op", 0.05, 0.05, TestRules.everyOp())));
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
      if (opt.usesRule()) {
        // the slots, as checkpoints hold them (<slot>.<parameter>), against the reference's
        Map<String, double[]> want = refOpt.ruleState();
        assertThat(want).hasSize(opt.rule().slots().size() * 4);
        Map<String, io.holdout.api.tensor.Tensor> got = s.trainingState();
        for (Map.Entry<String, double[]> e : want.entrySet()) {
          assertThat(got).as("training state of " + name).containsKey(e.getKey());
          Checks.allClose(got.get(e.getKey()).toFloatArray(), e.getValue(), 1e-5, 2e-6, name + " state " + e.getKey());
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
            opt.beta2(), opt.eps(), opt.clipNorm(), opt.rule()));
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

  /**
   * Adam and AdamW written as update rules ({@link StandardRules}) and compiled by the generic path
   * give the native optimizer's weights, step after step (clipping, L2 and decoupled decay, a
   * learning-rate change): the generic path computes what the native one does.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("nativeAndRule")
  void aRuleWrittenLikeTheNativeOptimizerMatchesIt(String name, OptimizerSpec nativeOpt) {
    OptimizerSpec ruleOpt = OptimizerSpec.ofRule(nativeOpt.type() + "_rule", nativeOpt.lr(), nativeOpt.clipNorm(),
        StandardRules.of(nativeOpt));
    ModelSpec spec = model();
    LossSpec loss = lossSpec(loss("l", "mse", "y", "t"));
    Weights w0 = Weights.initialize(spec, 5);
    SessionSpec a = Fixtures.spec(spec, w0, loss, nativeOpt);
    SessionSpec b = Fixtures.spec(spec, w0, loss, ruleOpt);
    assumeSupported(a);
    assumeSupported(b);
    SplittableRandom r = new SplittableRandom(6);
    try (TrainingSession n = open(a); TrainingSession g = open(b)) {
      for (int step = 0; step < 6; step++) {
        if (step == 4) {
          n.setLearningRate(nativeOpt.lr() / 3);
          g.setLearningRate(nativeOpt.lr() / 3);
        }
        Batch batch = batch("input", floats(Fixtures.normal(r, N * 3, 1), N, 3), "t", floats(Fixtures.normal(r, N * 2, 1), N, 2));
        assertThat(g.trainStep(batch).raw("l")).as(name + " loss at step " + step).isCloseTo(n.trainStep(batch).raw("l"),
            within(1e-6));
        Weights wn = n.weights();
        Weights wg = g.weights();
        for (String k : wn.tensors().keySet()) {
          Checks.allClose(wg.get(k).toFloatArray(), Fixtures.toDoubles(wn.get(k).toFloatArray()), 1e-6, 1e-7,
              name + " " + k + " after step " + step);
        }
      }
      Map<String, io.holdout.api.tensor.Tensor> sn = n.trainingState();
      Map<String, io.holdout.api.tensor.Tensor> sg = g.trainingState();
      assertThat(sg.keySet()).as("the rule's checkpoint names are the native ones").isEqualTo(sn.keySet());
    }
  }

  static Stream<Arguments> nativeAndRule() {
    return Stream.of(
        Arguments.of("adam", Fixtures.optimizer("adam", 0.01, 0, false, 0.05, 0)),
        Arguments.of("adamw clipped", Fixtures.optimizer("adamw", 0.01, 0, false, 0.05, 0.2)),
        Arguments.of("sgd nesterov", Fixtures.optimizer("sgd", 0.05, 0.9, true, 0.01, 0)));
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
