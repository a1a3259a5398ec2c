package io.holdout.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The oracles themselves against hand-derived results. */
class ReferenceModelTest {

  @Test
  void denseForwardAndFiniteDifferencesMatchTheAnalyticGradient() {
    ModelSpec spec = new ModelSpec(new long[] {3}, List.of(), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)));
    Weights w = Weights.initialize(spec, 1);
    ReferenceModel m = new ReferenceModel(spec, w);
    SplittableRandom r = new SplittableRandom(2);
    double[] x = Fixtures.toDoubles(Fixtures.normal(r, 12, 1));
    float[] t = Fixtures.normal(r, 8, 1);
    double[] wt = m.get("heads.y.0.weight");
    double[] b = m.get("heads.y.0.bias");
    double[] y = m.forward(x, 4, false).outputs().get("y");
    double[] gw = new double[6];
    for (int n = 0; n < 4; n++) {
      for (int o = 0; o < 2; o++) {
        double v = b[o];
        for (int i = 0; i < 3; i++) {
          v += wt[o * 3 + i] * x[n * 3 + i];
        }
        assertThat(y[n * 2 + o]).isCloseTo(v, within(1e-12));
        for (int i = 0; i < 3; i++) {
          gw[o * 3 + i] += 2 * (v - t[n * 2 + o]) / 8 * x[n * 3 + i];
        }
      }
    }
    Map<String, double[]> g = m.gradients(x, 4, o -> ReferenceModel.mse(o, Map.of("y", t)), 1e-6);
    for (int i = 0; i < 6; i++) {
      assertThat(g.get("heads.y.0.weight")[i]).isCloseTo(gw[i], within(1e-8));
    }
  }

  @Test
  void multiScaleHeadRowsRunByCellThenAnchor() {
    // one 1x2 feature map of 1 channel, 2 anchors of 1 value: a 3x3 kernel whose centre is 1 per anchor
    ModelSpec spec = new ModelSpec(new long[] {1, 1, 2}, List.of(new LayerSpec.Relu()),
        List.of(HeadSpec.multiScale("h", HeadKind.REGRESSION, 1, List.of(0), 2)));
    Map<String, io.holdout.api.tensor.Tensor> w = new LinkedHashMap<>();
    float[] kernel = new float[2 * 9];
    kernel[4] = 1;
    kernel[9 + 4] = 10;
    w.put("heads.h.0.weight", Fixtures.floats(kernel, 2, 1, 3, 3));
    w.put("heads.h.0.bias", Fixtures.floats(new float[] {0, 0.5f}, 2));
    double[] y = new ReferenceModel(spec, new Weights(w)).forward(new double[] {1, 2}, 1, false).outputs().get("h");
    // rows (cell 0, anchor 0), (cell 0, anchor 1), (cell 1, anchor 0), (cell 1, anchor 1)
    assertThat(y).containsExactly(1, 10.5, 2, 20.5);
  }

  @Test
  void sgdMomentumStartsItsBufferWithTheGradient() {
    ReferenceOptimizer o = new ReferenceOptimizer(OptimizerSpec.sgd(0.1, 0.9));
    Map<String, double[]> p = new LinkedHashMap<>(Map.of("w", new double[] {1}));
    o.step(p, new LinkedHashMap<>(Map.of("w", new double[] {2})));
    assertThat(p.get("w")[0]).isCloseTo(1 - 0.1 * 2, within(1e-15));
    o.step(p, new LinkedHashMap<>(Map.of("w", new double[] {2})));
    assertThat(p.get("w")[0]).isCloseTo(0.8 - 0.1 * (0.9 * 2 + 2), within(1e-15));
  }
}
