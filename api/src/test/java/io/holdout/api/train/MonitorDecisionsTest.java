package io.holdout.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Early stopping, reduce-on-plateau, best weights and monitor direction, on a scripted session. */
class MonitorDecisionsTest {
  /** Val loss follows a script; the "weight" counts training epochs so restores are visible. */
  static final class Scripted implements TrainingSession {
    final double[] valScript;
    int evals;
    float w;
    double lr = 0.1;
    final List<Double> lrs = new ArrayList<>();
    float testedWith = Float.NaN;

    Scripted(double... valScript) {
      this.valScript = valScript;
    }

    public LossBreakdown trainStep(Batch b) {
      lrs.add(lr);
      w += 1;
      return LossBreakdown.of(TrainerTest.SPEC, new double[] {1.0}, b.size());
    }

    public EvalResult evalStep(Batch b) {
      double v = evals < valScript.length ? valScript[evals] : 0;
      if (b.ids().get(0).startsWith("test")) {
        testedWith = w;
      }
      return new EvalResult(LossBreakdown.of(TrainerTest.SPEC, new double[] {v}, b.size()),
          Map.of("y", Tensor.ofFloats(new long[] {b.size(), 1}, new float[b.size()])), Map.of());
    }

    public Weights weights() { return new Weights(Map.of("w", Tensor.ofFloats(new long[] {1}, w))); }
    public void loadWeights(Weights weights) { w = weights.get("w").toFloatArray()[0]; }
    public double learningRate() { return lr; }
    public void setLearningRate(double lr) { this.lr = lr; }
    public String device() { return "script"; }
    public void close() {}
  }

  static Scripted session(double... val) {
    return new Scripted(val);
  }

  /** One batch per epoch for train (so w = epochs trained), val counts evals. */
  private static RunResult fit(Scripted s, Trainer t, List<String> decisions) {
    List<String> log = new ArrayList<>();
    return t.fit(s, TrainerTest.source(4, 4, "train", log), new CountingSource(s), TrainerTest.source(4, 4, "test", log));
  }

  /** A val source of one batch whose evaluation advances the script. */
  static final class CountingSource implements io.holdout.api.data.BatchSource {
    final Scripted s;
    CountingSource(Scripted s) { this.s = s; }
    public int size() { return 4; }
    public int batchSize() { return 4; }
    public int stepsPerEpoch() { return 1; }
    public java.util.Iterator<Batch> epoch(int e) {
      s.evals++;
      return TrainerTest.source(4, 4, "val", new ArrayList<>()).epoch(0);
    }
  }

  static TrainingListener recorder(List<String> decisions) {
    return new TrainingListener() {
      @Override public void onDecision(TrainingContext ctx, int epoch, String message) {
        decisions.add(epoch + ": " + message);
      }
    };
  }

  @Test
  void earlyStoppingStopsAfterPatienceAndTestsOnBestWeights() {
    // val: 5, 4, 3 (best, epoch 3), then 3.5, 3.2, 3.9 -> stop at epoch 6 with patience 3
    Scripted s = new Scripted(0, 5, 4, 3, 3.5, 3.2, 3.9, 1, 1, 1);
    s.evals = 0;
    List<String> d = new ArrayList<>();
    Trainer t = Trainer.builder().setEpochs(10).optMonitor(new Monitor("val.total", Direction.MIN, 0))
        .optEarlyStopping(3).addListener(recorder(d)).build();
    RunResult r = fit(s, t, d);
    assertThat(r.epochs()).hasSize(6);
    assertThat(r.stopReason()).isEqualTo("early stopping: val.total did not improve for 3 epochs (best 3 at epoch 3)");
    assertThat(d).contains("5: val.total 3.2 did not improve on best 3 (lower is better, min delta 0.0): patience 2/3");
    assertThat(s.testedWith).isEqualTo(3f); // weights after epoch 3, not epoch 6
    assertThat(d.get(d.size() - 1)).startsWith("3: test uses the best weights: epoch 3");
  }

