package io.holdout.run;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.tensor.Batch;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.RunResult;
import io.holdout.api.train.RunState;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * Test entry point: trains a config (or resumes a run folder) and stops the JVM dead at a named
 * point with {@link Runtime#halt}, as {@code kill -9} would: no shutdown hooks, no finally blocks,
 * buffered Java output lost. Exit status {@value #HALTED} says the point was reached.
 *
 * <p>Points: {@code batch:E:S} (during epoch E, after step S), {@code epoch-end:E} (epoch E's
 * metrics row written, its checkpoint not), {@code committed:E} (epoch E's checkpoint written),
 * {@code stopped} (the checkpoint of the epoch where early stopping fired), {@code test-batch}
 * (during the test pass), {@code end} (test done, before weights and report are written).
 */
public final class CrashingRun {
  static final int HALTED = 137;

  public static void main(String[] args) {
    String point = args[1];
    TrainingListener crash = new TrainingListener() {
      @Override
      public void onBatchEnd(TrainingContext ctx, int epoch, int step, int steps, LossBreakdown loss) {
        at("batch:" + epoch + ":" + step);
      }

      @Override
      public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
        at("epoch-end:" + s.epoch());
      }

      @Override
      public void onEpochCommitted(TrainingContext ctx, RunState s) {
        at("committed:" + s.completedEpochs());
        if (s.stopReason() != null) {
          at("stopped");
        }
      }

      @Override
      public void onEvalBatch(TrainingContext ctx, String split, Batch batch, EvalResult result) {
        if (split.equals("test")) {
          at("test-batch");
        }
      }

      @Override
      public void onEnd(TrainingContext ctx, RunResult result) {
        at("end");
      }

      private void at(String here) {
        if (here.equals(point)) {
          System.out.flush();
          Runtime.getRuntime().halt(HALTED);
        }
      }
    };
    PrintWriter out = new PrintWriter(System.out, true);
    Path target = Path.of(args[0]);
    if (target.toString().endsWith(".yaml")) {
      Experiment.run(ConfigLoader.load(target, List.of()), out, List.of(crash));
    } else {
      Experiment.resume(target, List.of(), out, List.of(crash));
    }
    out.flush();
  }

  private CrashingRun() {}
}
