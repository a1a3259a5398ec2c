package io.holdout.run;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossMeter;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress within an epoch: on a terminal a progress bar (steps done/total, ETA, running loss,
 * samples/s) drawn by the {@code progressbar} library; elsewhere (CI, pipes) plain lines, at most
 * one per {@code intervalSeconds}.
 */
public final class Progress implements TrainingListener {
  private final boolean bar;
  private final PrintStream out;
  private final double intervalSeconds;
  private ProgressBar pb;
  private long epochStart;
  private long lastLine;
  /** The epoch's running train loss, accounted as the epoch's figure is. */
  private LossMeter meter = new LossMeter();

  public Progress(boolean bar, PrintStream out, double intervalSeconds) {
    this.bar = bar;
    this.out = out;
    this.intervalSeconds = intervalSeconds;
  }

  /** {@code auto}: a bar when a console is attached, plain lines otherwise. */
  public static boolean wantsBar(String mode) {
    return "bar".equals(mode) || ("auto".equals(mode) && System.console() != null);
  }

  @Override
  public void onEpochStart(TrainingContext ctx, int epoch) {
    epochStart = System.nanoTime();
    lastLine = epochStart;
    meter = new LossMeter();
  }

  @Override
  public void onBatchEnd(TrainingContext ctx, int epoch, int step, int steps, LossBreakdown loss) {
    meter.add(loss);
    long samples = meter.samples();
    double secs = (System.nanoTime() - epochStart) / 1e9;
    String extra = String.format(Locale.ROOT, "loss %.4f %.0f samples/s", meter.mean().total(), samples / Math.max(secs, 1e-9));
    if (bar) {
      if (pb == null) {
        pb = new ProgressBarBuilder().setTaskName("epoch " + epoch).setInitialMax(steps)
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().build();
      }
      pb.stepTo(step);
      pb.setExtraMessage(extra);
      if (step == steps) {
        pb.close();
        pb = null;
      }
    } else {
      long now = System.nanoTime();
      if ((now - lastLine) / 1e9 >= intervalSeconds && step < steps) {
        lastLine = now;
        double eta = secs / step * (steps - step);
        out.printf(Locale.ROOT, "  epoch %d step %d/%d  eta %.0fs  %s%n", epoch, step, steps, eta, extra);
      }
    }
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary summary) {
    if (pb != null) {
      pb.close();
      pb = null;
    }
  }
}
