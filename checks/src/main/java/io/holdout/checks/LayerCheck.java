package io.holdout.checks;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.LayerCases.LayerCase;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * One {@link LayerCase} on a backend against {@link ReferenceModel}: evaluation outputs and loss;
 * then the training-mode loss, the gradient of every parameter (read off one plain SGD step, {@code
 * Δw = -lr·grad}, against central finite differences of the double-precision model) and batch
 * norm's running statistics after the step.
 */
public final class LayerCheck {
  /** Tolerance of outputs and losses, relative to the tensor's largest value. */
  public static final double REL = 1e-5;

  /** Tolerance of float32 gradients against finite differences, relative to the tensor's largest. */
  public static final double GRAD_REL = 1e-4;

  static final double LR = 10;

  /** Relative tolerance of losses in float64 sessions. */
  public static final double FLOAT64_REL = 1e-10;

  private LayerCheck() {}

  /** Seeded inputs and MSE targets for a case, with the reference's values in double. */
  record Data(Batch batch, double[] input, Map<String, float[]> targets) {}

  /** A seeded batch of {@code batch} random samples for {@code model}, a target per head. */
  public static Batch batchFor(ModelSpec model, int batch, long seed) {
    return data(model, batch, seed).batch();
  }

  static Data data(ModelSpec model, int batch, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] shape = new long[model.inputShape().length + 1];
    shape[0] = batch;
    System.arraycopy(model.inputShape(), 0, shape, 1, model.inputShape().length);
    float[] x = Fixtures.normal(r, (int) Tensor.elementCount(shape), 1);
    // an embedding reads indices: whole numbers below the smallest vocabulary reading the input
    int vocab = model.graph().stream().filter(n -> n.op() instanceof LayerSpec.Embedding)
        .mapToInt(n -> ((LayerSpec.Embedding) n.op()).vocab()).min().orElse(0);
    for (int i = 0; vocab > 0 && i < x.length; i++) {
      x[i] = r.nextInt(vocab);
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put(Batch.INPUT, Fixtures.floats(x, shape));
    Map<String, float[]> targets = new LinkedHashMap<>();
    for (HeadSpec h : model.heads()) {
      long[] ts = batchShape(batch, model.outputShape(h.name()));
      float[] t = Fixtures.normal(r, (int) Tensor.elementCount(ts), 1);
      targets.put(h.name(), t);
      tensors.put("t_" + h.name(), Fixtures.floats(t, ts));
    }
    return new Data(Fixtures.batch(tensors), Fixtures.toDoubles(x), targets);
  }

