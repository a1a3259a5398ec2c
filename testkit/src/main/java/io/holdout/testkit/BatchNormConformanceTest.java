package io.holdout.testkit;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.loss;
import static io.holdout.checks.Fixtures.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.checks.Fixtures;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch norm with PyTorch's semantics, 1-d (features) and 2-d (channels): training normalises with
 * the batch mean and biased variance and moves the running statistics by momentum 0.1 towards the
 * batch mean and the <em>unbiased</em> variance; evaluation normalises with the running statistics
 * (epsilon 1e-5) and changes nothing.
 */
public abstract class BatchNormConformanceTest extends ConformanceBase {
  static final double EPS = 1e-5;

  /** {@code input -> batchnorm -> flatten} into an identity head, so the output is the normalised input. */
  static ModelSpec model(long[] input) {
    int n = (int) Tensor.elementCount(input);
    List<LayerSpec> trunk = new ArrayList<>(List.of(new LayerSpec.BatchNorm()));
    if (input.length > 1) {
      trunk.add(new LayerSpec.Flatten());
    }
    return new ModelSpec(input, trunk, List.of(HeadSpec.dense("out", HeadKind.REGRESSION, n)));
  }

  static Weights weights(ModelSpec spec, float[] gamma, float[] beta, float[] mean, float[] var) {
    int n = spec.head("out").units();
    String p = "trunk.0.";
    float[] eye = new float[n * n];
    for (int i = 0; i < n; i++) {
      eye[i * n + i] = 1;
    }
    int c = gamma.length;
    Map<String, Tensor> w = new LinkedHashMap<>();
    w.put(p + "weight", floats(gamma, c));
    w.put(p + "bias", floats(beta, c));
    w.put(p + "running_mean", floats(mean, c));
    w.put(p + "running_var", floats(var, c));
    w.put("heads.out.0.weight", floats(eye, n, n));
    w.put("heads.out.0.bias", floats(new float[n], n));
    return new Weights(w);
  }

  @Test
  void evaluationNormalisesWithRunningStatistics2d() {
    evaluation(new long[] {2, 2, 3});
  }

  @Test
  void evaluationNormalisesWithRunningStatistics1d() {
    evaluation(new long[] {2});
  }

  private void evaluation(long[] input) {
    ModelSpec spec = model(input);
    float[] gamma = {1.5f, -0.5f};
    float[] beta = {0.25f, 2f};
    float[] mean = {0.3f, -1f};
    float[] var = {2f, 0.5f};
    int n = 3;
    int per = (int) (Tensor.elementCount(input) / 2);
    SplittableRandom r = new SplittableRandom(3);
    long[] shape = batched(n, input);
    float[] x = Fixtures.normal(r, (int) Tensor.elementCount(shape), 2);
    int units = spec.head("out").units();
    Batch b = batch("input", floats(x, shape), "t", floats(new float[n * units], n, units));
    SessionSpec s = Fixtures.spec(spec, weights(spec, gamma, beta, mean, var), lossSpec(loss("l", "mse", "out", "t")), null);
    assumeSupported(s);
    try (TrainingSession session = open(s)) {
      float[] got = session.evalStep(b).outputs().get("out").toFloatArray();
      for (int i = 0; i < x.length; i++) {
        int ch = (i / per) % 2;
        double expected = (x[i] - mean[ch]) / Math.sqrt(var[ch] + EPS) * gamma[ch] + beta[ch];
        assertThat((double) got[i]).as("element %d", i).isCloseTo(expected, within(1e-5));
      }
      assertThat(session.weights().get("trunk.0.running_mean").toFloatArray()).containsExactly(mean);
    }
  }

  @Test
  void trainingUsesBatchStatisticsAndMovesRunningOnes2d() {
    training(new long[] {3, 2, 2}, 4);
  }

  @Test
  void trainingUsesBatchStatisticsAndMovesRunningOnes1d() {
    training(new long[] {3}, 5);
  }

  private void training(long[] input, int n) {
    ModelSpec spec = model(input);
    int c = (int) input[0];
    int per = (int) (Tensor.elementCount(input) / c);
    float[] gamma = new float[c];
    float[] mean = new float[c];
    float[] var = new float[c];
    java.util.Arrays.fill(gamma, 1f);
    java.util.Arrays.fill(var, 1f);
    Weights w = weights(spec, gamma, new float[c], mean, var);
    int units = spec.head("out").units();
    SessionSpec s = Fixtures.spec(spec, w, lossSpec(loss("l", "mse", "out", "t")), Fixtures.sgd(1e-9));
    assumeSupported(s);
    SplittableRandom r = new SplittableRandom(4);
    double[] rm = new double[c];
    double[] rv = new double[c];
    java.util.Arrays.fill(rv, 1);
    try (TrainingSession session = open(s)) {
      for (int step = 0; step < 2; step++) {
        long[] shape = batched(n, input);
        float[] x = Fixtures.normal(r, (int) Tensor.elementCount(shape), 3);
        for (int i = 0; i < x.length; i++) {
          x[i] += (i / per) % c; // a different mean per channel
        }
        Batch b = batch("input", floats(x, shape), "t", floats(new float[n * units], n, units));
        double[] mu = new double[c];
        double[] sq = new double[c];
        int count = n * per;
        for (int i = 0; i < x.length; i++) {
          mu[(i / per) % c] += x[i] / (double) count;
        }
        for (int i = 0; i < x.length; i++) {
          double d = x[i] - mu[(i / per) % c];
          sq[(i / per) % c] += d * d;
        }
        // MSE against 0 of the normalised values (gamma 1, beta 0): mean over channels of var/(var+eps)
        double expectedLoss = 0;
        for (int ch = 0; ch < c; ch++) {
          double biased = sq[ch] / count;
          expectedLoss += biased / (biased + EPS) / c;
          rm[ch] = 0.9 * rm[ch] + 0.1 * mu[ch];
          rv[ch] = 0.9 * rv[ch] + 0.1 * sq[ch] / (count - 1);
        }
        assertThat(session.trainStep(b).raw("l")).as("step %d loss", step).isCloseTo(expectedLoss, within(1e-5));
        Weights after = session.weights();
        Checks.allClose(after.get("trunk.0.running_mean").toFloatArray(), rm, 1e-5, 1e-6, "running mean, step " + step);
        Checks.allClose(after.get("trunk.0.running_var").toFloatArray(), rv, 1e-5, 1e-6, "running var, step " + step);
        // evaluation uses the running statistics and leaves them alone
        float[] got = session.evalStep(b).outputs().get("out").toFloatArray();
        for (int i = 0; i < x.length; i++) {
          int ch = (i / per) % c;
          assertThat((double) got[i]).isCloseTo((x[i] - rm[ch]) / Math.sqrt(rv[ch] + EPS), within(1e-4));
        }
        assertThat(session.weights().get("trunk.0.running_var").toFloatArray())
            .containsExactly(after.get("trunk.0.running_var").toFloatArray());
      }
    }
  }

  private static long[] batched(int n, long[] input) {
    long[] shape = new long[input.length + 1];
    shape[0] = n;
    System.arraycopy(input, 0, shape, 1, input.length);
    return shape;
  }
}
