package io.holdout.engine.pytorch;

import static io.holdout.engine.pytorch.TestData.batch;
import static io.holdout.engine.pytorch.TestData.floats;
import static io.holdout.engine.pytorch.TestData.longs;
import static io.holdout.engine.pytorch.TestData.loss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.pytorch.TorchLosses.Terms;
import io.holdout.losses.ResolvedLoss;
import io.holdout.losses.reference.ReferenceLosses;
import io.holdout.losses.reference.ReferenceMultiBox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss component computed by PyTorch on NDArrays against the pure-Java reference in the
 * losses module: value, per-sample values and gradient w.r.t. the prediction, for every reduction
 * and option, on fixed seeded inputs.
 */
class LossesTest {
  private static final double REL = 1e-5;

  /** One loss evaluated by PyTorch: value, per-sample values, gradient w.r.t. the prediction. */
  record Result(double value, float[] perSample, float[] grad) {}

  /** {@code c} compiled for a head that outputs the values per sample of {@code prediction}. */
  static LossComponent compile(LossComponentSpec c, Tensor prediction) {
    int units = (int) (prediction.elementCount() / prediction.dim(0));
    ModelSpec probe =
        new ModelSpec(
            new long[] {1},
            List.of(),
            List.of(HeadSpec.dense(c.output(), HeadKind.REGRESSION, units)));
    return LossComponent.compile(
        ResolvedLoss.resolve(new LossSpec(List.of(c)), probe).components().get(0));
  }

  static Result torch(LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
    LossComponent lc = compile(c, outputs.get(c.output()));
    lc.check(batch);
    try (NDManager m = manager()) {
      boolean mode = JniUtils.isGradMode();
      try {
        JniUtils.setGradMode(true);
        Map<String, NDArray> nd = new LinkedHashMap<>();
        outputs.forEach(
            (k, t) -> {
              NDArray a = Tensors.copy(m, t);
              a.setRequiresGradient(true);
              nd.put(k, a);
            });
        Terms terms = lc.terms(nd, batch, m, new Staging());
        NDArray v = terms.reduce(lc.reduction());
        JniUtils.backward((PtNDArray) v, (PtNDArray) m.ones(v.getShape()), false, false);
        JniUtils.setGradMode(false);
        return new Result(
            v.getFloat(),
            terms.perSample(lc.reduction()),
            nd.get(c.output()).getGradient().toFloatArray());
      } finally {
        JniUtils.setGradMode(mode);
      }
    }
  }

  static NDManager manager() {
    return new TorchRuntime().engine().newBaseManager(ai.djl.Device.cpu());
  }

  static void assertClose(double actual, double expected, String what) {
    assertThat(Math.abs(actual - expected))
        .as("%s: %s vs reference %s", what, actual, expected)
        .isLessThanOrEqualTo(REL * Math.abs(expected) + 1e-7);
  }

