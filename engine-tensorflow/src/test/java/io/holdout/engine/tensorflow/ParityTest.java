package io.holdout.engine.tensorflow;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * TensorFlow against PyTorch on the same experiments: identical initial weights ({@code
 * Weights.initialize(spec, seed)}), identical batches and seeds (dropout masks are drawn the same
 * way by both engines). First-step loss components agree within 1e-5 relative; over 50 SGD and 50
 * Adam/AdamW steps every step's loss components agree within 1e-4 relative and every weight after
 * every step within 1e-4 absolute (a failure names the first step that parts); weights trained on
 * one engine evaluate to the same loss and outputs on the other. The figures are printed with the prefix {@code [parity]}.
 */
class ParityTest {
  static final int N = 8;

  /** Image input through every layer type into four heads. */
  static ModelSpec multiTask() {
    return new ModelSpec(new long[] {2, 8, 8},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2), new LayerSpec.Dropout(0.25), new LayerSpec.Flatten(),
            new LayerSpec.Dense(16), new LayerSpec.BatchNorm(), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("reg", HeadKind.REGRESSION, 2), HeadSpec.dense("cls", HeadKind.CLASSIFICATION, 3),
            HeadSpec.dense("tags", HeadKind.REGRESSION, 4), HeadSpec.dense("aux", HeadKind.CLASSIFICATION, 3)));
  }

  /**
   * The same layers, but every bias feeds a ReLU before batch norm. A bias feeding batch norm
   * directly has a true gradient of exactly 0; Adam divides its float noise (~1e-9) by its own
   * root mean square and moves it by about lr per step in a random direction on each engine, so
   * such tensors diverge as noise would. With the ReLU first every gradient is real.
   */
  static ModelSpec multiTaskForAdam() {
    return new ModelSpec(new long[] {2, 8, 8},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.BatchNorm(),
            new LayerSpec.MaxPool(2, 2), new LayerSpec.Dropout(0.25), new LayerSpec.Flatten(),
            new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.BatchNorm()),
        multiTask().heads());
  }

  static LossSpec multiTaskLoss() {
    return new LossSpec(List.of(
        new LossComponentSpec("regression", "mse", 1.0, "reg", "r", Map.of()),
        new LossComponentSpec("robust", "huber", 0.5, "reg", "r", Map.of("delta", 0.5)),
        new LossComponentSpec("classification", "cross_entropy", 1.0, "cls", "c",
            Map.of("label_smoothing", 0.1, "class_weights", List.of(1.0, 2.0, 0.5))),
        new LossComponentSpec("tagging", "binary_cross_entropy", 0.3, "tags", "m", Map.of("pos_weight", 2.0)),
        new LossComponentSpec("focus", "focal", 0.2, "aux", "c", Map.of("gamma", 2.0))));
  }

  static Batch batchOf(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] m = new float[N * 4];
    for (int i = 0; i < m.length; i++) {
      m[i] = r.nextBoolean() ? 1 : 0;
    }
    return batch("input", floats(Fixtures.normal(r, N * 128, 1), N, 2, 8, 8),
        "r", floats(Fixtures.normal(r, N * 2, 1), N, 2),
        "c", longs(Fixtures.labels(r, N, 3), N),
        "m", floats(m, N, 4));
  }

  /**
   * An SSD-like model: multi-scale box and class heads over two feature maps (8×8 and 4×4, 2
   * anchors per cell: 160 anchors), background + 2 classes.
   */
  static ModelSpec detector() {
    return new ModelSpec(new long[] {1, 8, 8},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu()),
        List.of(HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(1, 4), 2),
            HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 3, List.of(1, 4), 2)));
  }

  static LossSpec detectorLoss() {
    return new LossSpec(List.of(
        new LossComponentSpec("localisation", "multibox_loc", 1.0, "loc", "boxes", Map.of("labels", "labels")),
        new LossComponentSpec("confidence", "multibox_conf", 1.0, "conf", "labels", Map.of("neg_pos_ratio", 3))));
  }

  static Batch detections(long seed) {
    int anchors = 160;
    SplittableRandom r = new SplittableRandom(seed);
    long[] labels = new long[N * anchors];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(10) == 0 ? 1 + r.nextInt(2) : 0;
    }
    return batch("input", floats(Fixtures.normal(r, N * 64, 1), N, 1, 8, 8),
        "boxes", floats(Fixtures.normal(r, N * anchors * 4, 1), N, anchors, 4),
        "labels", longs(labels, N, anchors));
  }

  static TrainingSession open(Backend b, ModelSpec m, Weights w, LossSpec l, OptimizerSpec o) {
    return b.open(Fixtures.spec(m, w, l, o, 5));
  }

  static double relDiff(double a, double b) {
    return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  }

  static double maxRelDiff(LossBreakdown a, LossBreakdown b) {
    double worst = 0;
    for (String k : b.raw().keySet()) {
      worst = Math.max(worst, relDiff(a.raw(k), b.raw(k)));
    }
    return worst;
  }

  /** Largest absolute difference and the largest difference relative to each tensor's scale. */
  static double[] weightDiffs(Weights a, Weights b) {
    double abs = 0;
    double rel = 0;
    for (Map.Entry<String, Tensor> e : b.tensors().entrySet()) {
      float[] x = a.get(e.getKey()).toFloatArray();
      float[] y = e.getValue().toFloatArray();
      double scale = 1e-12;
      for (float v : y) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < x.length; i++) {
        abs = Math.max(abs, Math.abs(x[i] - y[i]));
        rel = Math.max(rel, Math.abs(x[i] - y[i]) / scale);
      }
    }
    return new double[] {abs, rel};
  }

  static void report(String what, double value) {
    System.out.printf(Locale.ROOT, "[parity] %-58s %.3e%n", what, value);
  }

  @Test
  void firstStepLossComponentsAgree() {
    ModelSpec spec = multiTask();
    Weights w0 = Weights.initialize(spec, 21);
    Batch b = batchOf(1);
    OptimizerSpec opt = Fixtures.optimizer("sgd", 0.05, 0.9, true, 1e-3, 1.0);
    try (TrainingSession tf = open(TestBackends.TENSORFLOW, spec, w0, multiTaskLoss(), opt);
         TrainingSession pt = open(TestBackends.PYTORCH, spec, w0, multiTaskLoss(), opt)) {
      EvalResult et = tf.evalStep(b);
      EvalResult ep = pt.evalStep(b);
      double evalDiff = maxRelDiff(et.loss(), ep.loss());
      LossBreakdown lt = tf.trainStep(b);
      LossBreakdown lp = pt.trainStep(b);
      double trainDiff = maxRelDiff(lt, lp);
      report("first training step, loss components (max rel)", trainDiff);
      report("first evaluation step, loss components (max rel)", evalDiff);
      assertThat(trainDiff).isLessThanOrEqualTo(1e-5);
      assertThat(evalDiff).isLessThanOrEqualTo(1e-5);
      assertThat(lt.raw().keySet()).containsExactlyElementsOf(lp.raw().keySet());
    }
  }

  @Test
  void weightsAgreeAfter50SgdSteps() {
    trainBoth("sgd (momentum, nesterov, wd, clip)", multiTask(), multiTaskLoss(),
        Fixtures.optimizer("sgd", 0.05, 0.9, true, 1e-3, 1.0), ParityTest::batchOf);
  }

  @Test
  void weightsAgreeAfter50AdamSteps() {
    trainBoth("adam (L2 wd)", multiTaskForAdam(), multiTaskLoss(),
        Fixtures.optimizer("adam", 0.005, 0, false, 1e-3, 0), ParityTest::batchOf);
  }

  @Test
  void weightsAgreeAfter50AdamWStepsWithClipping() {
    trainBoth("adamw (decoupled wd, clip)", multiTaskForAdam(), multiTaskLoss(),
        Fixtures.optimizer("adamw", 0.005, 0, false, 0.01, 0.5), ParityTest::batchOf);
  }

  @Test
  void multiBoxTrainingAgrees() {
    trainBoth("sgd, multi-scale heads, multibox_loc + multibox_conf", detector(), detectorLoss(),
        Fixtures.optimizer("sgd", 0.05, 0.9, false, 0, 0), ParityTest::detections);
  }

  @Test
  void trainingStateMovesBetweenEnginesBothWays() {
    ModelSpec spec = multiTaskForAdam();
    OptimizerSpec opt = Fixtures.optimizer("adam", 0.005, 0, false, 1e-3, 0);
    Weights w0 = Weights.initialize(spec, 23);
    double worst = 0;
    for (boolean fromTf : new boolean[] {true, false}) {
      Backend first = fromTf ? TestBackends.TENSORFLOW : TestBackends.PYTORCH;
      Backend second = fromTf ? TestBackends.PYTORCH : TestBackends.TENSORFLOW;
      try (TrainingSession a = open(first, spec, w0, multiTaskLoss(), opt)) {
        for (int step = 0; step < 5; step++) {
          a.trainStep(batchOf(200 + step));
        }
        try (TrainingSession b = open(second, spec, a.weights(), multiTaskLoss(), opt)) {
          b.loadTrainingState(a.trainingState());
          Divergence track = new Divergence("resumed on " + second.name(), "continued on " + first.name());
          for (int step = 5; step < 10; step++) {
            LossBreakdown la = a.trainStep(batchOf(200 + step));
            LossBreakdown lb = b.trainStep(batchOf(200 + step));
            for (String c : la.raw().keySet()) {
              double rel = relDiff(lb.raw(c), la.raw(c));
              track.see(step, "loss component " + c, lb.raw(c), la.raw(c), rel, rel <= 1e-5);
            }
          }
          worst = Math.max(worst, track.worst);
          assertThat(track.first).as("first step where the resumed run parts").isNull();
          double[] d = weightDiffs(b.weights(), a.weights());
          report("resume on the other engine (" + (fromTf ? "tf->pt" : "pt->tf") + "), weights (max abs)", d[0]);
          assertThat(d[0]).isLessThanOrEqualTo(1e-5);
          assertThat(b.trainingState().keySet()).containsExactlyInAnyOrderElementsOf(a.trainingState().keySet());
        }
      }
    }
    report("resume on the other engine, loss components (max rel)", worst);
  }

  interface Batches {
    Batch get(long seed);
  }

  /**
   * 50 steps on both engines over 5 rotating batches, a learning-rate drop at step 30. Every step
   * compares every loss component (within {@link #STEP_LOSS} relative, {@link #STEP_LOSS_FLOOR}
   * absolute near 0) and, after the update, every weight (within {@link #STEP_WEIGHTS} absolute);
   * a failure names the first step and the component or tensor where the engines part.
   */
  private static void trainBoth(String name, ModelSpec spec, LossSpec loss, OptimizerSpec opt, Batches batches) {
    Weights w0 = Weights.initialize(spec, 22);
    List<Batch> data = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      data.add(batches.get(100 + i));
    }
    Divergence lossTrack = new Divergence("tensorflow", "pytorch");
    Divergence weightTrack = new Divergence("tensorflow", "pytorch");
    try (TrainingSession tf = open(TestBackends.TENSORFLOW, spec, w0, loss, opt);
         TrainingSession pt = open(TestBackends.PYTORCH, spec, w0, loss, opt)) {
      for (int step = 0; step < STEPS; step++) {
        if (step == 30) {
          tf.setLearningRate(opt.lr() / 3);
          pt.setLearningRate(opt.lr() / 3);
        }
        Batch b = data.get(step % data.size());
        LossBreakdown lt = tf.trainStep(b);
        LossBreakdown lp = pt.trainStep(b);
        double lossLimit = step == 0 ? FIRST_STEP_LOSS : STEP_LOSS;
        for (String c : lp.raw().keySet()) {
          double diff = Math.abs(lt.raw(c) - lp.raw(c));
          lossTrack.see(step, "loss component " + c, lt.raw(c), lp.raw(c),
              diff / Math.max(Math.abs(lp.raw(c)), 1e-12), diff <= lossLimit * Math.abs(lp.raw(c)) + STEP_LOSS_FLOOR);
        }
        Weights wt = tf.weights();
        for (Map.Entry<String, Tensor> e : pt.weights().tensors().entrySet()) {
          float[] x = wt.get(e.getKey()).toFloatArray();
          float[] y = e.getValue().toFloatArray();
          for (int i = 0; i < x.length; i++) {
            double diff = Math.abs(x[i] - y[i]);
            weightTrack.see(step, e.getKey() + "[" + i + "]", x[i], y[i], diff, diff <= STEP_WEIGHTS);
          }
        }
        if (Boolean.getBoolean("parity.debug")) {
          System.out.println("[debug] " + step + " tf " + lt + " pt " + lp);
        }
      }
      report(name + ": loss components, worst step (max rel)", lossTrack.worst);
      report(name + ": weights, worst step (max abs)", weightTrack.worst);
      double[] d = weightDiffs(tf.weights(), pt.weights());
      report(name + ": weights after " + STEPS + " steps (max rel to tensor)", d[1]);
      assertThat(lossTrack.first).as(name + ": first step where a loss component parts").isNull();
      assertThat(weightTrack.first).as(name + ": first step where a weight parts").isNull();
      crossEvaluate(name, spec, loss, tf.weights(), pt.weights(), data.get(0));
    }
  }

  static final int STEPS = 50;

  /** The first step's loss components: same weights, same batch, only the kernels differ. */
  static final double FIRST_STEP_LOSS = 1e-5;

  /** Every later step's loss components, relative. */
  static final double STEP_LOSS = 1e-4;

  /** ... and absolute, for components near 0. */
  static final double STEP_LOSS_FLOOR = 1e-7;

  /** Every weight after every step, absolute. */
  static final double STEP_WEIGHTS = 1e-4;

  /** The largest difference seen over a run of steps, and the first one over its limit. */
  static final class Divergence {
    final String a;
    final String b;
    double worst;
    String first;

    Divergence(String a, String b) {
      this.a = a;
      this.b = b;
    }

    void see(int step, String what, double x, double y, double diff, boolean ok) {
      worst = Math.max(worst, diff);
      if (!ok && first == null) {
        first = String.format(Locale.ROOT, "step %d, %s: %s %.9g vs %s %.9g (difference %.3e)",
            step, what, a, x, b, y, diff);
      }
    }
  }

  /** Weights trained on each engine evaluate the same on the other. */
  private static void crossEvaluate(String name, ModelSpec spec, LossSpec loss, Weights fromTf, Weights fromPt, Batch b) {
    double worstLoss = 0;
    double worstOut = 0;
    for (Weights w : List.of(fromTf, fromPt)) {
      try (TrainingSession tf = open(TestBackends.TENSORFLOW, spec, w, loss, null);
           TrainingSession pt = open(TestBackends.PYTORCH, spec, w, loss, null)) {
        EvalResult et = tf.evalStep(b);
        EvalResult ep = pt.evalStep(b);
        worstLoss = Math.max(worstLoss, maxRelDiff(et.loss(), ep.loss()));
        for (String head : ep.outputs().keySet()) {
          float[] x = et.outputs().get(head).toFloatArray();
          float[] y = ep.outputs().get(head).toFloatArray();
          for (int i = 0; i < x.length; i++) {
            worstOut = Math.max(worstOut, Math.abs(x[i] - y[i]));
          }
        }
        for (String c : ep.perSampleLosses().keySet()) {
          float[] x = et.perSampleLosses().get(c);
          float[] y = ep.perSampleLosses().get(c);
          for (int i = 0; i < x.length; i++) {
            worstLoss = Math.max(worstLoss, Math.abs(x[i] - y[i]) / Math.max(Math.abs(y[i]), 1e-6));
          }
        }
      }
    }
    report(name + ": cross-engine evaluation, losses (max rel)", worstLoss);
    report(name + ": cross-engine evaluation, outputs (max abs)", worstOut);
    assertThat(worstLoss).isLessThanOrEqualTo(1e-5);
    assertThat(worstOut).isLessThanOrEqualTo(1e-5);
  }
}
