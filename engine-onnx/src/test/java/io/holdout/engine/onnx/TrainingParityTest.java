package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Training sessions of the onnx backend against the PyTorch backend's, step by step from the same
 * weights on the same batches: every step's loss components within 1e-5 relative, and every
 * weight (running statistics included) within 1e-4 after each step. The largest differences are
 * printed with the prefix {@code [onnx training]}.
 */
class TrainingParityTest {
  @Test
  void mlpWithDropoutFiftyAdamSteps() {
    ModelSpec spec = Models.iris();
    List<Batch> batches = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batches.add(Models.irisBatch(16, 10 + i));
    }
    compare("mlp with dropout, adam", spec, Weights.initialize(spec, 3), Models.irisLoss(),
        OptimizerSpec.adam(0.01), batches, 50);
  }

  @Test
  void detectorWithBatchNormPoolingAndMultiBoxFiftySgdSteps() {
    ModelSpec spec = Models.detector();
    List<Batch> batches = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batches.add(Models.detections(4, 20 + i));
    }
    compare("detector, sgd + momentum", spec, Models.withBatchNormStatistics(spec, 7), Models.detectorLoss(),
        Fixtures.optimizer("sgd", 0.01, 0.9, false, 1e-4, 0), batches, 50);
  }

  @Test
  void detectorWithTheConvolutionKernelGradient() {
    System.setProperty("holdout.onnx.kernelGradient", "conv");
    try {
      detectorWithBatchNormPoolingAndMultiBoxFiftySgdSteps();
    } finally {
      System.clearProperty("holdout.onnx.kernelGradient");
    }
  }

  private static void compare(String title, ModelSpec spec, Weights w0, LossSpec loss, OptimizerSpec o,
      List<Batch> batches, int steps) {
    double worstLoss = 0;
    double worstWeight = 0;
    try (TrainingSession torch = TestBackends.PYTORCH.open(Fixtures.spec(spec, w0, loss, o, 5));
        TrainingSession onnx = TestBackends.ONNX.open(Fixtures.spec(spec, w0, loss, o, 5))) {
      for (int step = 0; step < steps; step++) {
        Batch b = batches.get(step % batches.size());
        LossBreakdown want = torch.trainStep(b);
        LossBreakdown got = onnx.trainStep(b);
        for (String c : want.raw().keySet()) {
          double rel = Math.abs(got.raw(c) - want.raw(c)) / Math.max(1e-12, Math.abs(want.raw(c)));
          worstLoss = Math.max(worstLoss, rel);
          assertThat(got.raw(c)).as("%s: step %d, component %s", title, step, c)
              .isCloseTo(want.raw(c), within(1e-5 * Math.abs(want.raw(c)) + 1e-7));
        }
        Weights a = onnx.weights();
        Weights e = torch.weights();
        for (String name : e.tensors().keySet()) {
          float[] x = a.get(name).toFloatArray();
          float[] y = e.get(name).toFloatArray();
          for (int i = 0; i < y.length; i++) {
            worstWeight = Math.max(worstWeight, Math.abs(x[i] - y[i]));
            if (Math.abs(x[i] - y[i]) > 1e-4) {
              throw new AssertionError(String.format(Locale.ROOT, "%s: step %d, %s[%d]: onnx %s vs pytorch %s",
                  title, step, name, i, x[i], y[i]));
            }
          }
        }
      }
      // optimizer state under the same names and values
      var sa = onnx.trainingState();
      var se = torch.trainingState();
      assertThat(sa.keySet()).containsExactlyInAnyOrderElementsOf(se.keySet());
      for (String k : se.keySet()) {
        Tensor x = sa.get(k);
        if (x.dtype() == io.holdout.api.tensor.DType.INT64) {
          assertThat(x.toLongArray()).as(k).containsExactly(se.get(k).toLongArray());
        }
      }
    }
    System.out.printf(Locale.ROOT, "[onnx training] %s, %d steps: loss components within %.2g relative, weights"
        + " within %.2g%n", title, steps, worstLoss, worstWeight);
  }
}