  static void assertAllClose(float[] actual, double[] expected, String what) {
    assertThat(actual).hasSize(expected.length);
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < actual.length; i++) {
      assertThat(Math.abs(actual[i] - expected[i]))
          .as("%s[%d]: %s vs reference %s", what, i, actual[i], expected[i])
          .isLessThanOrEqualTo(REL * Math.max(scale, Math.abs(expected[i])) + 1e-7);
    }
  }

  static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesReference(
      String name, LossComponentSpec c, Map<String, Tensor> outputs, Batch batch) {
    Result r = torch(c, outputs, batch);
    assertClose(r.value(), ReferenceLosses.value(c, outputs, batch), name + " value");
    assertAllClose(
        r.perSample(),
        toDoubles(ReferenceLosses.perSample(c, outputs, batch)),
        name + " per-sample");
    assertAllClose(r.grad(), ReferenceLosses.gradient(c, outputs, batch), name + " gradient");
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(7);
    int b = 6;

    // regression: differences of scale 2 cross the smooth L1 / Huber thresholds
    Map<String, Tensor> reg = Map.of("y", floats(TestData.normal(r, b * 3, 2), b, 3));
    Batch regBatch =
        batch("input", floats(new float[b], b, 1), "t", floats(TestData.normal(r, b * 3, 1), b, 3));
    for (String red : List.of("mean", "sum")) {
      out.add(
          Arguments.of("mse " + red, loss("l", "mse", "y", "t", "reduction", red), reg, regBatch));
      out.add(
          Arguments.of("mae " + red, loss("l", "mae", "y", "t", "reduction", red), reg, regBatch));
      for (double beta : new double[] {1.0, 0.5, 0.0}) {
        out.add(
            Arguments.of(
                "smooth_l1 beta=" + beta + " " + red,
                loss("l", "smooth_l1", "y", "t", "reduction", red, "beta", beta),
                reg,
                regBatch));
      }
      for (double delta : new double[] {1.0, 0.7}) {
        out.add(
            Arguments.of(
                "huber delta=" + delta + " " + red,
                loss("l", "huber", "y", "t", "reduction", red, "delta", delta),
                reg,
                regBatch));
      }
    }
    // a regression target stored flat against a [B, 1] output
    Map<String, Tensor> reg1 = Map.of("y", floats(TestData.normal(r, b, 1), b, 1));
    Batch flat = batch("t", floats(TestData.normal(r, b, 1), b));
    out.add(Arguments.of("mse [B,1] vs [B]", loss("l", "mse", "y", "t"), reg1, flat));

    // cross-entropy
    int n = 8;
    int classes = 5;
    Map<String, Tensor> logits =
        Map.of("c", floats(TestData.normal(r, n * classes, 2), n, classes));
    Batch ce = batch("y", longs(TestData.labels(r, n, classes), n));
    long[] withIgnored = TestData.labels(r, n, classes);
    withIgnored[1] = -100;
    withIgnored[5] = -100;
    Batch ceIgnored = batch("y", longs(withIgnored, n));
    long[] allIgnored = new long[n];
    java.util.Arrays.fill(allIgnored, -100);
    Batch ceAllIgnored = batch("y", longs(allIgnored, n));
    List<Double> weights = List.of(0.5, 2.0, 1.0, 1.5, 0.25);
    for (String red : List.of("mean", "sum")) {
      out.add(
          Arguments.of(
              "cross_entropy " + red,
              loss("l", "cross_entropy", "c", "y", "reduction", red),
              logits,
              ce));
      out.add(
          Arguments.of(
              "cross_entropy weights " + red,
              loss("l", "cross_entropy", "c", "y", "reduction", red, "class_weights", weights),
              logits,
              ce));
      out.add(
          Arguments.of(
              "cross_entropy smoothing " + red,
              loss("l", "cross_entropy", "c", "y", "reduction", red, "label_smoothing", 0.1),
              logits,
              ce));
      out.add(
          Arguments.of(
              "cross_entropy weights+smoothing+ignored " + red,
              loss(
                  "l",
                  "cross_entropy",
                  "c",
                  "y",
                  "reduction",
                  red,
                  "class_weights",
                  weights,
                  "label_smoothing",
                  0.2),
              logits,
              ceIgnored));
      out.add(
          Arguments.of(
              "cross_entropy ignore_index=2 " + red,
              loss("l", "cross_entropy", "c", "y", "reduction", red, "ignore_index", 2),
              logits,
              ce));
      out.add(
          Arguments.of(
              "cross_entropy all ignored " + red,
              loss("l", "cross_entropy", "c", "y", "reduction", red),
              logits,
              ceAllIgnored));
    }

    // binary cross-entropy with logits: hard and soft targets
    Map<String, Tensor> bl = Map.of("m", floats(TestData.normal(r, b * 4, 3), b, 4));
    float[] hard = new float[b * 4];
    for (int i = 0; i < hard.length; i++) {
      hard[i] = r.nextBoolean() ? 1 : 0;
    }
    Batch bceHard = batch("t", floats(hard, b, 4));
    Batch bceSoft = batch("t", floats(TestData.uniform(r, b * 4, 0, 1), b, 4));
    for (String red : List.of("mean", "sum")) {
      for (double pw : new double[] {1.0, 2.5}) {
        out.add(
            Arguments.of(
                "binary_cross_entropy pos_weight=" + pw + " hard " + red,
                loss("l", "binary_cross_entropy", "m", "t", "reduction", red, "pos_weight", pw),
                bl,
                bceHard));
        out.add(
            Arguments.of(
                "binary_cross_entropy pos_weight=" + pw + " soft " + red,
                loss("l", "binary_cross_entropy", "m", "t", "reduction", red, "pos_weight", pw),
                bl,
                bceSoft));
      }
    }

    // focal
    for (String red : List.of("mean", "sum")) {
      for (double gamma : new double[] {2.0, 0.0, 0.5}) {
        out.add(
            Arguments.of(
                "focal gamma=" + gamma + " " + red,
                loss("l", "focal", "c", "y", "reduction", red, "gamma", gamma),
                logits,
                ce));
      }
      out.add(
          Arguments.of(
              "focal alpha " + red,
              loss("l", "focal", "c", "y", "reduction", red, "alpha", weights),
              logits,
              ce));
    }

    // MultiBox: 3 images of 12 anchors, 3 object classes + background; image 2 has no positive
    int images = 3;
    int anchors = 12;
    int confClasses = 4;
    long[] anchorLabels = new long[images * anchors];
    for (int i = 0; i < anchors; i++) {
      anchorLabels[i] = i % 4 == 1 ? 1 + (i % 3) : 0;
      anchorLabels[anchors + i] = i == 7 ? 3 : 0;
    }
    Map<String, Tensor> boxes =
        Map.of(
            "loc", floats(TestData.normal(r, images * anchors * 4, 1.5), images, anchors, 4),
            "conf",
                floats(
                    TestData.normal(r, images * anchors * confClasses, 2),
                    images,
                    anchors,
                    confClasses));
    Batch det =
        batch(
            "boxes",
            floats(TestData.normal(r, images * anchors * 4, 1), images, anchors, 4),
            "labels",
            longs(anchorLabels, images, anchors));
    Batch noPositives =
        batch(
            "boxes",
            floats(TestData.normal(r, images * anchors * 4, 1), images, anchors, 4),
            "labels",
            longs(new long[images * anchors], images, anchors));
    for (String red : List.of("mean", "sum")) {
      out.add(
          Arguments.of(
              "multibox_loc " + red,
              loss("l", "multibox_loc", "loc", "boxes", "reduction", red),
              boxes,
              det));
      for (double ratio : new double[] {3, 1, 0.5, 0}) {
        out.add(
            Arguments.of(
                "multibox_conf ratio=" + ratio + " " + red,
                loss(
                    "l",
                    "multibox_conf",
                    "conf",
                    "labels",
                    "reduction",
                    red,
                    "neg_pos_ratio",
                    ratio),
                boxes,
                det));
      }
      out.add(
          Arguments.of(
              "multibox_loc no positives " + red,
              loss("l", "multibox_loc", "loc", "boxes", "reduction", red),
              boxes,
              noPositives));
      out.add(
          Arguments.of(
              "multibox_conf no positives " + red,
              loss("l", "multibox_conf", "conf", "labels", "reduction", red),
              boxes,
              noPositives));
    }
    return out.stream();
  }

  @Test
  void mseGradientMatchesReference() {
    SplittableRandom r = new SplittableRandom(3);
    float[] p = TestData.normal(r, 12, 1);
    float[] t = TestData.normal(r, 12, 1);
    Result res =
        torch(
            loss("l", "mse", "y", "t"), Map.of("y", floats(p, 4, 3)), batch("t", floats(t, 4, 3)));
    assertAllClose(res.grad(), ReferenceLosses.mseGrad(p, t), "mse gradient");
    assertClose(res.value(), ReferenceLosses.mse(p, t), "mse");
  }

  @Test
  void crossEntropyGradientMatchesReference() {
    SplittableRandom r = new SplittableRandom(4);
    float[] logits = TestData.normal(r, 18, 2);
    long[] y = TestData.labels(r, 6, 3);
    Result res =
        torch(
            loss("l", "cross_entropy", "c", "y"),
            Map.of("c", floats(logits, 6, 3)),
            batch("y", longs(y, 6)));
    assertAllClose(
        res.grad(), ReferenceLosses.crossEntropyGrad(logits, 3, y), "cross-entropy gradient");
  }

  @Test
  void hardNegativeMiningSelectsLikeTheReference() {
    SplittableRandom r = new SplittableRandom(5);
    int images = 4;
    int anchors = 50;
    int classes = 3;
    float[] conf = TestData.normal(r, images * anchors * classes, 2);
    // ties: anchors 10..19 of image 0 share one background loss
    for (int a = 10; a < 20; a++) {
      System.arraycopy(conf, 10 * classes, conf, a * classes, classes);
    }
    long[] labels = new long[images * anchors];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(10) == 0 ? 1 + r.nextInt(classes - 1) : 0;
    }
    labels[0] = 1; // image 0 has at least one positive
    float[] logP0 = new float[images * anchors];
    for (int i = 0; i < logP0.length; i++) {
      logP0[i] = (float) ReferenceLosses.logSoftmax(conf, i * classes, classes)[0];
    }
    for (double ratio : new double[] {3, 1.5, 100}) {
      assertThat(TorchLosses.mineNegatives(logP0, labels, images, anchors, ratio))
          .as("ratio %s", ratio)
          .containsExactly(
              ReferenceMultiBox.selected(conf, labels, images, anchors, classes, ratio));
    }
  }

  @Test
  void miningOrdersLikeDoubleCompareWithTiesToTheLowerIndex() {
    // highest loss first: -5, then the tie at -2 by index, then -0.0 before 0.0; NaN sorts last
    float[] logP0 = {0.0f, -0.0f, -2f, -2f, Float.NaN, -5f, -1f};
    long[] labels = {0, 0, 0, 0, 0, 0, 1};
    assertThat(TorchLosses.mineNegatives(logP0, labels, 1, 7, 4))
        .containsExactly(false, true, true, true, false, true, true);
    assertThat(TorchLosses.mineNegatives(logP0, labels, 1, 7, 5))
        .containsExactly(true, true, true, true, false, true, true);
  }

  @Test
  void multiboxWithoutPositivesIsZero() {
    SplittableRandom r = new SplittableRandom(6);
    Map<String, Tensor> out = Map.of("conf", floats(TestData.normal(r, 2 * 5 * 3, 1), 2, 5, 3));
    Batch bt = batch("labels", longs(new long[10], 2, 5));
    Result res = torch(loss("l", "multibox_conf", "conf", "labels"), out, bt);
    assertThat(res.value()).isZero();
    assertThat(res.grad()).containsOnly(0f);
  }

  @Test
  void labelOutsideTheClassesFailsNamingTheLoss() {
    Map<String, Tensor> out = Map.of("c", floats(new float[6], 2, 3));
    Batch bt = batch("y", longs(new long[] {0, 3}, 2));
    assertThatThrownBy(() -> torch(loss("cls", "cross_entropy", "c", "y"), out, bt))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("loss 'cls'")
        .hasMessageContaining("label 3");
  }

  @Test
  void sizeMismatchFailsNamingOutputAndTarget() {
    Map<String, Tensor> out = Map.of("y", floats(new float[6], 2, 3));
    Batch bt = batch("t", floats(new float[4], 2, 2));
    assertThatThrownBy(() -> torch(loss("reg", "mse", "y", "t"), out, bt))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("loss 'reg'")
        .hasMessageContaining("target 't'");
  }

  @Test
  void badParameterFailsAtCompile() {
    Tensor y = floats(new float[2], 2, 1);
    assertThatThrownBy(() -> compile(loss("r", "huber", "y", "t", "delta", -1.0), y))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("delta");
    assertThatThrownBy(() -> compile(loss("r", "mse", "y", "t", "reduction", "max"), y))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("reduction");
  }
}
