package io.holdout.engine.pytorch;

import static io.holdout.engine.pytorch.TestData.batch;
import static io.holdout.engine.pytorch.TestData.floats;
import static io.holdout.engine.pytorch.TestData.longs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.holdout.api.HoldoutException;
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
import io.holdout.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The activations libtorch runs through {@link ScriptedOps}, and image batches in channels-last
 * memory format ({@value PyTorchSession#MEMORY_FORMAT_PROPERTY}).
 */
class MemoryFormatTest {

  @AfterEach
  void clearProperty() {
    System.clearProperty(PyTorchSession.MEMORY_FORMAT_PROPERTY);
  }

  /**
   * Each scripted activation against its formula, forward and backward (gradient of {@code
   * sum(f(x))}), and its backward is libtorch's one fused node, not a chain of DJL operations.
   */
  @Test
  void scriptedActivationsComputeTheirFormulasWithLibtorchsOwnBackward() {
    float[] x = {-7f, -3.5f, -1f, -0.25f, 0.5f, 2f, 3.5f, 5.9f, 6.5f, 9f};
    Map<ScriptedOps.Fn, String> node = Map.of(
        ScriptedOps.Fn.RELU6, "HardtanhBackward0",
        ScriptedOps.Fn.HARD_SIGMOID, "HardsigmoidBackward0",
        ScriptedOps.Fn.HARD_SWISH, "HardswishBackward0",
        ScriptedOps.Fn.SILU, "SiluBackward0");
    Engine engine = new TorchRuntime().engine(1, 1);
    boolean gradMode = JniUtils.isGradMode();
    try (NDManager m = engine.newBaseManager()) {
      JniUtils.setGradMode(true);
      for (ScriptedOps.Fn fn : ScriptedOps.Fn.values()) {
        NDArray in = m.create(x);
        in.setRequiresGradient(true);
        NDArray y = ScriptedOps.apply(fn, in);
        assertThat(JniUtils.getGradientFunctionNames((PtNDArray) y)).as(fn.name()).contains(node.get(fn));
        NDArray sum = y.sum();
        JniUtils.backward((PtNDArray) sum, (PtNDArray) m.ones(sum.getShape()), false, false);
        float[] value = y.toFloatArray();
        float[] grad = in.getGradient().toFloatArray();
        for (int i = 0; i < x.length; i++) {
          double[] expected = reference(fn, x[i]);
          assertThat((double) value[i]).as(fn + "(" + x[i] + ")").isCloseTo(expected[0], within(1e-6));
          assertThat((double) grad[i]).as(fn + "'(" + x[i] + ")").isCloseTo(expected[1], within(1e-6));
        }
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  /** {f(x), f'(x)} in double precision; none of the test points sits on a kink. */
  private static double[] reference(ScriptedOps.Fn fn, double x) {
    return switch (fn) {
      case RELU6 -> new double[] {Math.min(Math.max(x, 0), 6), x > 0 && x < 6 ? 1 : 0};
      case HARD_SIGMOID -> new double[] {Math.min(Math.max(x / 6 + 0.5, 0), 1), x > -3 && x < 3 ? 1.0 / 6 : 0};
      case HARD_SWISH -> {
        double h = Math.min(Math.max(x / 6 + 0.5, 0), 1);
        double d = x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5;
        yield new double[] {x * h, d};
      }
      case SILU -> {
        double s = 1 / (1 + Math.exp(-x));
        yield new double[] {x * s, s * (1 + x * (1 - s))};
      }
    };
  }

  /** conv, batch norm, relu6, a depthwise conv and a max pool: the layouts' kernels differ. */
  private static ModelSpec convNet() {
    return new ModelSpec(
        new long[] {3, 12, 12},
        List.of(
            new LayerSpec.Conv2d(16, 3, 1, 1),
            new LayerSpec.BatchNorm(),
            new LayerSpec.Activation(LayerSpec.Activation.Fn.RELU6),
            new LayerSpec.Conv2d(16, 3, 2, 1, 1, 16, true),
            new LayerSpec.BatchNorm(),
            new LayerSpec.Activation(LayerSpec.Activation.Fn.HARD_SWISH),
            new LayerSpec.MaxPool(2, 2, 0, false),
            new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("kind", HeadKind.CLASSIFICATION, 4)));
  }

  private static Batch images(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return batch("input", floats(TestData.normal(r, n * 3 * 12 * 12, 1), n, 3, 12, 12),
        "kind", longs(TestData.labels(r, n, 4), n));
  }

  private static float[][] train(String format, Weights init, int steps, double[] losses) {
    if (format != null) {
      System.setProperty(PyTorchSession.MEMORY_FORMAT_PROPERTY, format);
    }
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("kind", "cross_entropy", 1.0, "kind", "kind")));
    // SGD: a weight moves in proportion to its gradient (Adam would move the biases feeding batch
    // norm, whose true gradient is 0, by lr in the direction of float noise)
    try (TrainingSession s = TestData.open(convNet(), init, loss, OptimizerSpec.sgd(0.05, 0.9))) {
      for (int i = 0; i < steps; i++) {
        losses[i] = s.trainStep(images(8, 0)).total(); // one batch, learnt step by step
      }
      Map<String, Tensor> w = s.weights().tensors();
      float[][] out = new float[w.size()][];
      int k = 0;
      for (Tensor t : w.values()) {
        out[k++] = t.toFloatArray();
      }
      return out;
    } finally {
      System.clearProperty(PyTorchSession.MEMORY_FORMAT_PROPERTY);
    }
  }

  /**
   * The same training in both memory formats: libtorch's channels-last kernels sum in another
   * order, so the figures agree to float32 rounding, step after step.
   */
  @Test
  void channelsLastTrainsLikeContiguous() {
    Weights init = Weights.initialize(convNet(), 3);
    int steps = 6;
    double[] a = new double[steps];
    double[] b = new double[steps];
    float[][] wa = train(null, init, steps, a);
    float[][] wb = train("channelsLast", init, steps, b);
    for (int i = 0; i < steps; i++) {
      assertThat(b[i]).as("loss of step " + i).isCloseTo(a[i], within(1e-5 * Math.abs(a[i])));
    }
    assertThat(a[steps - 1]).isLessThan(a[0]);
    for (int t = 0; t < wa.length; t++) {
      for (int i = 0; i < wa[t].length; i++) {
        assertThat((double) wb[t][i]).isCloseTo(wa[t][i], within(1e-4));
      }
    }
  }

  @Test
  void anUnknownMemoryFormatIsOneLineBeforeAnythingOpens() {
    System.setProperty(PyTorchSession.MEMORY_FORMAT_PROPERTY, "nhwc");
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("kind", "cross_entropy", 1.0, "kind", "kind")));
    assertThatThrownBy(() -> TestData.open(convNet(), Weights.initialize(convNet(), 1), loss, OptimizerSpec.adam(0.01)))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("system property holdout.pytorch.memoryFormat='nhwc' is not a memory format"
            + " (contiguous or channelsLast)");
  }
}
