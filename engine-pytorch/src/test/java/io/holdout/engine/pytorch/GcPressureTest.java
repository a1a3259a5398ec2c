package io.holdout.engine.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Batches are read in place from their direct buffers: a step must keep them alive until the
 * engine is done, or a garbage collection mid-step frees memory torch still reads. Runs under
 * constant collection must agree exactly.
 */
class GcPressureTest {
  static ModelSpec dense() {
    return new ModelSpec(new long[] {4}, List.of(new LayerSpec.Dense(32), new LayerSpec.Relu()), heads());
  }

  /** Every element-wise activation between dense layers (relu6 and the hard ones took Number operands). */
  static ModelSpec activations() {
    List<LayerSpec> layers = new ArrayList<>();
    for (LayerSpec.Activation.Fn fn : LayerSpec.Activation.Fn.values()) {
      if (fn != LayerSpec.Activation.Fn.SOFTMAX) {
        layers.add(new LayerSpec.Dense(16));
        layers.add(new LayerSpec.Activation(fn, 0.1));
      }
    }
    return new ModelSpec(new long[] {4}, layers, heads());
  }

  static List<HeadSpec> heads() {
    return List.of(HeadSpec.dense("kind", HeadKind.CLASSIFICATION, 3), HeadSpec.dense("size", HeadKind.REGRESSION, 1));
  }

  static double run() {
    return run(dense());
  }

  static double run(ModelSpec spec) {
    LossSpec loss = SessionTest.twoLosses();
    double last = 0;
    try (TrainingSession s = TestData.open(spec, Weights.initialize(spec, 5), loss, OptimizerSpec.adam(0.01))) {
      for (int i = 0; i < 150; i++) {
        // a fresh batch object per step, referenced by nothing but the call
        last = s.trainStep(SessionTest.ruleBatch(64, i)).total();
      }
    }
    return last;
  }

  @Test
  void identicalRunsAgreeWithoutPressure() {
    double first = run();
    assertThat(first).isFinite();
    assertThat(run()).isEqualTo(first);
  }

  @Test
  // the cause: DJL turns a Number operand (x.mul(0.5f)) into an array over a Java direct buffer and
  // closes it at once, while autograd keeps it for backward; losses now use Tensors.scalar
  void identicalRunsAgreeUnderGarbageCollectionPressure() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread churn = new Thread(() -> {
      List<byte[]> keep = new ArrayList<>();
      while (!stop.get()) {
        keep.add(new byte[1 << 16]);
        // small direct buffers full of NaN: freed native memory that torch still reads comes back as NaN
        java.nio.ByteBuffer poison = java.nio.ByteBuffer.allocateDirect(16);
        while (poison.hasRemaining()) {
          poison.putFloat(Float.NaN);
        }
        if (keep.size() > 200) {
          keep.clear();
          System.gc();
        }
      }
    });
    churn.setDaemon(true);
    churn.start();
    try {
      for (ModelSpec spec : List.of(dense(), activations())) {
        double first = run(spec);
        assertThat(first).as(spec.layerTypes().toString()).isFinite();
        for (int r = 0; r < 3; r++) {
          assertThat(run(spec)).as(spec.layerTypes().toString()).isEqualTo(first);
        }
      }
    } finally {
      stop.set(true);
      churn.join();
    }
  }
}
