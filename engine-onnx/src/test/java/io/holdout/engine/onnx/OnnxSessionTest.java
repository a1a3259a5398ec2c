package io.holdout.engine.onnx;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The evaluation-only session: what it refuses, bad batches, closing, and replacing weights (the
 * graph is rebuilt; weights that do not fit fail naming the tensor, the expected and the actual
 * shape, and leave the session as it was).
 */
class OnnxSessionTest {
  static TrainingSession open(ModelSpec spec, Weights w) {
    return TestBackends.ONNX.open(Fixtures.spec(spec, w,
        spec.heads().get(0).isMultiScale() ? Models.detectorLoss() : Models.irisLoss(), null));
  }

  @Test
  void anEvaluationOnlySessionRefusesTrainingAndItsState() {
    ModelSpec spec = Models.iris();
    try (TrainingSession s = open(spec, Weights.initialize(spec, 1))) {
      assertThatThrownBy(() -> s.trainStep(Models.irisBatch(4, 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("without an optimizer (evaluation only)");
      assertThatThrownBy(() -> s.setLearningRate(0.1)).isInstanceOf(IllegalStateException.class);
      assertThat(s.learningRate()).isNaN();
      assertThatThrownBy(s::trainingState).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("evaluation-only session has no training state");
      assertThatThrownBy(() -> s.loadTrainingState(Map.of())).isInstanceOf(HoldoutException.class);
    }
  }

  @Test
  void evaluationChangesNothingAndRepeatsBitForBit() {
    ModelSpec spec = Models.detector();
    Weights w = Models.withBatchNormStatistics(spec, 2);
    Batch b = Models.detections(3, 4);
    try (TrainingSession s = open(spec, w)) {
      EvalResult first = s.evalStep(b);
      EvalResult second = s.evalStep(b);
      assertThat(second.loss().raw()).isEqualTo(first.loss().raw());
      assertThat(second.outputs().get("conf").toFloatArray()).containsExactly(first.outputs().get("conf").toFloatArray());
      assertThat(s.weights().maxAbsDiff(w)).isZero();
      assertThat(first.outputs().get("loc").shape()).containsExactly(3, Models.ANCHORS, 4);
      assertThat(first.perSampleLosses().get("confidence")).hasSize(3);
    }
  }

  @Test
  void weightsAreReplacedAndThenEvaluateAsAFreshSessionWould() {
    ModelSpec spec = Models.iris();
    Weights a = Weights.initialize(spec, 1);
    Weights b = Weights.initialize(spec, 2);
    Batch data = Models.irisBatch(8, 3);
    EvalResult fresh;
    try (TrainingSession s = open(spec, b)) {
      fresh = s.evalStep(data);
    }
    try (TrainingSession s = open(spec, a)) {
      EvalResult before = s.evalStep(data);
      s.loadWeights(b);
      assertThat(s.weights().maxAbsDiff(b)).isZero();
      EvalResult after = s.evalStep(data);
      assertThat(after.loss().raw()).isEqualTo(fresh.loss().raw()).isNotEqualTo(before.loss().raw());
    }
  }

  @Test
  void weightsOfTheWrongShapeFailNamingTensorAndShapesAndChangeNothing() {
    ModelSpec spec = Models.detector();
    Weights w = Models.withBatchNormStatistics(spec, 1);
    Map<String, Tensor> bad = new LinkedHashMap<>(w.tensors());
    bad.put("trunk.4.weight", floats(new float[8 * 4 * 9], 8, 4, 3, 3));
    Batch b = Models.detections(2, 1);
    try (TrainingSession s = open(spec, w)) {
      EvalResult before = s.evalStep(b);
      assertThatThrownBy(() -> s.loadWeights(new Weights(bad)))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("'trunk.4.weight'")
          .hasMessageContaining("[8, 4, 3, 3]")
          .hasMessageContaining("expects [8, 8, 3, 3]");
      Map<String, Tensor> missing = new LinkedHashMap<>(w.tensors());
      missing.remove("trunk.1.running_var");
      assertThatThrownBy(() -> s.loadWeights(new Weights(missing)))
          .isInstanceOf(HoldoutException.class)
          .hasMessageContaining("missing weight 'trunk.1.running_var'");
      assertThat(s.evalStep(b).loss().raw()).isEqualTo(before.loss().raw());
    }
    assertThatThrownBy(() -> open(spec, new Weights(bad)))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("initial weights")
        .hasMessageContaining("'trunk.4.weight'");
  }

  @Test
  void badBatchesFailNamingWhatIsWrongAndTheSessionSurvives() {
    ModelSpec spec = Models.iris();
    int n = 4;
    try (TrainingSession s = open(spec, Weights.initialize(spec, 1))) {
      Batch wrongInput = batch("input", floats(new float[n * 4], n, 4),
          "species", longs(new long[n], n), "petal_width", floats(new float[n], n, 1));
      assertThatThrownBy(() -> s.evalStep(wrongInput)).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("input").hasMessageContaining("[4, 4]");
      Batch missing = batch("input", floats(new float[n * 3], n, 3), "petal_width", floats(new float[n], n, 1));
      assertThatThrownBy(() -> s.evalStep(missing)).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("classification").hasMessageContaining("'species'");
      Batch badLabel = batch("input", floats(new float[n * 3], n, 3),
          "species", longs(new long[] {0, 1, 2, 3}, n), "petal_width", floats(new float[n], n, 1));
      assertThatThrownBy(() -> s.evalStep(badLabel)).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("classification").hasMessageContaining("label 3");
      Batch floatLabels = batch("input", floats(new float[n * 3], n, 3),
          "species", floats(new float[n], n), "petal_width", floats(new float[n], n, 1));
      assertThatThrownBy(() -> s.evalStep(floatLabels)).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("integer class labels");
      Batch wrongSize = batch("input", floats(new float[n * 3], n, 3),
          "species", longs(new long[n], n), "petal_width", floats(new float[n * 2], n, 2));
      assertThatThrownBy(() -> s.evalStep(wrongSize)).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("regression").hasMessageContaining("'petal_width'");
      assertThat(s.evalStep(Models.irisBatch(n, 2)).loss().raw()).containsKeys("regression", "classification");
    }
    ModelSpec det = Models.detector();
    try (TrainingSession s = open(det, Weights.initialize(det, 1))) {
      Batch b = Models.detections(2, 3);
      Map<String, Tensor> t = new LinkedHashMap<>(b.tensors());
      t.put("labels", longs(new long[2 * 10], 2, 10));
      assertThatThrownBy(() -> s.evalStep(Fixtures.batch(t))).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("localisation").hasMessageContaining("[2, 10, 4]");
      long[] labels = b.get("labels").toLongArray();
      labels[5] = 3;
      t.put("labels", longs(labels, 2, Models.ANCHORS));
      assertThatThrownBy(() -> s.evalStep(Fixtures.batch(t))).isInstanceOf(HoldoutException.class)
          .hasMessageContaining("confidence").hasMessageContaining("anchor label 3");
    }
  }

  @Test
  void integerInputsAndTargetsAreConverted() {
    ModelSpec spec = Models.iris();
    int n = 5;
    SplittableRandom r = new SplittableRandom(3);
    long[] x = new long[n * 3];
    int[] y = new int[n];
    long[] t = new long[n];
    float[] xf = new float[n * 3];
    float[] tf = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(5) - 2;
      xf[i] = x[i];
    }
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(3);
      t[i] = r.nextInt(3);
      tf[i] = t[i];
    }
    long[] y64 = new long[n];
    for (int i = 0; i < n; i++) {
      y64[i] = y[i];
    }
    Batch ints = batch("input", longs(x, n, 3), "species", Tensor.ofInts(new long[] {n}, y), "petal_width", longs(t, n, 1));
    Batch floats = batch("input", floats(xf, n, 3), "species", longs(y64, n), "petal_width", floats(tf, n, 1));
    try (TrainingSession s = open(spec, Weights.initialize(spec, 1))) {
      assertThat(s.evalStep(ints).loss().raw()).isEqualTo(s.evalStep(floats).loss().raw());
    }
  }

  @Test
  void closedSessionsRefuseWorkAndCloseTwice() {
    ModelSpec spec = Models.iris();
    TrainingSession s = open(spec, Weights.initialize(spec, 1));
    s.close();
    s.close();
    assertThatThrownBy(() -> s.evalStep(Models.irisBatch(2, 1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(s::weights).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.loadWeights(Weights.initialize(spec, 2))).isInstanceOf(IllegalStateException.class);
  }
}
