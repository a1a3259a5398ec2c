package io.holdout.engine.tensorflow;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.checks.Fixtures;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Training steps per second of two small models on TensorFlow and PyTorch, same batches, one
 * intra-op and one inter-op thread each. Informative only (printed with the prefix {@code
 * [throughput]}); it asserts nothing about speed.
 */
class ThroughputTest {
  static final int N = 32;

  static double stepsPerSecond(Backend backend, ModelSpec spec, Batch b, int steps) {
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("ce", "cross_entropy", 1, "cls", "c")));
    SessionSpec s = new SessionSpec(spec, Weights.initialize(spec, 1), loss, OptimizerSpec.adam(1e-3),
        Device.CPU, 1, 1, 1);
    try (TrainingSession session = backend.open(s)) {
      for (int i = 0; i < 30; i++) {
        session.trainStep(b);
      }
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        session.trainStep(b);
      }
      return steps / ((System.nanoTime() - start) / 1e9);
    }
  }

  @Test
  void smallModelsTrainAtComparableSpeed() {
    SplittableRandom r = new SplittableRandom(1);
    ModelSpec mlp = new ModelSpec(new long[] {32},
        List.of(new LayerSpec.Dense(64), new LayerSpec.Relu(), new LayerSpec.Dense(64), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("cls", HeadKind.CLASSIFICATION, 10)));
    Batch flat = batch("input", floats(Fixtures.normal(r, N * 32, 1), N, 32), "c", longs(Fixtures.labels(r, N, 10), N));
    ModelSpec cnn = new ModelSpec(new long[] {1, 16, 16},
        List.of(new LayerSpec.Conv2d(8, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(32), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("cls", HeadKind.CLASSIFICATION, 10)));
    Batch images = batch("input", floats(Fixtures.normal(r, N * 256, 1), N, 1, 16, 16),
        "c", longs(Fixtures.labels(r, N, 10), N));
    for (Object[] m : new Object[][] {{"MLP 32-64-64-10", mlp, flat, 400}, {"CNN 1x16x16 conv8-bn-pool-32-10", cnn, images, 200}}) {
      double tf = stepsPerSecond(TestBackends.TENSORFLOW, (ModelSpec) m[1], (Batch) m[2], (int) m[3]);
      double pt = stepsPerSecond(TestBackends.PYTORCH, (ModelSpec) m[1], (Batch) m[2], (int) m[3]);
      System.out.printf(Locale.ROOT, "[throughput] %-34s batch %d, Adam: tensorflow %7.0f steps/s, pytorch %7.0f steps/s%n",
          m[0], N, tf, pt);
      assertThat(tf).isPositive();
    }
  }
}
