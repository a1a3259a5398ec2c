package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.checks.Fixtures;
import io.holdout.checks.LayerCases;
import io.holdout.checks.LayerCases.LayerCase;
import io.holdout.checks.ReferenceModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The generated backward pass, run on a stock ONNX Runtime, against central finite differences of
 * the double-precision reference model, for every layer case whose layers have a backward rule:
 * loss {@code Σ_heads mean((y - t)²)}, every parameter's gradient element by element, with the
 * tolerance of the conformance suite's gradient check ({@code LayerCheck.GRAD_REL}).
 */
class BackwardGraphTest {
  static final double GRAD_REL = 1e-4;

  @Test
  void gradientsOfEveryCoveredLayerCaseMatchFiniteDifferences() throws Exception {
    List<LayerCase> cases = LayerCases.all().stream()
        // dropout draws masks and embedding reads indices: the conformance suite covers both
        // through training sessions (OnnxConformanceTest), whose data draws valid indices
        .filter(c -> BackwardGraph.unsupported(c.model()) == null && !c.layerTypes().contains("dropout")
            && !c.layerTypes().contains("embedding")).toList();
    assertThat(cases.stream().map(LayerCase::base).distinct().toList()).as("layer cases covered")
        .contains("softmax over features", "flatten of an image", "layers inside a head")
        .anyMatch(b -> b.startsWith("conv2d")).anyMatch(b -> b.startsWith("batchnorm"));
    List<String> failures = new ArrayList<>();
    for (LayerCase c : cases) {
      failures.addAll(check(c));
    }
    assertThat(failures).isEmpty();
  }

