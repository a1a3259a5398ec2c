package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.checks.Fixtures;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime against PyTorch and TensorFlow on the same evaluation: identical weights and
 * batches give every loss component within 1e-5 relative, every per-sample value within 1e-5
 * relative (1e-6 absolute near 0) and every head output within 1e-5, for a multi-task MLP and an
 * SSD-like detector with batch norm (running statistics far from their defaults), max pooling and
 * MultiBox losses, from initial weights and from weights PyTorch trained. The figures are printed
 * with the prefix {@code [parity]}.
 */
class ParityTest {
  static final double REL = 1e-5;

  static final double ABS = 1e-5;

  @Test
  void multiTaskMlpMatchesPyTorchAndTensorFlow() {
    ModelSpec spec = Models.iris();
    LossSpec loss = Models.irisLoss();
    Batch b = Models.irisBatch(16, 3);
    compare("mlp, initial weights", spec, Weights.initialize(spec, 42), loss, b);
    compare("mlp, trained on pytorch", spec, trainedOnPyTorch(spec, loss, b), loss, b);
  }

  @Test
  void detectorWithBatchNormAndMultiBoxMatchesPyTorchAndTensorFlow() {
    ModelSpec spec = Models.detector();
    LossSpec loss = Models.detectorLoss();
    Batch b = Models.detections(4, 5);
    compare("ssd, initial weights", spec, Models.withBatchNormStatistics(spec, 7), loss, b);
    compare("ssd, trained on pytorch", spec, trainedOnPyTorch(spec, loss, b), loss, b);
  }

  /** Weights after 10 Adam steps on PyTorch (batch norm's running statistics moved too). */
  private static Weights trainedOnPyTorch(ModelSpec spec, LossSpec loss, Batch b) {
    try (TrainingSession s = TestBackends.PYTORCH.open(
        Fixtures.spec(spec, Models.withBatchNormStatistics(spec, 1), loss, OptimizerSpec.adam(0.01), 3))) {
      for (int i = 0; i < 10; i++) {
        s.trainStep(b);
      }
      return s.weights();
    }
  }

  private static void compare(String title, ModelSpec spec, Weights w, LossSpec loss, Batch b) {
    EvalResult onnx = eval(TestBackends.ONNX, spec, w, loss, b);
    for (Backend other : new Backend[] {TestBackends.PYTORCH, TestBackends.TENSORFLOW}) {
      EvalResult ref = eval(other, spec, w, loss, b);
      String what = title + " vs " + other.name();
      double worstLoss = 0;
      for (String c : ref.loss().raw().keySet()) {
        double rel = Math.abs(onnx.loss().raw(c) - ref.loss().raw(c)) / Math.max(Math.abs(ref.loss().raw(c)), 1e-12);
        worstLoss = Math.max(worstLoss, rel);
        assertThat(rel).as("%s: component %s (%s vs %s)", what, c, onnx.loss().raw(c), ref.loss().raw(c))
            .isLessThanOrEqualTo(REL);
        float[] a = onnx.perSampleLosses().get(c);
        float[] e = ref.perSampleLosses().get(c);
        assertThat(a).as("%s: per-sample %s", what, c).hasSameSizeAs(e);
        for (int i = 0; i < a.length; i++) {
          assertThat((double) Math.abs(a[i] - e[i])).as("%s: per-sample %s[%d]", what, c, i)
              .isLessThanOrEqualTo(REL * Math.abs(e[i]) + 1e-6);
        }
      }
      assertThat(onnx.loss().total()).as(what + ": total")
          .isCloseTo(ref.loss().total(), org.assertj.core.api.Assertions.within(REL * Math.abs(ref.loss().total())));
      double worstOut = 0;
      assertThat(onnx.outputs().keySet()).as(what).containsExactlyElementsOf(ref.outputs().keySet());
      for (Map.Entry<String, io.holdout.api.tensor.Tensor> e : ref.outputs().entrySet()) {
        assertThat(onnx.outputs().get(e.getKey()).shape()).as("%s: %s shape", what, e.getKey())
            .containsExactly(e.getValue().shape());
        float[] a = onnx.outputs().get(e.getKey()).toFloatArray();
        float[] x = e.getValue().toFloatArray();
        for (int i = 0; i < a.length; i++) {
          worstOut = Math.max(worstOut, Math.abs(a[i] - x[i]));
        }
      }
      assertThat(worstOut).as("%s: outputs", what).isLessThanOrEqualTo(ABS);
      System.out.printf(Locale.ROOT, "[parity] %-28s loss components ≤ %.1e relative, outputs ≤ %.1e absolute%n",
          what, worstLoss, worstOut);
    }
  }

  private static EvalResult eval(Backend backend, ModelSpec spec, Weights w, LossSpec loss, Batch b) {
    try (TrainingSession s = backend.open(Fixtures.spec(spec, w, loss, null))) {
      return s.evalStep(b);
    }
  }
}
