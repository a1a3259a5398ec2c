package io.holdout.testkit;

import static io.holdout.testkit.Fixtures.batch;
import static io.holdout.testkit.Fixtures.floats;
import static io.holdout.testkit.Fixtures.loss;
import static io.holdout.testkit.Fixtures.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.backend.EvalResult;
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
 * Each layer, alone and in small stacks, against {@link ReferenceModel}: evaluation outputs, the
 * training-mode loss, the gradient of every parameter (read off one plain SGD step, {@code Δw =
 * -lr·grad}, against central finite differences of the double-precision model) and batch norm's
 * running statistics after the step. Dropout, whose masks are engine-side randomness, is checked
 * for its semantics instead: identity in evaluation, inverted scaling in training, reproducible
 * from the session seed.
 */
public abstract class LayerConformanceTest extends ConformanceBase {
  /** Tolerance of outputs and losses, relative to the tensor's largest value. */
  public static final double REL = 1e-5;

  /** Tolerance of float32 gradients against finite differences, relative to the tensor's largest. */
  public static final double GRAD_REL = 1e-4;

  static final double LR = 10;

  static final int BATCH = 4;

  /** A named model whose heads are all trained with MSE against targets {@code t_<head>}. */
  public record LayerCase(String title, ModelSpec model) {
    @Override
    public String toString() {
      return title;
    }
  }

