package io.holdout.api.train;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.data.BatchSource;
import io.holdout.api.data.Split;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossMeter;
import io.holdout.api.metrics.IntervalEstimator;
import io.holdout.api.metrics.Metric;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The engine-neutral training loop: for each epoch, train on the training split, then evaluate on
 * the validation split; after the last epoch, evaluate the test split exactly once. Only {@link
 * TrainingSession#trainRound} (one step per batch for an engine session, {@link
 * TrainingSession#roundSteps()} batches at a time, never across an epoch's end) and {@link
 * TrainingSession#evalStep} touch the engine.
 *
 * <p>Epoch and split losses are exact: each component's numerators and counts are added over the
 * split and divided once ({@link LossMeter}), so they do not depend on the batch size. A NaN or
 * infinite training loss stops the run with a {@link TrainingDivergedException} naming the epoch,
 * step and component.
 */
public final class Trainer {
  private final int epochs;
  private final List<TrainingListener> listeners;
  private final Supplier<List<Metric>> metrics;
  private final Monitor monitor;
  private final int earlyStoppingPatience;
  private final ReduceOnPlateau plateau;
  private final LrSchedule schedule;
  private final boolean testOnBest;
  private final IntervalEstimator testIntervals;

  private Trainer(Builder b) {
    this.epochs = b.epochs;
    this.listeners = List.copyOf(b.listeners);
    this.metrics = b.metrics;
    this.monitor = b.monitor;
    this.earlyStoppingPatience = b.earlyStoppingPatience;
    this.plateau = b.plateau;
    this.schedule = b.schedule;
    this.testOnBest = b.testOnBest;
    this.testIntervals = b.testIntervals;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder: {@code epochs} is required; listeners and metrics are optional. */
  public static final class Builder {
    private int epochs = -1;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Supplier<List<Metric>> metrics = List::of;
    private Monitor monitor;
    private int earlyStoppingPatience;
    private ReduceOnPlateau plateau;
    private LrSchedule schedule = new LrSchedule.Constant();
    private boolean testOnBest = true;
    private IntervalEstimator testIntervals;

    /** Confidence intervals for the test metrics (e.g. a seeded bootstrap); none by default. */
    public Builder optTestIntervals(IntervalEstimator estimator) {
      this.testIntervals = Objects.requireNonNull(estimator, "estimator is null");
      return this;
    }

    /** The value plateau decisions watch (early stopping, plateau LR, best weights). */
    public Builder optMonitor(Monitor monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor is null");
      return this;
    }

    /** Stop after {@code patience} epochs without improvement of the monitor; 0 disables. */
    public Builder optEarlyStopping(int patience) {
      if (patience < 0) {
        throw new IllegalArgumentException("patience must be >= 0");
      }
      this.earlyStoppingPatience = patience;
      return this;
    }

    public Builder optPlateau(ReduceOnPlateau plateau) {
      this.plateau = plateau;
      return this;
    }

    public Builder optSchedule(LrSchedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule is null");
      return this;
    }

    /** Test on the best weights seen by the monitor (default), not the last ones. */
    public Builder optTestOnBest(boolean testOnBest) {
      this.testOnBest = testOnBest;
      return this;
    }

    public Builder setEpochs(int epochs) {
      if (epochs <= 0) {
        throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    public Builder addListener(TrainingListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener is null"));
      return this;
    }

    /** Fresh metric instances for each evaluation pass (val each epoch, test once). */
    public Builder optMetrics(Supplier<List<Metric>> metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics is null");
      return this;
    }

    public Trainer build() {
      if (epochs <= 0) {
        throw new IllegalStateException("epochs not set");
      }
      if ((earlyStoppingPatience > 0 || plateau != null) && monitor == null) {
        throw new IllegalStateException("early stopping and plateau need a monitor");
      }
      return new Trainer(this);
    }
  }

  /**
   * Trains and tests.
   *
   * @param val may be null or empty: validation is then skipped
   * @param test may be null or empty: the test evaluation is then skipped
   */
  public RunResult fit(TrainingSession session, BatchSource train, BatchSource val, BatchSource test) {
    Objects.requireNonNull(session, "session is null");
    return fit(session, train, val, test, RunState.fresh(session.learningRate()));
  }

  /**
   * Continues a run from {@code state} (after its last completed epoch): used by resume. The
   * session must already hold that epoch's weights and optimizer state.
   */
  public RunResult fit(TrainingSession session, BatchSource train, BatchSource val, BatchSource test, RunState state) {
    Objects.requireNonNull(session, "session is null");
    Objects.requireNonNull(train, "train is null");
    Interruption.enter();
    try {
      return loop(session, train, val, test, state);
    } finally {
      Interruption.exit();
    }
  }

  private RunResult loop(TrainingSession session, BatchSource train, BatchSource val, BatchSource test, RunState state) {
    TrainingContext ctx = new TrainingContext(session);
    TrainingPlan plan = new TrainingPlan(train.size(), size(val), size(test), train.batchSize(),
        train.stepsPerEpoch(), epochs);
    if (monitor != null && state.monitorBest() != null) {
      monitor.restore(state.monitorBest(), state.monitorBestEpoch(), state.monitorBad());
    }
    if (plateau != null) {
      plateau.restore(state.plateauScale(), state.plateauBad(), state.plateauCooldown());
    }
    Weights best = state.bestWeights();
    if (state.stopReason() != null) {
      ctx.requestStop(state.stopReason());
    }
    listeners.forEach(l -> l.onStart(ctx, plan));
    List<EpochSummary> history = new ArrayList<>(state.history());
    double baseLr = state.baseLr();
    for (int epoch = state.completedEpochs() + 1; epoch <= epochs && ctx.stopReason() == null; epoch++) {
      int e = epoch;
      listeners.forEach(l -> l.onEpochStart(ctx, e));
      double scale = plateau == null ? 1 : plateau.scale();
      double lr = schedule.lr(baseLr, epoch - 1, 0, train.stepsPerEpoch(), epochs) * scale;
      session.setLearningRate(lr);
      long t0 = System.nanoTime();
      LossMeter meter = new LossMeter();
      int steps = train.stepsPerEpoch();
      int step = 0;
      int group = Math.max(1, session.roundSteps());
      Iterator<Batch> it = train.epoch(epoch - 1);
      List<Batch> round = new ArrayList<>(group);
      while (it.hasNext()) {
        Interruption.check(String.format(java.util.Locale.ROOT, "during epoch %d, before step %d/%d", epoch,
            step + 1, steps));
        // up to `group` batches (one for an engine session), never across the epoch's end
        round.clear();
        double[] lrs = new double[group];
        while (round.size() < group && it.hasNext()) {
          lrs[round.size()] = schedule.lr(baseLr, epoch - 1, step + round.size(), steps, epochs) * scale;
          round.add(it.next());
        }
        List<LossBreakdown> losses = session.trainRound(List.copyOf(round), java.util.Arrays.copyOf(lrs, round.size()));
        for (LossBreakdown loss : losses) {
          step++;
          String bad = loss.firstNonFinite();
          if (bad != null || !Double.isFinite(loss.total())) {
            throw new TrainingDivergedException(String.format(java.util.Locale.ROOT,
                "epoch %d, step %d/%d: training loss component '%s' is %s; stopping (lower the learning "
                    + "rate or check the data)", epoch, step, steps, bad == null ? "total" : bad,
                bad == null ? loss.total() : loss.raw(bad)));
          }
          meter.add(loss);
          int s = step;
          listeners.forEach(l -> l.onBatchEnd(ctx, e, s, steps, loss));
        }
      }
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      double wait = train.lastEpochWaitSeconds();
      EvalSummary v = size(val) > 0 ? evaluate(ctx, Split.VAL, val) : null;
      double seconds = (System.nanoTime() - t0) / 1e9;
      EpochSummary summary = new EpochSummary(epoch, meter.mean(), v == null ? null : v.loss(),
          v == null ? Map.of() : v.metrics(), lr, seconds, meter.samples() / Math.max(trainSeconds, 1e-9), wait);
      history.add(summary);
      listeners.forEach(l -> l.onEpochEnd(ctx, summary));
      if (monitor != null && summary.val() != null) {
        double value = monitor.valueOf(summary);
        boolean improved = monitor.update(epoch, value);
        if (improved) {
          best = session.weights();
          decide(ctx, epoch, monitor.key() + " " + Monitor.fmt(value) + " is the best so far");
          listeners.forEach(l -> l.onNewBest(ctx, summary));
        } else {
          decide(ctx, epoch, monitor.describeNoImprovement(value)
              + (earlyStoppingPatience > 0 ? ": patience " + monitor.badEpochs() + "/" + earlyStoppingPatience : ""));
        }
        if (plateau != null) {
          double before = session.learningRate();
          double newScale = plateau.epochEnd(improved, before);
          if (!Double.isNaN(newScale)) {
            double after = schedule.lr(baseLr, epoch, 0, train.stepsPerEpoch(), epochs) * newScale;
            decide(ctx, epoch, "lr " + fmt(before) + " -> " + fmt(after) + " (plateau: " + monitor.key()
                + " did not improve for " + plateau.patience() + " epochs)");
          }
        }
        if (earlyStoppingPatience > 0 && monitor.badEpochs() >= earlyStoppingPatience) {
          String reason = "early stopping: " + monitor.key() + " did not improve for " + monitor.badEpochs()
              + " epochs (best " + Monitor.fmt(monitor.best()) + " at epoch " + monitor.bestEpoch() + ")";
          decide(ctx, epoch, reason);
          ctx.requestStop(reason);
        }
      }
      RunState snapshot = new RunState(epoch, baseLr, history,
          monitor == null ? null : monitor.best(), monitor == null ? 0 : monitor.bestEpoch(),
          monitor == null ? 0 : monitor.badEpochs(), plateau == null ? 1 : plateau.scale(),
          plateau == null ? 0 : plateau.badEpochs(), plateau == null ? 0 : plateau.cooldownLeft(), best,
          ctx.stopReason());
      listeners.forEach(l -> l.onEpochCommitted(ctx, snapshot));
    }
    if (testOnBest && best != null && monitor != null) {
      session.loadWeights(best);
      decide(ctx, monitor.bestEpoch(), "test uses the best weights: epoch " + monitor.bestEpoch() + " ("
          + monitor.key() + " " + Monitor.fmt(monitor.best()) + ")");
    }
    EvalSummary t = size(test) > 0 ? evaluate(ctx, Split.TEST, test) : null;
    if (t != null) {
      listeners.forEach(l -> l.onTestEnd(ctx, t));
    }
    RunResult result = new RunResult(history, t,
        ctx.stopReason() != null ? ctx.stopReason() : "completed " + epochs + " epochs");
    listeners.forEach(l -> l.onEnd(ctx, result));
    return result;
  }

  private void decide(TrainingContext ctx, int epoch, String message) {
    listeners.forEach(l -> l.onDecision(ctx, epoch, message));
  }

  private static String fmt(double lr) {
    return String.format(java.util.Locale.ROOT, "%.3g", lr).replaceAll("\\.?0+(e|$)", "$1");
  }

  private EvalSummary evaluate(TrainingContext ctx, String split, BatchSource source) {
    List<Metric> ms = metrics.get();
    EvalSummary s = evaluate(ctx.session(), split, source, ms,
        (b, r) -> listeners.forEach(l -> l.onEvalBatch(ctx, split, b, r)));
    return split.equals(Split.TEST) && testIntervals != null ? s.withIntervals(testIntervals.estimate(ms)) : s;
  }

  /** Receives each evaluated batch with its result. */
  @FunctionalInterface
  public interface EvalObserver {
    void accept(Batch batch, EvalResult result);
  }

  /** One inference-mode pass over {@code source}: the loss over the split and the given metrics. */
  public static EvalSummary evaluate(
      TrainingSession session, String split, BatchSource source, List<Metric> metrics, EvalObserver observer) {
    Interruption.enter();
    try {
      return evaluatePass(session, split, source, metrics, observer);
    } finally {
      Interruption.exit();
    }
  }

  private static EvalSummary evaluatePass(
      TrainingSession session, String split, BatchSource source, List<Metric> metrics, EvalObserver observer) {
    long t0 = System.nanoTime();
    metrics.forEach(Metric::reset);
    LossMeter meter = new LossMeter();
    Iterator<Batch> it = source.epoch(0);
    while (it.hasNext()) {
      Interruption.check("during the " + split + " pass");
      Batch batch = it.next();
      EvalResult r = session.evalStep(batch);
      meter.add(r.loss());
      for (Metric m : metrics) {
        m.update(r.outputs(), batch);
      }
      if (observer != null) {
        observer.accept(batch, r);
      }
    }
    Map<String, Double> values = new LinkedHashMap<>();
    metrics.forEach(m -> values.put(m.name(), m.value()));
    return new EvalSummary(split, meter.mean(), values, (System.nanoTime() - t0) / 1e9);
  }

  private static int size(BatchSource s) {
    return s == null ? 0 : s.size();
  }
}
