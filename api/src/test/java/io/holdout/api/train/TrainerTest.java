package io.holdout.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.data.BatchSource;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The loop's contract, on a pure-Java one-parameter session (y = w x fitted by gradient descent):
 * this tests the trainer, not an engine.
 */
class TrainerTest {
  static final LossSpec SPEC = new LossSpec(List.of(LossComponentSpec.of("regression", "mse", 1, "y", "y")));

  /** Batches of (x, y = 3x) pairs. */
  static BatchSource source(int n, int batch, String name, List<String> log) {
    return new BatchSource() {
      public int size() { return n; }
      public int batchSize() { return batch; }
      public int stepsPerEpoch() { return (n + batch - 1) / batch; }
      public Iterator<Batch> epoch(int epoch) {
        log.add(name + " epoch " + epoch);
        List<Batch> out = new ArrayList<>();
        for (int s = 0; s < n; s += batch) {
          int b = Math.min(batch, n - s);
          float[] x = new float[b];
          float[] y = new float[b];
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < b; i++) {
            x[i] = (s + i + 1) / (float) n;
            y[i] = 3 * x[i];
            ids.add(name + (s + i));
          }
          out.add(new Batch(ids, Map.of(Batch.INPUT, Tensor.ofFloats(new long[] {b, 1}, x), "y", Tensor.ofFloats(new long[] {b, 1}, y))));
        }
        return out.iterator();
      }
    };
  }

  static class LinearSession implements TrainingSession {
    double w;
    double lr = 0.5;
    boolean poison;

    double loss(Batch b) {
      float[] x = b.input().toFloatArray();
      float[] y = b.get("y").toFloatArray();
      double s = 0;
      for (int i = 0; i < x.length; i++) {
        s += Math.pow(w * x[i] - y[i], 2);
      }
      return poison ? Double.NaN : s / x.length;
    }

    public LossBreakdown trainStep(Batch b) {
      double l = loss(b);
      float[] x = b.input().toFloatArray();
      float[] y = b.get("y").toFloatArray();
      double g = 0;
      for (int i = 0; i < x.length; i++) {
        g += 2 * (w * x[i] - y[i]) * x[i] / x.length;
      }
      w -= lr * g;
      return LossBreakdown.of(SPEC, new double[] {l}, b.size());
    }

    public EvalResult evalStep(Batch b) {
      float[] x = b.input().toFloatArray();
      float[] p = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        p[i] = (float) (w * x[i]);
      }
      return new EvalResult(LossBreakdown.of(SPEC, new double[] {loss(b)}, b.size()),
          Map.of("y", Tensor.ofFloats(new long[] {x.length, 1}, p)), Map.of());
    }

    public Weights weights() { return new Weights(Map.of("w", Tensor.ofFloats(new long[] {1}, (float) w))); }
    public void loadWeights(Weights weights) { w = weights.get("w").toFloatArray()[0]; }
    public double learningRate() { return lr; }
    public void setLearningRate(double lr) { this.lr = lr; }
    public String device() { return "java"; }
    public void close() {}
  }

  @Test
  void validatesEveryEpochAndTestsOnceAtTheEnd() {
    List<String> log = new ArrayList<>();
    List<String> events = new ArrayList<>();
    Trainer t = Trainer.builder().setEpochs(4).addListener(new TrainingListener() {
      @Override public void onStart(TrainingContext ctx, TrainingPlan p) { events.add("start " + p.stepsPerEpoch()); }
      @Override public void onEpochEnd(TrainingContext ctx, EpochSummary s) { events.add("epoch " + s.epoch()); }
      @Override public void onTestEnd(TrainingContext ctx, EvalSummary s) { events.add("test"); }
      @Override public void onEnd(TrainingContext ctx, RunResult r) { events.add("end"); }
    }).build();
    RunResult r = t.fit(new LinearSession(), source(10, 4, "train", log), source(5, 4, "val", log), source(5, 4, "test", log));
    assertThat(events).containsExactly("start 3", "epoch 1", "epoch 2", "epoch 3", "epoch 4", "test", "end");
    assertThat(log.stream().filter(s -> s.startsWith("test"))).hasSize(1);
    assertThat(log.stream().filter(s -> s.startsWith("val"))).hasSize(4);
    assertThat(log).containsSubsequence("train epoch 0", "val epoch 0", "train epoch 1", "train epoch 3", "test epoch 0");
    assertThat(r.epochs()).hasSize(4);
    assertThat(r.lastEpoch().val().total()).isLessThan(r.epochs().get(0).val().total());
    assertThat(r.test()).isNotNull();
    assertThat(r.lastEpoch().train().samples()).isEqualTo(10);
  }

  /**
   * A session that wants rounds of 3 steps gets them, never across an epoch's end (10 samples in
   * batches of 4: 3 steps an epoch, so one round each), each batch with its own step's learning rate
   * (cosine warm-up moves it every step); the losses come back one per step and add up as without
   * rounds.
   */
  @Test
  void roundsOfStepsStayInsideAnEpochWithEachStepsLearningRate() {
    List<String> rounds = new ArrayList<>();
    LinearSession grouped = new LinearSession() {
      @Override public int roundSteps() { return 3; }
      @Override public List<LossBreakdown> trainRound(List<Batch> batches, double[] lrs) {
        rounds.add(batches.size() + " " + java.util.Arrays.toString(lrs));
        return super.trainRound(batches, lrs);
      }
    };
    LrSchedule cosine = new LrSchedule.Cosine(1, 0);
    RunResult a = Trainer.builder().setEpochs(2).optSchedule(cosine).build()
        .fit(grouped, source(10, 4, "train", new ArrayList<>()), null, null);
    RunResult b = Trainer.builder().setEpochs(2).optSchedule(cosine).build()
        .fit(new LinearSession(), source(10, 4, "train", new ArrayList<>()), null, null);
    assertThat(rounds).hasSize(2).allSatisfy(r -> assertThat(r).startsWith("3 ["));
    double[] first = java.util.Arrays.stream(rounds.get(0).substring(3, rounds.get(0).length() - 1).split(", "))
        .mapToDouble(Double::parseDouble).toArray();
    for (int i = 0; i < 3; i++) {
      assertThat(first[i]).isEqualTo(cosine.lr(0.5, 0, i, 3, 2));
    }
    assertThat(first[0]).isLessThan(first[1]);
    for (int e = 0; e < 2; e++) {
      assertThat(a.epochs().get(e).train().total()).isEqualTo(b.epochs().get(e).train().total());
    }
  }

  @Test
  void nanLossStopsWithEpochStepAndComponent() {
    LinearSession s = new LinearSession();
    s.poison = true;
    Trainer t = Trainer.builder().setEpochs(2).build();
    assertThatThrownBy(() -> t.fit(s, source(10, 4, "train", new ArrayList<>()), null, null))
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageStartingWith("epoch 1, step 1/3: training loss component 'regression' is NaN");
  }

  @Test
  void listenerCanStopEarly() {
    Trainer t = Trainer.builder().setEpochs(10).addListener(new TrainingListener() {
      @Override public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
        if (s.epoch() == 2) {
          ctx.requestStop("enough");
        }
      }
    }).build();
    RunResult r = t.fit(new LinearSession(), source(8, 4, "train", new ArrayList<>()), null, null);
    assertThat(r.epochs()).hasSize(2);
    assertThat(r.stopReason()).isEqualTo("enough");
  }
}
