package io.holdout.losses.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reference gradient against central finite differences of the reference value, on seeded
 * random inputs kept away from the kinks of MAE, smooth L1 and Huber.
 */
class GradientTest {
  private static final double H = 1e-3;

  static Stream<Arguments> cases() {
    Random r = new Random(7);
    List<Arguments> out = new ArrayList<>();
    // regression: d = p - t with |d| in (0.1, 0.4) or (1.3, 2.5): never near 0, beta, delta
    float[] p = new float[12];
    float[] t = new float[12];
    for (int i = 0; i < p.length; i++) {
      t[i] = (float) r.nextGaussian();
      double mag = i % 2 == 0 ? 0.1 + 0.3 * r.nextDouble() : 1.3 + 1.2 * r.nextDouble();
      p[i] = (float) (t[i] + (r.nextBoolean() ? mag : -mag));
    }
    Tensor pred = Tensor.ofFloats(new long[] {4, 3}, p);
    Tensor target = Tensor.ofFloats(new long[] {4, 3}, t);
    for (String type : List.of("mse", "mae", "smooth_l1", "huber")) {
      out.add(args(type, Map.of(), pred, target));
      out.add(args(type, Map.of("reduction", "sum"), pred, target));
    }
    out.add(args("smooth_l1", Map.of("beta", 0.7), pred, target));
    out.add(args("huber", Map.of("delta", 0.7), pred, target));

    Tensor logits = Tensor.ofFloats(new long[] {5, 4}, gaussians(r, 20, 1.5));
    Tensor labels = Tensor.ofLongs(new long[] {5}, 3, 0, 2, 1, 2);
    out.add(args("cross_entropy", Map.of(), logits, labels));
    out.add(args("cross_entropy", Map.of("reduction", "sum"), logits, labels));
    out.add(args("cross_entropy", Map.of("class_weights", List.of(0.5, 2.0, 1.0, 3.0),
        "label_smoothing", 0.2), logits, labels));
    out.add(args("cross_entropy", Map.of("class_weights", List.of(0.5, 2.0, 1.0, 3.0), "ignore_index", 2),
        logits, labels));
    out.add(args("focal", Map.of(), logits, labels));
    out.add(args("focal", Map.of("gamma", 0.5, "alpha", List.of(0.25, 1.0, 1.0, 2.0)), logits, labels));

    Tensor binTargets = Tensor.ofFloats(new long[] {5, 4}, 1, 0, 0, 1, 0, 1, 1, 0, 0.3f, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0);
    out.add(args("binary_cross_entropy", Map.of(), logits, binTargets));
    out.add(args("binary_cross_entropy", Map.of("pos_weight", 3.0), logits, binTargets));

    ReferenceCases.Case loc = ReferenceCases.get("multibox_loc");
    float[] shifted = loc.outputs().get("out").toFloatArray();
    for (int i = 0; i < shifted.length; i++) {
      shifted[i] += 0.13f; // moves the exact anchors off the smooth L1 kink at d = 0
    }
    out.add(Arguments.of(loc.spec(), Map.of("out", Tensor.ofFloats(new long[] {2, 6, 4}, shifted)), loc.batch()));
    ReferenceCases.Case conf = ReferenceCases.get("multibox_conf");
    // distinct random logits so that mining does not flip within ±H
    Tensor confLogits = Tensor.ofFloats(new long[] {2, 6, 3}, gaussians(r, 36, 1.0));
    out.add(Arguments.of(conf.spec(), Map.of("out", confLogits), conf.batch()));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
    double[] g = ReferenceLosses.gradient(c, outputs, batch);
    Tensor out = outputs.get(c.output());
    float[] x = out.toFloatArray();
    assertThat(g).hasSize(x.length);
    double scale = 0;
    for (double v : g) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertThat(scale).as("gradient is not all zero").isGreaterThan(0);
    for (int i = 0; i < x.length; i++) {
      float plus = (float) (x[i] + H);
      float minus = (float) (x[i] - H);
      double fp = valueWith(c, outputs, batch, out, i, plus);
      double fm = valueWith(c, outputs, batch, out, i, minus);
      double fd = (fp - fm) / ((double) plus - minus);
      assertThat(g[i]).as("d/dx[%d]", i).isCloseTo(fd, within(1e-5 + 1e-4 * Math.abs(fd)));
    }
  }

  private static double valueWith(
      LossComponentSpec c, Map<String, Tensor> outputs, Batch batch, Tensor out, int i, float v) {
    float[] x = out.toFloatArray();
    x[i] = v;
    Map<String, Tensor> changed = new HashMap<>(outputs);
    changed.put(c.output(), Tensor.ofFloats(out.shape(), x));
    return ReferenceLosses.value(c, changed, batch);
  }

  private static Arguments args(String type, Map<String, Object> params, Tensor out, Tensor y) {
    LossComponentSpec spec = new LossComponentSpec(type + " " + params, type, 1, "out", "y", params);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < out.dim(0); i++) {
      ids.add("s" + i);
    }
    return Arguments.of(spec, Map.of("out", out), new Batch(ids, Map.of("y", y)));
  }

  private static float[] gaussians(Random r, int n, double sd) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (sd * r.nextGaussian());
    }
    return out;
  }
}
