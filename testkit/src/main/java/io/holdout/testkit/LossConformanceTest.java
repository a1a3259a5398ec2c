package io.holdout.testkit;

import static io.holdout.testkit.Fixtures.batch;
import static io.holdout.testkit.Fixtures.floats;
import static io.holdout.testkit.Fixtures.longs;
import static io.holdout.testkit.Fixtures.loss;
import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.ReferenceCases;
import io.holdout.losses.reference.ReferenceLosses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss type the backend declares, with every reduction and option, against the pure-Java
 * reference ({@link ReferenceLosses}): the value, each sample's value and the gradient with respect
 * to the prediction, within {@value #REL} relative.
 *
 * <p>The prediction is fed through a probe model whose output is exactly a given tensor: the
 * input is the one-hot id of each sample ({@code [B, B]} identity) and the only layer a dense head
 * whose weight {@code [units, B]} holds the prediction, transposed, with zero bias. The evaluation
 * step gives value and per-sample values; one plain SGD step at learning rate {@value #PROBE_LR}
 * then changes that weight by exactly {@code -lr · dLoss/dPrediction}, element by element.
 */
public abstract class LossConformanceTest extends ConformanceBase {
  /** Relative tolerance of values and gradients. */
  public static final double REL = 1e-5;

  static final double ABS = 1e-7;

  static final double PROBE_LR = 1000;

  /** One loss input: a component reading output {@code out}, the prediction and the batch of targets. */
  public record LossCase(String title, LossComponentSpec spec, Tensor prediction, Batch batch) {
    @Override
    public String toString() {
      return title;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.LossConformanceTest#cases")
  void matchesTheReference(LossCase c) {
    LossSpec loss = new LossSpec(List.of(c.spec()));
    assumeLosses(loss);
    Map<String, Tensor> outputs = Map.of(c.spec().output(), c.prediction());
    double value = ReferenceLosses.value(c.spec(), outputs, c.batch());
    float[] perSample = ReferenceLosses.perSample(c.spec(), outputs, c.batch());
    double[] grad = ReferenceLosses.gradient(c.spec(), outputs, c.batch());

    int b = c.batch().size();
    int units = (int) (c.prediction().elementCount() / b);
    ModelSpec model = new ModelSpec(new long[] {b}, List.of(),
        List.of(HeadSpec.dense(c.spec().output(), HeadKind.REGRESSION, units)));
    String weightName = "heads." + c.spec().output() + ".0.weight";
    float[] pred = c.prediction().toFloatArray();
    float[] w = new float[units * b];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < units; j++) {
        w[j * b + i] = pred[i * units + j];
      }
    }
    Map<String, Tensor> weights = new LinkedHashMap<>();
    weights.put(weightName, floats(w, units, b));
    weights.put("heads." + c.spec().output() + ".0.bias", Tensor.zeros(DType.FLOAT32, units));
    float[] eye = new float[b * b];
    for (int i = 0; i < b; i++) {
      eye[i * b + i] = 1;
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>(c.batch().tensors());
    tensors.put(Batch.INPUT, floats(eye, b, b));
    Batch probe = new Batch(c.batch().ids(), tensors);

    String name = c.spec().name();
    SessionSpec spec = Fixtures.spec(model, new Weights(weights), loss,
        caps().training() ? Fixtures.sgd(PROBE_LR) : null);
    try (TrainingSession s = open(spec)) {
      EvalResult r = s.evalStep(probe);
      assertThat(r.outputs().get(c.spec().output()).toFloatArray()).as("probe output").containsExactly(pred);
      Checks.close(r.loss().raw(name), value, REL, ABS, c.title() + " value");
      Checks.allClose(r.perSampleLosses().get(name), Fixtures.toDoubles(perSample), REL, ABS,
          c.title() + " per-sample values");
      if (!caps().training()) {
        return;
      }
      Checks.close(s.trainStep(probe).raw(name), value, REL, ABS, c.title() + " training-step value");
      float[] after = s.weights().get(weightName).toFloatArray();
      float[] g = new float[grad.length];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < units; j++) {
          g[i * units + j] = (float) (((double) w[j * b + i] - after[j * b + i]) / PROBE_LR);
        }
      }
      Checks.allClose(g, grad, REL, ABS, c.title() + " gradient");
    }
  }

  /** The losses module's hand-checked cases, then seeded cases of every type, reduction and option. */
  static Stream<LossCase> cases() {
    List<LossCase> out = new ArrayList<>();
    for (ReferenceCases.Case rc : ReferenceCases.all()) {
      out.add(new LossCase("reference " + rc.title(), rc.spec(), rc.outputs().get(rc.spec().output()),
          rc.batch()));
    }
    SplittableRandom r = new SplittableRandom(7);
    List<String> reductions = List.of("mean", "sum");

    // regression: differences of scale 2 cross the smooth L1 / Huber thresholds
    int b = 6;
    Tensor reg = floats(Fixtures.normal(r, b * 3, 2), b, 3);
    Batch regBatch = batch("t", floats(Fixtures.normal(r, b * 3, 1), b, 3));
    for (String red : reductions) {
      out.add(c("mse " + red, loss("l", "mse", "out", "t", "reduction", red), reg, regBatch));
      out.add(c("mae " + red, loss("l", "mae", "out", "t", "reduction", red), reg, regBatch));
      for (double beta : new double[] {1.0, 0.5, 0.0}) {
        out.add(c("smooth_l1 beta=" + beta + " " + red,
            loss("l", "smooth_l1", "out", "t", "reduction", red, "beta", beta), reg, regBatch));
      }
      for (double delta : new double[] {1.0, 0.7}) {
        out.add(c("huber delta=" + delta + " " + red,
            loss("l", "huber", "out", "t", "reduction", red, "delta", delta), reg, regBatch));
      }
    }
    out.add(c("mse [B,1] against a flat [B] target", loss("l", "mse", "out", "t"),
        floats(Fixtures.normal(r, b, 1), b, 1), batch("t", floats(Fixtures.normal(r, b, 1), b))));
    long[] whole = new long[b * 3];
    for (int i = 0; i < whole.length; i++) {
      whole[i] = r.nextInt(5) - 2;
    }
    out.add(c("mse against an integer target", loss("l", "mse", "out", "t"), reg, batch("t", longs(whole, b, 3))));

    // cross-entropy and focal: 8 samples, 5 classes
    int n = 8;
    int classes = 5;
    Tensor logits = floats(Fixtures.normal(r, n * classes, 2), n, classes);
    long[] y = Fixtures.labels(r, n, classes);
    Batch ce = batch("y", longs(y, n));
    int[] y32 = new int[n];
    for (int i = 0; i < n; i++) {
      y32[i] = (int) y[i];
    }
    Batch ce32 = batch("y", Tensor.ofInts(new long[] {n}, y32));
    long[] someIgnored = Fixtures.labels(r, n, classes);
    someIgnored[1] = -100;
    someIgnored[5] = -100;
    Batch ceIgnored = batch("y", longs(someIgnored, n));
    long[] allIgnored = new long[n];
    Arrays.fill(allIgnored, -100);
    Batch ceAllIgnored = batch("y", longs(allIgnored, n));
    List<Double> weights = List.of(0.5, 2.0, 1.0, 1.5, 0.25);
    for (String red : reductions) {
      out.add(c("cross_entropy " + red, loss("l", "cross_entropy", "out", "y", "reduction", red), logits, ce));
      out.add(c("cross_entropy class_weights " + red,
          loss("l", "cross_entropy", "out", "y", "reduction", red, "class_weights", weights), logits, ce));
      out.add(c("cross_entropy label_smoothing " + red,
          loss("l", "cross_entropy", "out", "y", "reduction", red, "label_smoothing", 0.1), logits, ce));
      out.add(c("cross_entropy weights+smoothing+ignored " + red,
          loss("l", "cross_entropy", "out", "y", "reduction", red, "class_weights", weights,
              "label_smoothing", 0.2), logits, ceIgnored));
      out.add(c("cross_entropy ignore_index=2 " + red,
          loss("l", "cross_entropy", "out", "y", "reduction", red, "ignore_index", 2), logits, ce));
      out.add(c("cross_entropy all ignored " + red,
          loss("l", "cross_entropy", "out", "y", "reduction", red), logits, ceAllIgnored));
      for (double gamma : new double[] {2.0, 0.0, 0.5}) {
        out.add(c("focal gamma=" + gamma + " " + red,
            loss("l", "focal", "out", "y", "reduction", red, "gamma", gamma), logits, ce));
      }
      out.add(c("focal alpha " + red, loss("l", "focal", "out", "y", "reduction", red, "alpha", weights), logits, ce));
    }
    out.add(c("cross_entropy INT32 labels", loss("l", "cross_entropy", "out", "y"), logits, ce32));

    // binary cross-entropy with logits: hard and soft targets
    Tensor bl = floats(Fixtures.normal(r, b * 4, 3), b, 4);
    float[] hard = new float[b * 4];
    for (int i = 0; i < hard.length; i++) {
      hard[i] = r.nextBoolean() ? 1 : 0;
    }
    Batch bceHard = batch("t", floats(hard, b, 4));
    Batch bceSoft = batch("t", floats(Fixtures.uniform(r, b * 4, 0, 1), b, 4));
    for (String red : reductions) {
      for (double pw : new double[] {1.0, 2.5}) {
        out.add(c("binary_cross_entropy pos_weight=" + pw + " hard " + red,
            loss("l", "binary_cross_entropy", "out", "t", "reduction", red, "pos_weight", pw), bl, bceHard));
        out.add(c("binary_cross_entropy pos_weight=" + pw + " soft " + red,
            loss("l", "binary_cross_entropy", "out", "t", "reduction", red, "pos_weight", pw), bl, bceSoft));
      }
    }

    // MultiBox: 3 images of 12 anchors, background + 3 classes; image 2 has no positive; anchors 2..6
    // of image 0 share one background loss, so mining must break ties by the lower anchor index
    int images = 3;
    int anchors = 12;
    int confClasses = 4;
    long[] anchorLabels = new long[images * anchors];
    for (int i = 0; i < anchors; i++) {
      anchorLabels[i] = i % 6 == 1 ? 1 + (i % 3) : 0;
      anchorLabels[anchors + i] = i == 7 ? 3 : 0;
    }
    float[] conf = Fixtures.normal(r, images * anchors * confClasses, 2);
    for (int a = 3; a <= 6; a++) {
      System.arraycopy(conf, 2 * confClasses, conf, a * confClasses, confClasses);
    }
    Tensor loc = floats(Fixtures.normal(r, images * anchors * 4, 1.5), images, anchors, 4);
    Tensor confT = floats(conf, images, anchors, confClasses);
    Batch det = batch("boxes", floats(Fixtures.normal(r, images * anchors * 4, 1), images, anchors, 4),
        "labels", longs(anchorLabels, images, anchors));
    Batch noPositives = batch("boxes", floats(Fixtures.normal(r, images * anchors * 4, 1), images, anchors, 4),
        "labels", longs(new long[images * anchors], images, anchors));
    for (String red : reductions) {
      out.add(c("multibox_loc " + red, loss("l", "multibox_loc", "out", "boxes", "reduction", red), loc, det));
      for (double ratio : new double[] {3, 1, 0.5, 0}) {
        out.add(c("multibox_conf neg_pos_ratio=" + ratio + " " + red,
            loss("l", "multibox_conf", "out", "labels", "reduction", red, "neg_pos_ratio", ratio), confT, det));
      }
      out.add(c("multibox_loc no positives " + red,
          loss("l", "multibox_loc", "out", "boxes", "reduction", red), loc, noPositives));
      out.add(c("multibox_conf no positives " + red,
          loss("l", "multibox_conf", "out", "labels", "reduction", red), confT, noPositives));
    }
    return out.stream();
  }

  private static LossCase c(String title, LossComponentSpec spec, Tensor prediction, Batch batch) {
    return new LossCase(title, spec, prediction, batch);
  }
}