  static long[] batchShape(int batch, long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = batch;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  /** The layer types of {@code c} that {@code caps} lacks, or null when it has them all. */
  static String missing(Capabilities caps, LayerCase c) {
    for (String t : new TreeSet<>(c.model().layerTypes())) {
      if (!caps.layers().contains(t)) {
        return "no layer '" + t + "'";
      }
    }
    return null;
  }

  /** Evaluation outputs of every head and the evaluation loss. */
  public static CheckResult evaluation(Backend backend, LayerCase c, CheckSettings settings) {
    String name = "layers: " + c.title() + " forward";
    String missing = missing(backend.capabilities(), c);
    if (missing != null) {
      return CheckResult.unsupported(backend.name(), name, missing);
    }
    ModelSpec model = c.model();
    Weights w = Weights.initialize(model, 11);
    Data d = data(model, c.batch(), 5);
    Comparison cmp = new Comparison();
    try (TrainingSession s = backend.open(settings.spec(model, w, Fixtures.mseOnEveryHead(model), null))) {
      compareOutputs(cmp, s.evalStep(d.batch()), c, new ReferenceModel(model, w), d, settings);
    }
    return cmp.result(backend.name(), name);
  }

  /**
   * The training-mode loss, every parameter's gradient element by element (against central finite
   * differences) and batch norm's running statistics after one SGD step.
   */
  public static CheckResult gradients(Backend backend, LayerCase c, CheckSettings settings) {
    String name = "layers: " + c.title() + " gradient";
    String missing = missingForTraining(backend.capabilities(), c);
    if (missing != null) {
      return CheckResult.unsupported(backend.name(), name, missing);
    }
    ModelSpec model = c.model();
    Weights w = Weights.initialize(model, 12);
    Data d = data(model, c.batch(), 6);
    ReferenceModel ref = new ReferenceModel(model, w);
    Comparison cmp = new Comparison();
    try (TrainingSession s = backend.open(settings.spec(model, w, Fixtures.mseOnEveryHead(model), Fixtures.sgd(LR)))) {
      compareStep(cmp, s, c, ref, w, d, false, settings);
    }
    return cmp.result(backend.name(), name);
  }

  /**
   * Forward and gradient in one session, quickly (what {@code holdout train} runs before the first
   * epoch): the evaluation outputs, then one SGD step whose gradient is compared per parameter
   * tensor along one seeded random ±1 direction ({@code ∇L·v} against a central difference of the
   * reference along {@code v}: two reference passes per tensor instead of two per element).
   */
  public static CheckResult quick(Backend backend, LayerCase c, CheckSettings settings) {
    String name = "layers: " + c.title();
    Capabilities caps = backend.capabilities();
    String missing = missing(caps, c);
    if (missing != null) {
      return CheckResult.unsupported(backend.name(), name, missing);
    }
    boolean trains = missingForTraining(caps, c) == null;
    ModelSpec model = c.model();
    Weights w = Weights.initialize(model, 12);
    Data d = data(model, c.batch(), 6);
    ReferenceModel ref = new ReferenceModel(model, w);
    Comparison cmp = new Comparison();
    try (TrainingSession s = backend.open(
        settings.spec(model, w, Fixtures.mseOnEveryHead(model), trains ? Fixtures.sgd(LR) : null))) {
      compareOutputs(cmp, s.evalStep(d.batch()), c, ref, d, settings);
      if (trains) {
        compareStep(cmp, s, c, ref, w, d, true, settings);
      }
    }
    return cmp.result(backend.name(), name);
  }

  static String missingForTraining(Capabilities caps, LayerCase c) {
    String missing = missing(caps, c);
    if (missing == null && !caps.training()) {
      return "does not train";
    } else if (missing == null && !caps.optimizers().contains("sgd")) {
      return "no optimizer 'sgd'";
    }
    if (missing == null) {
      for (String type : new java.util.TreeSet<>(c.model().layerTypes())) {
        if (!caps.trainsLayer(type)) {
          return "does not train layer '" + type + "' yet";
        }
      }
    }
    return missing;
  }

  /**
   * How close a loss must be to the double-precision reference: {@link #REL} in float32, and
   * {@value #FLOAT64_REL} in float64 sessions, which float32 arithmetic cannot reach (so those
   * checks also show that the engine computed in double).
   */
  static double lossRel(CheckSettings settings) {
    return settings.precision() == Precision.FLOAT64 ? FLOAT64_REL : REL;
  }

  static double lossFloor(CheckSettings settings) {
    return settings.precision() == Precision.FLOAT64 ? 1e-13 : 1e-7;
  }

  private static void compareOutputs(Comparison cmp, EvalResult r, LayerCase c, ReferenceModel ref, Data d,
      CheckSettings settings) {
    ModelSpec model = c.model();
    ReferenceModel.Pass pass = ref.forward(d.input(), c.batch(), false);
    for (HeadSpec h : model.heads()) {
      Tensor y = r.outputs().get(h.name());
      cmp.shape("head '" + h.name() + "' output", y.shape(), batchShape(c.batch(), model.outputShape(h.name())));
      if (cmp.ok()) {
        cmp.values("output of head " + h.name(), y.toFloatArray(), pass.outputs().get(h.name()), REL, 1e-6);
      }
    }
    cmp.value("evaluation loss", r.loss().total(), ReferenceModel.mse(pass.outputs(), d.targets()), lossRel(settings),
        lossFloor(settings));
  }

  /** One SGD step on the session: its loss, the gradients read off {@code Δw}, running statistics. */
  private static void compareStep(Comparison cmp, TrainingSession s, LayerCase c, ReferenceModel ref, Weights w,
      Data d, boolean alongDirections, CheckSettings settings) {
    ModelSpec model = c.model();
    ReferenceModel.Pass pass = ref.forward(d.input(), c.batch(), true);
    ToDoubleFunction<Map<String, double[]>> mse = o -> ReferenceModel.mse(o, d.targets());
    LossBreakdown lb = s.trainStep(d.batch());
    cmp.value("training-mode loss", lb.total(), ReferenceModel.mse(pass.outputs(), d.targets()), lossRel(settings),
        lossFloor(settings));
    Weights after = s.weights();
    Map<String, double[]> engine = new LinkedHashMap<>();
    for (String p : ReferenceModel.trainable(model)) {
      float[] before = w.get(p).toFloatArray();
      float[] now = after.get(p).toFloatArray();
      double[] g = new double[before.length];
      for (int i = 0; i < before.length; i++) {
        g[i] = ((double) before[i] - now[i]) / LR;
      }
      engine.put(p, g);
    }
    if (alongDirections) {
      SplittableRandom r = new SplittableRandom(13);
      Map<String, double[]> directions = new LinkedHashMap<>();
      double modelNorm = 0;
      for (Map.Entry<String, double[]> e : engine.entrySet()) {
        double[] v = new double[e.getValue().length];
        for (int i = 0; i < v.length; i++) {
          v[i] = r.nextBoolean() ? 1 : -1;
        }
        directions.put(e.getKey(), v);
        modelNorm = Math.max(modelNorm, norm(e.getValue()));
      }
      Map<String, Double> along = ref.directionalDerivatives(d.input(), c.batch(), mse, directions, 1e-6);
      for (Map.Entry<String, double[]> e : directions.entrySet()) {
        double[] g = engine.get(e.getKey());
        double dot = 0;
        for (int i = 0; i < g.length; i++) {
          dot += g[i] * e.getValue()[i];
        }
        // |g·v| is of the size of |g| for a ±1 direction; a tensor whose true gradient is 0 (a bias
        // feeding batch norm) gets float noise of the size of the model's other gradients
        double floor = GRAD_REL * (norm(g) + 1e-2 * modelNorm) + 1e-7 * Math.sqrt(g.length);
        cmp.value("gradient of " + e.getKey() + " along a random direction", dot, along.get(e.getKey()), GRAD_REL,
            floor);
      }
    } else {
      Map<String, double[]> grads = ref.gradients(d.input(), c.batch(), mse, 1e-6);
      // a tensor whose true gradient is 0 (a bias feeding batch norm) gets float noise of the
      // size of the other gradients, so the absolute floor follows the model's largest gradient
      double scale = 0;
      for (double[] g : grads.values()) {
        for (double v : g) {
          scale = Math.max(scale, Math.abs(v));
        }
      }
      for (Map.Entry<String, double[]> g : grads.entrySet()) {
        double[] e = engine.get(g.getKey());
        float[] f = new float[e.length];
        for (int i = 0; i < e.length; i++) {
          f[i] = (float) e[i];
        }
        cmp.values("gradient of " + g.getKey(), f, g.getValue(), GRAD_REL, GRAD_REL * scale * 1e-2 + 1e-7);
      }
    }
    for (Map.Entry<String, double[]> e : ref.runningStatsAfter(pass).entrySet()) {
      cmp.values(e.getKey() + " after one step", after.get(e.getKey()).toFloatArray(), e.getValue(), REL, 1e-7);
    }
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }
}
