package io.holdout.engine.pytorch;

import static io.holdout.engine.pytorch.TestData.batch;
import static io.holdout.engine.pytorch.TestData.floats;
import static io.holdout.engine.pytorch.TestData.loss;
import static io.holdout.engine.pytorch.TestData.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Forward passes of conv2d, maxpool, batchnorm and dropout against small pure-Java computations.
 * Each model ends in an identity dense head, so the head output is the trunk output, flattened.
 */
class LayersTest {
  private static final double EPS = 1e-5;

  /** A model {@code trunk + flatten} with a dense head of identity weights and zero bias. */
  static ModelSpec identityHeaded(long[] input, List<LayerSpec> trunk) {
    List<LayerSpec> layers = new java.util.ArrayList<>(trunk);
    layers.add(new LayerSpec.Flatten());
    long[] out =
        new ModelSpec(input, layers, List.of(HeadSpec.dense("probe", HeadKind.REGRESSION, 1)))
            .trunkOutputShape();
    return new ModelSpec(
        input, layers, List.of(HeadSpec.dense("out", HeadKind.REGRESSION, (int) out[0])));
  }

  /** Seeded initial weights with the head made the identity; {@code overrides} replace tensors. */
  static Weights identityWeights(ModelSpec spec, Map<String, Tensor> overrides) {
    Map<String, Tensor> w = new LinkedHashMap<>(Weights.initialize(spec, 11).tensors());
    int n = (int) spec.head("out").units();
    float[] eye = new float[n * n];
    for (int i = 0; i < n; i++) {
      eye[i * n + i] = 1;
    }
    w.put("heads.out.0.weight", floats(eye, n, n));
    w.put("heads.out.0.bias", floats(new float[n], n));
    w.putAll(overrides);
    return new Weights(w);
  }

  static float[] evalOutput(ModelSpec spec, Weights w, Tensor input) {
    int n = (int) input.dim(0);
    int units = spec.head("out").units();
    Batch b = batch("input", input, "t", floats(new float[n * units], n, units));
    try (TrainingSession s = TestData.open(spec, w, lossSpec(loss("l", "mse", "out", "t")), null)) {
      return s.evalStep(b).outputs().get("out").toFloatArray();
    }
  }

