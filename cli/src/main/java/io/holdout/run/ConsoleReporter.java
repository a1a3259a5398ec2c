package io.holdout.run;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import io.holdout.api.train.TrainingPlan;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Prints the run as a person reads it: the plan (samples per split, batch size, steps per epoch),
 * one line per epoch with each loss component, and the test result once at the end. A component
 * may carry a baseline text (e.g. {@code uniform guess 1.0986 for 3 classes}) shown beside it.
 */
public final class ConsoleReporter implements TrainingListener {
  private final PrintStream out;
  private final Function<String, String> baselines;
  private int epochs;

  /**
   * @param baselines component name → baseline text, or null for none
   */
  public ConsoleReporter(PrintStream out, Function<String, String> baselines) {
    this.out = out;
    this.baselines = baselines == null ? c -> null : baselines;
  }

  @Override
  public void onStart(TrainingContext ctx, TrainingPlan p) {
    epochs = p.epochs();
    out.printf(Locale.ROOT, "split   train %d | val %d | test %d samples%n", p.trainSize(), p.valSize(), p.testSize());
    boolean dropped = p.stepsPerEpoch() * p.batchSize() < p.trainSize();
    out.printf(Locale.ROOT, "batch   %d -> %d steps per epoch (%s(%d / %d))%n", p.batchSize(), p.stepsPerEpoch(),
        dropped ? "floor" : "ceil", p.trainSize(), p.batchSize());
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    int w = String.valueOf(epochs).length();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "epoch %" + w + "d/%d  train loss %s", s.epoch(), epochs, s.train().describe()));
    if (s.val() != null) {
      sb.append(" | val loss ").append(s.val().describe());
      sb.append(metrics(s.valMetrics(), "val "));
    }
    sb.append(String.format(Locale.ROOT, " | lr %s | %.0f samples/s", lr(s.lr()), s.samplesPerSecond()));
    if (s.dataWaitSeconds() > 0) {
      sb.append(String.format(Locale.ROOT, " | data-wait %.2fs", s.dataWaitSeconds()));
    }
    out.println(sb);
  }

  @Override
  public void onDecision(TrainingContext ctx, int epoch, String message) {
    out.println("        -> " + message);
  }

  @Override
  public void onTestEnd(TrainingContext ctx, EvalSummary s) {
    out.println("test    loss " + s.loss().describe() + metrics(s.metrics(), "test "));
    LossBreakdown b = s.loss();
    for (String c : b.raw().keySet()) {
      String base = baselines.apply(c);
      out.printf(Locale.ROOT, "        %-16s %.4f (weight %s, weighted %.4f)%s%n", c, b.raw(c), trim(b.weights().get(c)),
          b.weighted(c), base == null ? "" : "  baseline: " + base);
    }
  }

  private static String metrics(Map<String, Double> m, String prefix) {
    StringBuilder sb = new StringBuilder();
    m.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " | %s%s %.4f", prefix, k, v)));
    return sb.toString();
  }

  static String lr(double lr) {
    return String.format(Locale.ROOT, "%.3g", lr).replaceAll("\\.?0+(e|$)", "$1");
  }

  private static String trim(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
  }
}
