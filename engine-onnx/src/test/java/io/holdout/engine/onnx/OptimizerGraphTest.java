package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import io.holdout.checks.ReferenceOptimizer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizer update as ONNX operators, run on ONNX Runtime for five steps with parameters and
 * state fed back from each step's outputs (they never pass through Java arrays), against the
 * double-precision {@link ReferenceOptimizer}, for every optimizer case of the conformance suite,
 * with its tolerance (1e-5 relative, 2e-6 absolute); the learning rate changes after step 2. For
 * an optimizer given by its update rule ({@link RuleGraph}) the slots are compared as well.
 */
class OptimizerGraphTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.OptimizerConformanceTest#optimizers")
  void fiveStepsMatchTheReference(String name, OptimizerSpec o) throws Exception {
    Map<String, long[]> params = new LinkedHashMap<>();
    params.put("a.weight", new long[] {3, 4});
    params.put("a.bias", new long[] {3});
    OnnxGraph g = new OnnxGraph("optimizer-test");
    Map<String, String> grads = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> p : params.entrySet()) {
      g.reserve(p.getKey());
      g.input(p.getKey(), OnnxGraph.FLOAT, p.getValue());
      String gi = "grad." + p.getKey();
      g.reserve(gi);
      g.input(gi, OnnxGraph.FLOAT, p.getValue());
      grads.put(p.getKey(), gi);
    }
    OptimizerGraph.Update u = OptimizerGraph.build(g, o, params, grads);
    Map<String, String> outputs = new LinkedHashMap<>(); // input fed back <- output name
    for (Map.Entry<String, String> e : u.params().entrySet()) {
      outputs.put(e.getKey(), out(g, "new." + e.getKey(), e.getValue(), params.get(e.getKey())));
    }
    for (Map.Entry<String, String> e : u.state().entrySet()) {
      outputs.put(e.getKey(), out(g, "new." + e.getKey(), e.getValue(), u.stateShapes().get(e.getKey())));
    }
    byte[] model = g.model("test", Map.of(), "").toByteArray();

    SplittableRandom r = new SplittableRandom(4);
    Map<String, double[]> ref = new LinkedHashMap<>();
    params.forEach((k, s) -> ref.put(k, Fixtures.toDoubles(Fixtures.normal(r, (int) Tensor.elementCount(s), 1))));
    ReferenceOptimizer reference = new ReferenceOptimizer(o);
    OrtEnvironment env = OrtRuntime.environment();
    Map<String, OnnxTensor> carried = new HashMap<>();
    for (Map.Entry<String, double[]> e : ref.entrySet()) {
      carried.put(e.getKey(), tensor(env, toFloats(e.getValue()), params.get(e.getKey())));
    }
    for (Map.Entry<String, long[]> e : u.stateShapes().entrySet()) {
      float[] initial = new float[(int) Tensor.elementCount(e.getValue())];
      java.util.Arrays.fill(initial, (float) OptimizerGraph.initial(o, e.getKey()));
      carried.put(e.getKey(), tensor(env, initial, e.getValue()));
    }
    List<String> failures = new ArrayList<>();
    OrtSession.Result previous = null;
    try (OrtSession s = OrtRuntime.session(model, 1, 1)) {
      for (int step = 1; step <= 5; step++) {
        double lr = step <= 2 ? o.lr() : o.lr() / 3;
        reference.setLearningRate(lr);
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>(carried);
        List<OnnxTensor> owned = new ArrayList<>();
        Map<String, double[]> gradValues = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> p : params.entrySet()) {
          float[] gv = Fixtures.normal(r, (int) Tensor.elementCount(p.getValue()), 0.5);
          gradValues.put(p.getKey(), Fixtures.toDoubles(gv));
          OnnxTensor t = tensor(env, gv, p.getValue());
          owned.add(t);
          feeds.put("grad." + p.getKey(), t);
        }
        for (Map.Entry<String, Double> e : OptimizerGraph.scalars(o, lr, step).entrySet()) {
          OnnxTensor t = tensor(env, new float[] {e.getValue().floatValue()}, new long[0]);
          owned.add(t);
          feeds.put(e.getKey(), t);
        }
        OrtSession.Result result = s.run(feeds);
        owned.forEach(OnnxTensor::close);
        if (previous != null) {
          previous.close(); // the tensors fed this step came from it
        } else {
          carried.values().forEach(OnnxTensor::close);
        }
        previous = result;
        carried.clear();
        for (Map.Entry<String, String> e : outputs.entrySet()) {
          OnnxValue v = result.get(e.getValue()).orElseThrow();
          carried.put(e.getKey(), (OnnxTensor) v);
        }
        reference.step(ref, gradValues);
        Map<String, double[]> compared = new LinkedHashMap<>(ref);
        // a rule's slots too, under their checkpoint names <slot>.<param>
        compared.putAll(reference.ruleState());
        assertThat(carried.keySet()).containsAll(compared.keySet());
        for (Map.Entry<String, double[]> e : compared.entrySet()) {
          float[] got = flat(carried.get(e.getKey()));
          double[] want = e.getValue();
          for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= 1e-5 * Math.abs(want[i]) + 2e-6)) {
              failures.add(name + ": " + e.getKey() + "[" + i + "] after step " + step + ": " + got[i] + " vs " + want[i]);
              break;
            }
          }
        }
      }
    } finally {
      if (previous != null) {
        previous.close();
      }
    }
    assertThat(failures).isEmpty();
  }

  private static String out(OnnxGraph g, String name, String value, long[] shape) {
    g.reserve(name);
    g.opNamed("Identity", name, List.of(value));
    g.output(name, OnnxGraph.FLOAT, shape);
    return name;
  }

  private static OnnxTensor tensor(OrtEnvironment env, float[] v, long[] shape) throws Exception {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static float[] flat(OnnxTensor t) {
    FloatBuffer b = t.getFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }
}
