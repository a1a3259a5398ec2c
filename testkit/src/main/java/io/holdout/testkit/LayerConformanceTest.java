package io.holdout.testkit;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.loss;
import static io.holdout.checks.Fixtures.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.checks.ReferenceModel;
import io.holdout.api.backend.EvalResult;
import io.holdout.checks.CheckResult;
import io.holdout.checks.CheckSettings;
import io.holdout.checks.Fixtures;
import io.holdout.checks.LayerCases;
import io.holdout.checks.LayerCases.LayerCase;
import io.holdout.checks.LayerCheck;
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
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each layer case of {@link LayerCases}, at both of its sizes, through {@link LayerCheck} (the
 * checks {@code holdout doctor} runs): evaluation outputs against {@link
 * io.holdout.checks.ReferenceModel}, the training-mode loss, the gradient of every parameter (read
 * off one plain SGD step against central finite differences of the double-precision model) and batch
 * norm's running statistics after the step. Dropout, whose masks are engine-side randomness, is checked
 * for its semantics instead: identity in evaluation, inverted scaling in training, reproducible
 * from the session seed.
 */
public abstract class LayerConformanceTest extends ConformanceBase {
  static Stream<LayerCase> cases() {
    return LayerCases.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.LayerConformanceTest#cases")
  void evaluationOutputsMatchTheReference(LayerCase c) {
    assumeLayers(c.model());
    CheckResult r = LayerCheck.evaluation(backend(), c, CheckSettings.SINGLE_THREAD);
    assertThat(r.status()).as("%s: %s", r.check(), r.verdict()).isEqualTo(CheckResult.Status.OK);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.LayerConformanceTest#cases")
  void gradientsMatchFiniteDifferences(LayerCase c) {
    assumeLayers(c.model());
    assumeOptimizer("sgd");
    assumeTrains(c.model(), io.holdout.checks.Fixtures.mseOnEveryHead(c.model()));
    CheckResult r = LayerCheck.gradients(backend(), c, CheckSettings.SINGLE_THREAD);
    assertThat(r.status()).as("%s: %s", r.check(), r.verdict()).isEqualTo(CheckResult.Status.OK);
  }

  /** A {@code [f]} input through {@code dropout(rate)} into an identity head of {@code f} units. */
  static ModelSpec dropoutModel(int f, double rate) {
    return new ModelSpec(new long[] {f}, List.of(new LayerSpec.Dropout(rate)),
        List.of(HeadSpec.dense("out", HeadKind.REGRESSION, f)));
  }

  static Weights identity(ModelSpec spec, int f) {
    float[] eye = new float[f * f];
    for (int i = 0; i < f; i++) {
      eye[i * f + i] = 1;
    }
    return new Weights(Map.of("heads.out.0.weight", floats(eye, f, f), "heads.out.0.bias", floats(new float[f], f)));
  }

  @Test
  void dropoutIsInvertedInTrainingOffInEvaluationAndSeeded() {
    int n = 10;
    int f = 100;
    ModelSpec spec = dropoutModel(f, 0.5);
    LossSpec loss = lossSpec(loss("l", "mse", "out", "t"));
    assumeLayers(spec);
    assumeLosses(loss);
    float[] ones = new float[n * f];
    Arrays.fill(ones, 1f);
    Batch b = batch("input", floats(ones, n, f), "t", floats(new float[n * f], n, f));
    boolean trains = caps().trainsWithSgd(spec, loss);
    OptimizerSpec tiny = trains ? Fixtures.sgd(1e-12) : null;
    double[] first = new double[3];
    try (TrainingSession s = open(Fixtures.spec(spec, identity(spec, f), loss, tiny, 7))) {
      EvalResult e = s.evalStep(b);
      assertThat(e.loss().raw("l")).as("evaluation: dropout is the identity").isCloseTo(1.0, within(1e-6));
      assertThat(e.outputs().get("out").toFloatArray()).containsOnly(1f);
      if (!trains) {
        return;
      }
      for (int i = 0; i < first.length; i++) {
        // kept units are scaled to 2, dropped ones are 0: the loss is 4 × the kept fraction
        first[i] = s.trainStep(b).raw("l");
        assertThat(first[i]).as("training loss %d", i).isBetween(4 * 0.4, 4 * 0.6);
        assertThat(first[i] / 4 * n * f).as("kept units").isCloseTo(Math.rint(first[i] / 4 * n * f), within(1e-3));
      }
      assertThat(first[0]).as("a new mask every step").isNotEqualTo(first[1]);
    }
    try (TrainingSession s = open(Fixtures.spec(spec, identity(spec, f), loss, tiny, 7))) {
      for (double v : first) {
        assertThat(s.trainStep(b).raw("l")).as("same seed, same masks").isEqualTo(v);
      }
    }
    try (TrainingSession s = open(Fixtures.spec(spec, identity(spec, f), loss, tiny, 8))) {
      double[] other = new double[first.length];
      for (int i = 0; i < other.length; i++) {
        other[i] = s.trainStep(b).raw("l");
      }
      assertThat(other).as("another seed, other masks").isNotEqualTo(first);
    }
  }

  @Test
  void dropoutPassesGradientsOnlyThroughKeptUnits() {
    int f = 6;
    int n = 40;
    ModelSpec spec = dropoutModel(f, 0.5);
    LossSpec loss = lossSpec(loss("l", "mse", "out", "t"));
    SessionSpec probe = Fixtures.spec(spec, identity(spec, f), loss, Fixtures.sgd(1.0));
    assumeSupported(probe);
    float[] ones = new float[n * f];
    Arrays.fill(ones, 1f);
    // y = 2·x on kept units, 0 on dropped ones; with target 0: dL/dW[j][j] = Σ_kept 2·y·2 / (n·f)
    Batch b = batch("input", floats(ones, n, f), "t", floats(new float[n * f], n, f));
    try (TrainingSession s = open(probe)) {
      double l = s.trainStep(b).raw("l");
      float[] w = s.weights().get("heads.out.0.weight").toFloatArray();
      double kept = l / 4 * n * f;
      double diagonalSum = 0;
      for (int j = 0; j < f; j++) {
        diagonalSum += 1 - w[j * f + j];
      }
      // Σ_j dL/dW[j][j] = Σ_kept 8 / (n·f) = 8·kept / (n·f)
      assertThat(diagonalSum).isCloseTo(8 * kept / (n * f), within(1e-5));
    }
  }
}