  /**
   * Every activation on a dense layer whose output, summed 8 times, spans both sides of each kink
   * (0, ±3, 6); and a graph that routes gradients through {@code add}, {@code mul} and {@code
   * concat} of dense branches, one of which feeds two nodes (its gradients are summed).
   */
  @Test
  void activationsAndRoutingMatchFiniteDifferences() throws Exception {
    List<String> failures = new ArrayList<>();
    for (LayerSpec.Activation.Fn fn : LayerSpec.Activation.Fn.values()) {
      LayerSpec.Activation act = fn == LayerSpec.Activation.Fn.LEAKY_RELU
          ? new LayerSpec.Activation(fn, 0.1) : new LayerSpec.Activation(fn);
      ModelSpec m = ModelSpec.graph(new long[] {4}, List.of(
              Node.onInput("d", new LayerSpec.Dense(6)),
              new Node("scaled", new LayerSpec.Add(), java.util.Collections.nCopies(8, "d")),
              new Node("act", act, "scaled")),
          List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)));
      failures.addAll(check(new LayerCase(fn.id() + " on dense", fn.id(), m, 5)));
    }
    ModelSpec routes = ModelSpec.graph(new long[] {3}, List.of(
            Node.onInput("a", new LayerSpec.Dense(4)),
            Node.onInput("b", new LayerSpec.Dense(4)),
            new Node("ta", new LayerSpec.Activation(LayerSpec.Activation.Fn.TANH), "a"),
            new Node("prod", new LayerSpec.Mul(), List.of("ta", "b")),
            new Node("sum", new LayerSpec.Add(), List.of("prod", "a")),
            new Node("cat", new LayerSpec.Concat(0), List.of("sum", "b", ModelSpec.INPUT)),
            new Node("r", new LayerSpec.Relu(), "cat")),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3), HeadSpec.dense("z", HeadKind.REGRESSION, 1)));
    failures.addAll(check(new LayerCase("add, mul, concat routing", "routing", routes, 4)));
    assertThat(failures).isEmpty();
  }

  private static List<String> check(LayerCase c) throws Exception {
    ModelSpec model = c.model();
    Weights w = Weights.initialize(model, 12);
    SplittableRandom r = new SplittableRandom(6);
    long[] inShape = BackwardGraph.batched(model.inputShape());
    inShape[0] = c.batch();
    float[] x = Fixtures.normal(r, (int) count(inShape), 1);
    Map<String, float[]> targets = new LinkedHashMap<>();
    Map<String, long[]> targetShapes = new LinkedHashMap<>();
    for (HeadSpec h : model.heads()) {
      long[] ts = BackwardGraph.batched(model.outputShape(h.name()));
      ts[0] = c.batch();
      targets.put(h.name(), Fixtures.normal(r, (int) count(ts), 1));
      targetShapes.put(h.name(), ts);
    }

    OnnxGraph g = new OnnxGraph("backward-test");
    g.reserve("input");
    g.input("input", OnnxGraph.FLOAT, BackwardGraph.batched(model.inputShape()));
    BackwardGraph.Forward f = BackwardGraph.forward(g, model, "input");
    Map<String, String> headGrads = new HashMap<>();
    for (HeadSpec h : model.heads()) {
      String t = "t_" + h.name();
      g.reserve(t);
      g.input(t, OnnxGraph.FLOAT, BackwardGraph.batched(model.outputShape(h.name())));
      String node = model.outputNode(h.name());
      String y = f.values().get(node);
      // d/dy mean((y - t)²) = 2 (y - t) / size(y)
      String n = g.cast(g.op("Size", List.of(y)), OnnxGraph.FLOAT);
      String dy = g.div(g.mul(g.sub(y, t), 2.0), n);
      headGrads.merge(node, dy, g::add);
    }
    Map<String, String> grads = BackwardGraph.backward(g, model, f, headGrads);
    List<String> names = new ArrayList<>();
    for (ParamInfo p : model.parameters()) {
      if (grads.containsKey(p.name())) {
        g.reserve("grad." + p.name());
        String out = g.opNamed("Identity", "grad." + p.name(), List.of(grads.get(p.name())));
        g.output(out, OnnxGraph.FLOAT, p.shape());
        names.add(p.name());
      }
    }
    byte[] bytes = g.model("test", Map.of(), "").toByteArray();

    ReferenceModel ref = new ReferenceModel(model, w);
    ToDoubleFunction<Map<String, double[]>> mse = o -> ReferenceModel.mse(o, targets);
    Map<String, double[]> expected = ref.gradients(Fixtures.toDoubles(x), c.batch(), mse, 1e-6);
    assertThat(names).as(c.title() + ": gradient outputs").containsExactlyInAnyOrderElementsOf(expected.keySet());
    double scale = 0;
    for (double[] e : expected.values()) {
      for (double v : e) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    List<String> failures = new ArrayList<>();
    OrtEnvironment env = OrtRuntime.environment();
    try (OrtSession s = OrtRuntime.session(bytes, 1, 1)) {
      Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
      try {
        feeds.put("input", OnnxTensor.createTensor(env, FloatBuffer.wrap(x), inShape));
        for (HeadSpec h : model.heads()) {
          feeds.put("t_" + h.name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(targets.get(h.name())),
              targetShapes.get(h.name())));
        }
        for (ParamInfo p : model.parameters()) {
          feeds.put(p.name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(w.get(p.name()).toFloatArray()),
              p.shape()));
        }
        try (OrtSession.Result res = s.run(feeds)) {
          for (String p : names) {
            float[] got = flat((OnnxTensor) res.get("grad." + p).orElseThrow());
            double[] want = expected.get(p);
            for (int i = 0; i < want.length; i++) {
              double tol = GRAD_REL * Math.abs(want[i]) + GRAD_REL * scale * 1e-2 + 1e-7;
              if (!(Math.abs(got[i] - want[i]) <= tol)) {
                failures.add(c.title() + ": gradient of " + p + "[" + i + "] " + got[i] + " vs " + want[i]);
                break;
              }
            }
          }
        }
      } finally {
        feeds.values().forEach(OnnxTensor::close);
      }
    }
    return failures;
  }

  private static float[] flat(OnnxTensor t) {
    FloatBuffer b = t.getFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
