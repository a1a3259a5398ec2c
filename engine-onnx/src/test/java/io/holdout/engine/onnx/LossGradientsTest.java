package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.LossCases;
import io.holdout.checks.LossCases.LossCase;
import io.holdout.losses.ResolvedComponent;
import io.holdout.losses.ResolvedLoss;
import io.holdout.losses.reference.ReferenceLosses;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generated loss gradients on ONNX Runtime against the pure-Java reference gradient, for every
 * reference case of every loss type with a gradient here: {@code d(Σ num)/d pred} times the
 * reference's own scale ({@code 1/Σ den} for a mean) equals {@code ReferenceLosses.gradient} to
 * 1e-5 relative (float32 against double), kinks and ignored labels included.
 */
class LossGradientsTest {
  @Test
  void everyCaseMatchesTheReferenceGradient() throws Exception {
    List<LossCase> cases = LossCases.ofTypes(LossGradients.TYPES);
    assertThat(cases.stream().map(c -> c.spec().type()).distinct().toList())
        .containsExactlyInAnyOrderElementsOf(LossGradients.TYPES);
    List<String> failures = new ArrayList<>();
    OrtEnvironment env = OrtRuntime.environment();
    for (LossCase c : cases) {
      int b = c.batch().size();
      int units = (int) (c.prediction().elementCount() / b);
      ModelSpec model = new ModelSpec(new long[] {b}, List.of(),
          List.of(HeadSpec.dense(c.spec().output(), HeadKind.REGRESSION, units)));
      ResolvedComponent r = ResolvedLoss.resolve(new LossSpec(List.of(c.spec())), model).components().get(0);
      OnnxGraph g = new OnnxGraph("loss-gradient-test");
      g.reserve("pred");
      g.input("pred", OnnxGraph.FLOAT, new long[] {-1, units});
      TargetInputs in = new TargetInputs(g);
      String grad = LossGradients.numeratorGrad(g, r, "pred", in);
      g.reserve("grad");
      g.opNamed("Identity", "grad", List.of(grad));
      g.output("grad", OnnxGraph.FLOAT, null);
      double[] want = ReferenceLosses.gradient(c.spec(), Map.of(c.spec().output(), c.prediction()), c.batch());
      double scale = ReferenceLosses.terms(c.spec(), Map.of(c.spec().output(), c.prediction()), c.batch())
          .gradientScale(r.reduction());
      Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
      try (OrtSession s = OrtRuntime.session(g.model("test", Map.of(), "").toByteArray(), 1, 1)) {
        feeds.put("pred", OnnxTensor.createTensor(env, FloatBuffer.wrap(c.prediction().toFloatArray()),
            new long[] {b, units}));
        for (Map.Entry<String, String> e : in.floatInputs().entrySet()) {
          feeds.put(e.getValue(), Feeds.floats(env, c.batch().get(e.getKey())));
        }
        for (Map.Entry<String, String> e : in.labelInputs().entrySet()) {
          feeds.put(e.getValue(), Feeds.labels(env, c.batch().get(e.getKey()), e.getKey()));
        }
        try (OrtSession.Result res = s.run(feeds)) {
          FloatBuffer fb = ((OnnxTensor) res.get("grad").orElseThrow()).getFloatBuffer();
          float[] got = new float[fb.remaining()];
          fb.get(got);
          double max = 0;
          for (double v : want) {
            max = Math.max(max, Math.abs(v));
          }
          for (int i = 0; i < want.length; i++) {
            double v = got[i] * scale;
            if (!(Math.abs(v - want[i]) <= 1e-5 * Math.abs(want[i]) + 1e-6 * max + 1e-9)) {
              failures.add(c.title() + "[" + i + "]: " + v + " vs " + want[i]);
              break;
            }
          }
        }
      } finally {
        feeds.values().forEach(OnnxTensor::close);
      }
    }
    assertThat(failures).isEmpty();
  }
}
