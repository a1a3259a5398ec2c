package io.holdout.engine.pytorch;

import static io.holdout.engine.pytorch.TestData.batch;
import static io.holdout.engine.pytorch.TestData.floats;
import static io.holdout.engine.pytorch.TestData.loss;
import static io.holdout.engine.pytorch.TestData.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizer steps of a dense model {@code y = x W^T + b} under MSE against a pure-Java computation
 * of the same gradient and of {@code torch.optim}'s update formulas, in double precision.
 */
class OptimizerTest {
  private static final int IN = 3;
  private static final int OUT = 2;
  private static final int N = 5;

  static ModelSpec dense() {
    return new ModelSpec(
        new long[] {IN}, List.of(), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, OUT)));
  }

  @Test
  void oneSgdStepByHand() {
    ModelSpec spec =
        new ModelSpec(
            new long[] {2}, List.of(), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 1)));
    Weights w =
        new Weights(
            Map.of(
                "heads.y.0.weight", floats(new float[] {1, 2}, 1, 2),
                "heads.y.0.bias", floats(new float[] {0.5f}, 1)));
    Batch b = batch("input", floats(new float[] {1, 1}, 1, 2), "t", floats(new float[] {0}, 1, 1));
    try (TrainingSession s =
        TestData.open(spec, w, lossSpec(loss("l", "mse", "y", "t")), OptimizerSpec.sgd(0.1, 0))) {
      // y = 1 + 2 + 0.5 = 3.5, loss 12.25 (before the update), dL/dy = 7 = dL/dW_i = dL/db
      assertThat(s.trainStep(b).raw("l")).isEqualTo(12.25);
      Weights after = s.weights();
      assertThat(after.get("heads.y.0.weight").toFloatArray())
          .containsExactly(new float[] {0.3f, 1.3f}, within(1e-6f));
      assertThat(after.get("heads.y.0.bias").toFloatArray())
          .containsExactly(new float[] {-0.2f}, within(1e-6f));
    }
  }

  static Stream<Arguments> optimizers() {
    return Stream.of(
        Arguments.of("sgd", TestData.optimizer("sgd", 0.1, 0, false, 0, 0)),
        Arguments.of("sgd momentum", TestData.optimizer("sgd", 0.1, 0.9, false, 0, 0)),
        Arguments.of(
            "sgd nesterov + weight decay", TestData.optimizer("sgd", 0.1, 0.9, true, 0.01, 0)),
        Arguments.of("sgd weight decay", TestData.optimizer("sgd", 0.05, 0, false, 0.1, 0)),
        Arguments.of("sgd clipped", TestData.optimizer("sgd", 0.1, 0.5, false, 0, 0.05)),
        Arguments.of("adam", TestData.optimizer("adam", 0.01, 0, false, 0, 0)),
        Arguments.of("adam L2", TestData.optimizer("adam", 0.01, 0, false, 0.1, 0)),
        Arguments.of("adamw", TestData.optimizer("adamw", 0.01, 0, false, 0.1, 0)),
        Arguments.of("adamw clipped", TestData.optimizer("adamw", 0.01, 0, false, 0.05, 0.1)),
        Arguments.of(
            "adam betas", new OptimizerSpec("adam", 0.02, 0, false, 0, 0.8, 0.99, 1e-6, 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void stepsMatchPureJava(String name, OptimizerSpec opt) {
    ModelSpec spec = dense();
    Weights w0 = Weights.initialize(spec, 3);
    SplittableRandom r = new SplittableRandom(9);
    float[] x = TestData.normal(r, N * IN, 1);
    float[] t = TestData.normal(r, N * OUT, 1);
    Batch b = batch("input", floats(x, N, IN), "t", floats(t, N, OUT));
    JavaDense ref =
        new JavaDense(
            w0.get("heads.y.0.weight").toFloatArray(),
            w0.get("heads.y.0.bias").toFloatArray(),
            opt);
    try (TrainingSession s = TestData.open(spec, w0, lossSpec(loss("l", "mse", "y", "t")), opt)) {
      for (int step = 0; step < 4; step++) {
        if (step == 3) {
          s.setLearningRate(opt.lr() / 2);
          ref.lr = opt.lr() / 2;
        }
        LossBreakdown lb = s.trainStep(b);
        double expectedLoss = ref.step(x, t);
        assertThat(lb.raw("l"))
            .as("%s loss at step %d", name, step)
            .isCloseTo(expectedLoss, within(1e-5 * expectedLoss));
        Weights now = s.weights();
        assertClose(
            now.get("heads.y.0.weight").toFloatArray(), ref.w, name + " weight, step " + step);
        assertClose(now.get("heads.y.0.bias").toFloatArray(), ref.b, name + " bias, step " + step);
      }
    }
    assertThat(ref.clippedSteps).as("steps clipped").isEqualTo(opt.clipNorm() > 0 ? 4 : 0);
  }

  @Test
  void invalidHyperParametersFailAtOpen() {
    ModelSpec spec = dense();
    assertThatThrownBy(
            () ->
                TestData.open(
                    spec,
                    Weights.initialize(spec, 1),
                    lossSpec(loss("l", "mse", "y", "t")),
                    TestData.optimizer("sgd", 0.1, 0, true, 0, 0)))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("nesterov");
  }

  private static void assertClose(float[] actual, double[] expected, String what) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(2e-6));
    }
  }

  /** The dense model, its MSE gradient and torch.optim's update rules, in double precision. */
  static final class JavaDense {
    final double[] w;
    final double[] b;
    final OptimizerSpec opt;
    double lr;
    final double[] bufW;
    final double[] bufB;
    final double[] vW;
    final double[] vB;
    int t;
    int clippedSteps;

    JavaDense(float[] w, float[] b, OptimizerSpec opt) {
      this.w = new double[w.length];
      this.b = new double[b.length];
      for (int i = 0; i < w.length; i++) {
        this.w[i] = w[i];
      }
      for (int i = 0; i < b.length; i++) {
        this.b[i] = b[i];
      }
      this.opt = opt;
      this.lr = opt.lr();
      bufW = new double[w.length];
      bufB = new double[b.length];
      vW = new double[w.length];
      vB = new double[b.length];
    }

    /** One step; returns the loss before the update. */
    double step(float[] x, float[] target) {
      double[] gW = new double[w.length];
      double[] gB = new double[b.length];
      double loss = 0;
      for (int n = 0; n < N; n++) {
        for (int o = 0; o < OUT; o++) {
          double y = b[o];
          for (int i = 0; i < IN; i++) {
            y += w[o * IN + i] * x[n * IN + i];
          }
          double d = y - target[n * OUT + o];
          loss += d * d / (N * OUT);
          double dy = 2 * d / (N * OUT);
          gB[o] += dy;
          for (int i = 0; i < IN; i++) {
            gW[o * IN + i] += dy * x[n * IN + i];
          }
        }
      }
      if (opt.clipNorm() > 0) {
        double sq = 0;
        for (double g : gW) {
          sq += g * g;
        }
        for (double g : gB) {
          sq += g * g;
        }
        double norm = Math.sqrt(sq);
        if (norm > opt.clipNorm()) {
          clippedSteps++;
          double scale = opt.clipNorm() / (norm + 1e-6);
          for (int i = 0; i < gW.length; i++) {
            gW[i] *= scale;
          }
          for (int i = 0; i < gB.length; i++) {
            gB[i] *= scale;
          }
        }
      }
      t++;
      update(w, gW, bufW, vW);
      update(b, gB, bufB, vB);
      return loss;
    }

    private void update(double[] p, double[] g, double[] m, double[] v) {
      for (int i = 0; i < p.length; i++) {
        double grad = g[i];
        switch (opt.type()) {
          case "sgd" -> {
            grad += opt.weightDecay() * p[i];
            if (opt.momentum() != 0) {
              m[i] = t == 1 ? grad : opt.momentum() * m[i] + grad;
              grad = opt.nesterov() ? grad + opt.momentum() * m[i] : m[i];
            }
            p[i] -= lr * grad;
          }
          case "adam", "adamw" -> {
            if (opt.type().equals("adamw")) {
              p[i] *= 1 - lr * opt.weightDecay();
            } else {
              grad += opt.weightDecay() * p[i];
            }
            m[i] = opt.beta1() * m[i] + (1 - opt.beta1()) * grad;
            v[i] = opt.beta2() * v[i] + (1 - opt.beta2()) * grad * grad;
            double mHat = m[i] / (1 - Math.pow(opt.beta1(), t));
            double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(opt.beta2(), t)) + opt.eps();
            p[i] -= lr * mHat / denom;
          }
          default -> throw new IllegalArgumentException(opt.type());
        }
      }
    }
  }
}
