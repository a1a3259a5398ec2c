package io.holdout.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.checks.CheckResult;
import io.holdout.checks.CheckSettings;
import io.holdout.checks.Fixtures;
import io.holdout.checks.LayerCases;
import io.holdout.checks.LayerCases.LayerCase;
import io.holdout.checks.LayerCheck;
import io.holdout.checks.LossCases;
import io.holdout.checks.LossCases.LossCase;
import io.holdout.checks.LossCheck;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sessions computing in float64 ({@code engine.precision: float64}), for backends that declare it:
 * every layer case and loss case through the same checks as in float32, with every loss value held
 * to {@value LayerCheck#FLOAT64_REL} of the double-precision reference, which float32 arithmetic
 * cannot reach (a float constant, a float attribute or a float kernel anywhere in the pass shows
 * as ~1e-9). Backends that do not declare float64 must refuse it at open, with one line.
 */
public abstract class Float64ConformanceTest extends ConformanceBase {
  private static final CheckSettings FLOAT64 = new CheckSettings(Device.CPU, 1, 1, Precision.FLOAT64);

  static Stream<LayerCase> layerCases() {
    return LayerCases.all().stream();
  }

  static Stream<LossCase> lossCases() {
    return LossCases.all().stream();
  }

  private void assumeFloat64() {
    assumeTrue(caps().precisions().contains(Precision.FLOAT64), () -> backend().name() + " computes in float32 only");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.Float64ConformanceTest#layerCases")
  void layersComputeInDouble(LayerCase c) {
    assumeFloat64();
    assumeLayers(c.model());
    CheckResult[] results;
    try {
      results = new CheckResult[] {LayerCheck.evaluation(backend(), c, FLOAT64),
          LayerCheck.gradients(backend(), c, FLOAT64)};
    } catch (HoldoutException e) {
      // a layer the backend cannot compute in float64 is refused at open, in one line naming it
      assertThat(e.getMessage()).contains("float64").doesNotContain("\n");
      assumeTrue(false, e.getMessage());
      return;
    }
    for (CheckResult r : results) {
      assertThat(r.status()).as("%s: %s", r.check(), r.verdict()).isIn(CheckResult.Status.OK,
          CheckResult.Status.UNSUPPORTED);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.Float64ConformanceTest#lossCases")
  void lossesComputeInDouble(LossCase c) {
    assumeFloat64();
    CheckResult r = LossCheck.run(backend(), c, FLOAT64);
    assertThat(r.status()).as("%s: %s", r.check(), r.verdict()).isIn(CheckResult.Status.OK,
        CheckResult.Status.UNSUPPORTED);
  }

  /**
   * Weights and training state loaded into a float64 session after it was opened (a trainer's
   * best-epoch weights, a resume) are computed in float64 too: the evaluation after reloading the
   * initial weights repeats the first one exactly, and a second session resumed from the training
   * state takes the same next step (to the float32 rounding of the saved weights and state).
   */
  @Test
  void loadedWeightsAndStateComputeInDouble() {
    assumeFloat64();
    LayerCase c = LayerCases.all().stream()
        .filter(x -> x.model().layerTypes().containsAll(Set.of("conv2d", "batchnorm"))).findFirst()
        .orElseThrow();
    assumeSupported(FLOAT64.spec(c.model(), Weights.initialize(c.model(), 3), Fixtures.mseOnEveryHead(c.model()),
        Fixtures.optimizer("adam", 0.01, 0, false, 0, 0)));
    ModelSpec model = c.model();
    Weights w = Weights.initialize(model, 3);
    var batch = LayerCheck.batchFor(model, c.batch(), 4);
    SessionSpec spec = FLOAT64.spec(model, w, Fixtures.mseOnEveryHead(model),
        Fixtures.optimizer("adam", 0.01, 0, false, 0, 0));
    try (var s = open(spec); var t = open(spec)) {
      double first = s.evalStep(batch).loss().total();
      s.trainStep(batch);
      var state = s.trainingState();
      Weights after = s.weights();
      double second = s.trainStep(batch).total();
      s.loadWeights(w);
      assertThat(s.evalStep(batch).loss().total()).as("evaluation after reloading the initial weights")
          .isEqualTo(first);
      t.loadWeights(after);
      t.loadTrainingState(state);
      assertThat(t.trainStep(batch).total()).as("step after resuming").isCloseTo(second,
          within(1e-6 * Math.abs(second)));
    }
  }

  @Test
  void undeclaredFloat64IsRefusedAtOpen() {
    assumeTrue(!caps().precisions().contains(Precision.FLOAT64), () -> backend().name() + " declares float64");
    ModelSpec model = new ModelSpec(new long[] {4}, List.of(), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3)));
    SessionSpec spec = FLOAT64.spec(model, Weights.initialize(model, 1), Fixtures.mseOnEveryHead(model), null);
    assertThatThrownBy(() -> open(spec)).isInstanceOf(HoldoutException.class)
        .hasMessageContaining("engine.precision float64").hasMessageNotContaining("\n");
  }
}
