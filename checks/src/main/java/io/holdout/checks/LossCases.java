package io.holdout.checks;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static io.holdout.checks.Fixtures.loss;

import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.ReferenceCases;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The loss catalogue's numerics cases: the losses module's hand-checked cases, then seeded cases of
 * every type, reduction and option, each a component reading output {@code out}, the prediction and
 * the batch of targets; then seeded cases of every loss type the plugins on the class path register.
 */
public final class LossCases {
  private LossCases() {}

  /** One loss input. */
  public record LossCase(String title, LossComponentSpec spec, Tensor prediction, Batch batch) {
    @Override
    public String toString() {
      return title;
    }
  }

  /** The losses module's hand-checked cases, then seeded cases of every type, reduction and option. */
  public static List<LossCase> all() {
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

    // every loss type a plugin registered: its expression on seeded numbers or class logits
    for (var e : io.holdout.api.extension.Extensions.installed().losses().entrySet()) {
      boolean byClass = e.getValue().atDefaults().target() == io.holdout.api.data.TargetKind.CLASS;
      Tensor pred = byClass ? floats(Fixtures.normal(r, n * classes, 2), n, classes)
          : floats(Fixtures.normal(r, b * 3, 1.5), b, 3);
      Batch targets = byClass ? batch("y", longs(Fixtures.labels(r, n, classes), n))
          : batch("y", floats(Fixtures.normal(r, b * 3, 1), b, 3));
      for (String red : reductions) {
        out.add(c(e.getKey() + " (plugin) " + red, loss("l", e.getKey(), "out", "y", "reduction", red), pred,
            targets));
      }
    }
    return List.copyOf(out);
  }

  /** The cases of the given loss types. */
  public static List<LossCase> ofTypes(Set<String> types) {
    return all().stream().filter(c -> types.contains(c.spec().type())).toList();
  }

  private static LossCase c(String title, LossComponentSpec spec, Tensor prediction, Batch batch) {
    return new LossCase(title, spec, prediction, batch);
  }
}