  static Stream<LayerCase> cases() {
    List<LayerCase> out = new ArrayList<>();
    out.add(new LayerCase("dense + relu, two heads", new ModelSpec(new long[] {5},
        List.of(new LayerSpec.Dense(4), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3), HeadSpec.dense("z", HeadKind.REGRESSION, 2)))));
    out.add(new LayerCase("conv2d stride 2 padding 1", new ModelSpec(new long[] {2, 6, 5},
        List.of(new LayerSpec.Conv2d(3, 3, 2, 1), new LayerSpec.Relu(), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)))));
    out.add(new LayerCase("conv2d kernel 2 no padding", new ModelSpec(new long[] {1, 5, 5},
        List.of(new LayerSpec.Conv2d(2, 2, 1, 0), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3)))));
    out.add(new LayerCase("maxpool 2/2 with floor", new ModelSpec(new long[] {2, 5, 7},
        List.of(new LayerSpec.Conv2d(2, 3, 1, 1), new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)))));
    out.add(new LayerCase("maxpool 3/2 overlapping", new ModelSpec(new long[] {2, 7, 6},
        List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.MaxPool(3, 2), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)))));
    out.add(new LayerCase("batchnorm 2-d", new ModelSpec(new long[] {2, 4, 4},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)))));
    out.add(new LayerCase("batchnorm 1-d", new ModelSpec(new long[] {5},
        List.of(new LayerSpec.Dense(6), new LayerSpec.BatchNorm(), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)))));
    out.add(new LayerCase("flatten of an image", new ModelSpec(new long[] {2, 3, 2},
        List.of(new LayerSpec.Flatten()), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3)))));
    out.add(new LayerCase("layers inside a head", new ModelSpec(new long[] {4},
        List.of(new LayerSpec.Dense(4), new LayerSpec.Relu()),
        List.of(new HeadSpec("y", HeadKind.REGRESSION,
            List.of(new LayerSpec.Dense(5), new LayerSpec.Relu(), new LayerSpec.Dense(2)))))));
    out.add(new LayerCase("multi-scale heads over two taps", new ModelSpec(new long[] {2, 6, 6},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(3, 3, 1, 1)),
        List.of(HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(1, 3), 2),
            HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 3, List.of(3, 1), 1)))));
    return out.stream();
  }

  /** Seeded inputs and MSE targets for {@code model}, with the reference's values in double. */
  record Data(Batch batch, double[] input, Map<String, float[]> targets) {}

  static Data data(ModelSpec model, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] shape = new long[model.inputShape().length + 1];
    shape[0] = BATCH;
    System.arraycopy(model.inputShape(), 0, shape, 1, model.inputShape().length);
    float[] x = Fixtures.normal(r, (int) Tensor.elementCount(shape), 1);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put(Batch.INPUT, floats(x, shape));
    Map<String, float[]> targets = new LinkedHashMap<>();
    for (HeadSpec h : model.heads()) {
      long[] out = model.outputShape(h.name());
      long[] ts = new long[out.length + 1];
      ts[0] = BATCH;
      System.arraycopy(out, 0, ts, 1, out.length);
      float[] t = Fixtures.normal(r, (int) Tensor.elementCount(ts), 1);
      targets.put(h.name(), t);
      tensors.put("t_" + h.name(), floats(t, ts));
    }
    return new Data(batch(tensors), Fixtures.toDoubles(x), targets);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.LayerConformanceTest#cases")
  void evaluationOutputsMatchTheReference(LayerCase c) {
    ModelSpec model = c.model();
    LossSpec loss = Fixtures.mseOnEveryHead(model);
    assumeLayers(model);
    assumeLosses(loss);
    Weights w = Weights.initialize(model, 11);
    Data d = data(model, 5);
    ReferenceModel ref = new ReferenceModel(model, w);
    ReferenceModel.Pass pass = ref.forward(d.input(), BATCH, false);
    try (TrainingSession s = open(Fixtures.spec(model, w, loss, null))) {
      EvalResult r = s.evalStep(d.batch());
      for (HeadSpec h : model.heads()) {
        Tensor y = r.outputs().get(h.name());
        long[] out = model.outputShape(h.name());
        long[] expected = new long[out.length + 1];
        expected[0] = BATCH;
        System.arraycopy(out, 0, expected, 1, out.length);
        assertThat(y.shape()).as("head '%s' output shape", h.name()).containsExactly(expected);
        Checks.allClose(y.toFloatArray(), pass.outputs().get(h.name()), REL, 1e-6, c.title() + " " + h.name());
      }
      Checks.close(r.loss().total(), ReferenceModel.mse(pass.outputs(), d.targets()), REL, 1e-7,
          c.title() + " evaluation loss");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.LayerConformanceTest#cases")
  void gradientsMatchFiniteDifferences(LayerCase c) {
    ModelSpec model = c.model();
    LossSpec loss = Fixtures.mseOnEveryHead(model);
    assumeLayers(model);
    assumeLosses(loss);
    assumeOptimizer("sgd");
    Weights w = Weights.initialize(model, 12);
    Data d = data(model, 6);
    ReferenceModel ref = new ReferenceModel(model, w);
    ReferenceModel.Pass pass = ref.forward(d.input(), BATCH, true);
    Map<String, double[]> grads = ref.gradients(d.input(), BATCH, o -> ReferenceModel.mse(o, d.targets()), 1e-6);
    try (TrainingSession s = open(Fixtures.spec(model, w, loss, Fixtures.sgd(LR)))) {
      LossBreakdown lb = s.trainStep(d.batch());
      Checks.close(lb.total(), ReferenceModel.mse(pass.outputs(), d.targets()), REL, 1e-7,
          c.title() + " training-mode loss");
      Weights after = s.weights();
      // a tensor whose true gradient is 0 (a bias feeding batch norm) gets float noise of the
      // size of the other gradients, so the absolute floor follows the model's largest gradient
      double scale = 0;
      for (double[] g : grads.values()) {
        for (double v : g) {
          scale = Math.max(scale, Math.abs(v));
        }
      }
      for (Map.Entry<String, double[]> g : grads.entrySet()) {
        float[] before = w.get(g.getKey()).toFloatArray();
        float[] now = after.get(g.getKey()).toFloatArray();
        float[] engine = new float[before.length];
        for (int i = 0; i < before.length; i++) {
          engine[i] = (float) (((double) before[i] - now[i]) / LR);
        }
        Checks.allClose(engine, g.getValue(), GRAD_REL, GRAD_REL * scale * 1e-2 + 1e-7,
            c.title() + " gradient of " + g.getKey());
      }
      for (Map.Entry<String, double[]> e : ref.runningStatsAfter(pass).entrySet()) {
        Checks.allClose(after.get(e.getKey()).toFloatArray(), e.getValue(), REL, 1e-7,
            c.title() + " " + e.getKey() + " after one step");
      }
    }
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
    boolean trains = caps().training() && caps().optimizers().contains("sgd");
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