  @Test
  void conv2dMatchesDirectComputation() {
    SplittableRandom r = new SplittableRandom(1);
    int n = 2;
    int cin = 2;
    int h = 5;
    int w = 6;
    int f = 3;
    int k = 3;
    int stride = 2;
    int pad = 1;
    ModelSpec spec =
        identityHeaded(new long[] {cin, h, w}, List.of(new LayerSpec.Conv2d(f, k, stride, pad)));
    float[] x = TestData.normal(r, n * cin * h * w, 1);
    Weights weights = identityWeights(spec, Map.of());
    float[] kernel = weights.get("trunk.0.weight").toFloatArray();
    float[] bias = weights.get("trunk.0.bias").toFloatArray();
    float[] got = evalOutput(spec, weights, floats(x, n, cin, h, w));

    int oh = (h + 2 * pad - k) / stride + 1;
    int ow = (w + 2 * pad - k) / stride + 1;
    assertThat(got).hasSize(n * f * oh * ow);
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < f; o++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double s = bias[o];
            for (int c = 0; c < cin; c++) {
              for (int u = 0; u < k; u++) {
                for (int v = 0; v < k; v++) {
                  int yy = i * stride - pad + u;
                  int xx = j * stride - pad + v;
                  if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                    s +=
                        kernel[((o * cin + c) * k + u) * k + v]
                            * x[((b * cin + c) * h + yy) * w + xx];
                  }
                }
              }
            }
            assertThat((double) got[((b * f + o) * oh + i) * ow + j]).isCloseTo(s, within(EPS));
          }
        }
      }
    }
  }

  @Test
  void maxPoolMatchesDirectComputation() {
    SplittableRandom r = new SplittableRandom(2);
    int n = 2;
    int c = 2;
    int h = 5;
    int w = 7;
    int k = 2;
    int stride = 2;
    ModelSpec spec =
        identityHeaded(new long[] {c, h, w}, List.of(new LayerSpec.MaxPool(k, stride)));
    float[] x = TestData.normal(r, n * c * h * w, 1);
    float[] got = evalOutput(spec, identityWeights(spec, Map.of()), floats(x, n, c, h, w));
    int oh = (h - k) / stride + 1;
    int ow = (w - k) / stride + 1;
    assertThat(got).hasSize(n * c * oh * ow);
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int u = 0; u < k; u++) {
              for (int v = 0; v < k; v++) {
                m = Math.max(m, x[((b * c + ch) * h + i * stride + u) * w + j * stride + v]);
              }
            }
            assertThat(got[((b * c + ch) * oh + i) * ow + j]).isEqualTo(m);
          }
        }
      }
    }
  }

  @Test
  void batchNormEvalUsesRunningStatistics() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 3;
    int c = 2;
    int hw = 4;
    ModelSpec spec = identityHeaded(new long[] {c, 2, 2}, List.of(new LayerSpec.BatchNorm()));
    float[] gamma = {1.5f, -0.5f};
    float[] beta = {0.25f, 2f};
    float[] mean = {0.3f, -1f};
    float[] var = {2f, 0.5f};
    Weights w =
        identityWeights(
            spec,
            Map.of(
                "trunk.0.weight",
                floats(gamma, c),
                "trunk.0.bias",
                floats(beta, c),
                "trunk.0.running_mean",
                floats(mean, c),
                "trunk.0.running_var",
                floats(var, c)));
    float[] x = TestData.normal(r, n * c * hw, 2);
    float[] got = evalOutput(spec, w, floats(x, n, c, 2, 2));
    for (int i = 0; i < x.length; i++) {
      int ch = (i / hw) % c;
      double expected = (x[i] - mean[ch]) / Math.sqrt(var[ch] + 1e-5) * gamma[ch] + beta[ch];
      assertThat((double) got[i]).isCloseTo(expected, within(EPS));
    }
  }

  @Test
  void batchNormTrainingUsesBatchStatisticsAndUpdatesRunningOnes() {
    SplittableRandom r = new SplittableRandom(4);
    int n = 4;
    int c = 3;
    int hw = 4;
    ModelSpec spec = identityHeaded(new long[] {c, 2, 2}, List.of(new LayerSpec.BatchNorm()));
    Weights w = identityWeights(spec, Map.of());
    float[] x = TestData.normal(r, n * c * hw, 3);
    for (int i = 0; i < x.length; i++) {
      x[i] += (i / hw) % c; // a different mean per channel
    }
    int units = c * hw;
    Batch b = batch("input", floats(x, n, c, 2, 2), "t", floats(new float[n * units], n, units));
    double[] mu = new double[c];
    double[] sq = new double[c];
    int per = n * hw;
    for (int i = 0; i < x.length; i++) {
      mu[(i / hw) % c] += x[i] / (double) per;
    }
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - mu[(i / hw) % c];
      sq[(i / hw) % c] += d * d;
    }
    // mse against 0 of the normalised values (gamma 1, beta 0): mean over channels of var/(var+eps)
    double expectedLoss = 0;
    for (int ch = 0; ch < c; ch++) {
      double biased = sq[ch] / per;
      expectedLoss += biased / (biased + 1e-5) / c;
    }
    try (TrainingSession s =
        TestData.open(
            spec, w, lossSpec(loss("l", "mse", "out", "t")), OptimizerSpec.sgd(1e-3, 0))) {
      LossBreakdown lb = s.trainStep(b);
      assertThat(lb.raw("l")).isCloseTo(expectedLoss, within(1e-5));
      Weights after = s.weights();
      float[] rm = after.get("trunk.0.running_mean").toFloatArray();
      float[] rv = after.get("trunk.0.running_var").toFloatArray();
      for (int ch = 0; ch < c; ch++) {
        assertThat((double) rm[ch]).isCloseTo(0.1 * mu[ch], within(EPS));
        // PyTorch updates the running variance with the unbiased batch variance
        assertThat((double) rv[ch]).isCloseTo(0.9 + 0.1 * sq[ch] / (per - 1), within(EPS));
      }
    }
  }

  @Test
  void batchNormOverFeaturesOfFlatInputs() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 5;
    int f = 3;
    ModelSpec spec =
        new ModelSpec(
            new long[] {f},
            List.of(new LayerSpec.BatchNorm()),
            List.of(HeadSpec.dense("out", HeadKind.REGRESSION, f)));
    Weights w = identityWeights(spec, Map.of());
    float[] x = TestData.normal(r, n * f, 2);
    Batch b = batch("input", floats(x, n, f), "t", floats(new float[n * f], n, f));
    try (TrainingSession s =
        TestData.open(
            spec, w, lossSpec(loss("l", "mse", "out", "t")), OptimizerSpec.sgd(1e-3, 0))) {
      s.trainStep(b);
      float[] rm = s.weights().get("trunk.0.running_mean").toFloatArray();
      float[] rv = s.weights().get("trunk.0.running_var").toFloatArray();
      for (int j = 0; j < f; j++) {
        double mu = 0;
        for (int i = 0; i < n; i++) {
          mu += x[i * f + j] / (double) n;
        }
        double ss = 0;
        for (int i = 0; i < n; i++) {
          ss += (x[i * f + j] - mu) * (x[i * f + j] - mu);
        }
        assertThat((double) rm[j]).isCloseTo(0.1 * mu, within(EPS));
        assertThat((double) rv[j]).isCloseTo(0.9 + 0.1 * ss / (n - 1), within(EPS));
      }
    }
  }

  @Test
  void dropoutIsInvertedInTrainingAndOffInEvaluation() {
    int n = 10;
    int f = 100;
    ModelSpec spec =
        new ModelSpec(
            new long[] {f},
            List.of(new LayerSpec.Dropout(0.5)),
            List.of(HeadSpec.dense("out", HeadKind.REGRESSION, f)));
    Weights w = identityWeights(spec, Map.of());
    float[] ones = new float[n * f];
    java.util.Arrays.fill(ones, 1f);
    Batch b = batch("input", floats(ones, n, f), "t", floats(new float[n * f], n, f));
    OptimizerSpec tiny = OptimizerSpec.sgd(1e-12, 0);
    try (TrainingSession s = TestData.open(spec, w, lossSpec(loss("l", "mse", "out", "t")), tiny)) {
      // evaluation: identity, loss mean(1²) = 1
      assertThat(s.evalStep(b).loss().raw("l")).isCloseTo(1.0, within(1e-6));
      assertThat(s.evalStep(b).outputs().get("out").toFloatArray()).containsOnly(1f);
      // training: kept units are 2, dropped 0, so the loss is 4 × the kept fraction (≈ 0.5)
      double l = s.trainStep(b).raw("l");
      assertThat(l).isBetween(4 * 0.42, 4 * 0.58);
      assertThat(l / 4 * 1000).isCloseTo(Math.rint(l / 4 * 1000), within(1e-3));
    }
  }
}