  @Test
  void plateauLowersLrAfterPatienceEpochsAndNotBefore() {
    // best at epoch 1 (2.0), then no improvement: with patience 2 the LR drops at the end of epoch 3
    Scripted s = new Scripted(0, 2.0, 2.5, 2.4, 2.6, 2.7);
    List<String> d = new ArrayList<>();
    Trainer t = Trainer.builder().setEpochs(5).optMonitor(new Monitor("val.total", Direction.MIN, 0))
        .optPlateau(new ReduceOnPlateau(0.1, 2, 0, 0)).addListener(recorder(d)).build();
    fit(s, t, d);
    assertThat(s.lrs).hasSize(5);
    assertThat(s.lrs.get(0)).isCloseTo(0.1, within(1e-12));
    assertThat(s.lrs.get(2)).isCloseTo(0.1, within(1e-12)); // epoch 3 still at 0.1 (only 1 bad epoch before it)
    assertThat(s.lrs.get(3)).isCloseTo(0.01, within(1e-12)); // dropped after epoch 3 (2 bad epochs)
    assertThat(s.lrs.get(4)).isCloseTo(0.01, within(1e-12)); // counter restarted: 1 bad epoch
    assertThat(d).contains("3: lr 0.1 -> 0.01 (plateau: val.total did not improve for 2 epochs)");
  }

  @Test
  void maxModeMetricIsHandledInTheRightDirection() {
    Metric acc = new Metric() {
      int calls;
      double v;
      public String name() { return "acc"; }
      public Direction direction() { return Direction.MAX; }
      public void reset() { v = new double[] {0.5, 0.9, 0.7, 0.6, 0.95}[Math.min(calls++, 4)]; }
      public void update(Map<String, Tensor> o, Batch b) {}
      public double value() { return v; }
    };
    Monitor m = Monitor.resolve("val.acc", List.of("regression"), Map.of("acc", Direction.MAX), 0);
    assertThat(m.direction()).isEqualTo(Direction.MAX);
    Scripted s = new Scripted(0, 1, 1, 1, 1, 1);
    List<String> d = new ArrayList<>();
    Trainer t = Trainer.builder().setEpochs(3).optMetrics(() -> List.of(acc)).optMonitor(m)
        .optEarlyStopping(1).addListener(recorder(d)).build();
    RunResult r = fit(s, t, d);
    // 0.5 (best), 0.9 (better: higher), 0.7 (worse) -> stops at epoch 3, tests epoch-2 weights
    assertThat(r.epochs()).hasSize(3);
    assertThat(m.best()).isEqualTo(0.9);
    assertThat(m.bestEpoch()).isEqualTo(2);
    assertThat(s.testedWith).isEqualTo(2f);
  }

  @Test
  void unknownMonitorKeyListsTheKnownOnes() {
    assertThatThrownBy(() -> Monitor.resolve("val.acuracy", List.of("regression"), Map.of("acc", Direction.MAX), 0))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("trainer.monitor: unknown key 'val.acuracy' (known: val.total, val.regression, val.acc)");
  }

  @Test
  void cosineScheduleWarmsUpThenDecays() {
    LrSchedule c = new LrSchedule.Cosine(1, 0);
    assertThat(c.lr(1.0, 0, 0, 4, 5)).isCloseTo(0.25, within(1e-12)); // first step of warm-up
    assertThat(c.lr(1.0, 0, 3, 4, 5)).isCloseTo(1.0, within(1e-12));
    assertThat(c.lr(1.0, 3, 0, 4, 5)).isCloseTo(0.5, within(1e-12)); // halfway through the decay
    assertThat(new LrSchedule.MultiStep(List.of(3, 5), 0.1).lr(1.0, 4, 0, 4, 10)).isCloseTo(0.01, within(1e-12));
    assertThat(new LrSchedule.Step(2, 0.5).lr(1.0, 3, 0, 4, 10)).isCloseTo(0.5, within(1e-12));
  }
}
