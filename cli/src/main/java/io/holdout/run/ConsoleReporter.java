package io.holdout.run;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.metrics.ConfidenceInterval;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import io.holdout.api.train.TrainingPlan;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import io.holdout.losses.Baseline;
import io.holdout.losses.Baselines;
import java.util.List;

/**
 * Prints the run as a person reads it: the plan (samples per split, batch size, steps per epoch),
 * one line per epoch with each loss component, and the test result once at the end. A component
 * may carry a baseline text (e.g. {@code uniform guess 1.0986 for 3 classes}) shown beside it.
 */
public final class ConsoleReporter implements TrainingListener {
  private final PrintStream out;
  private final Map<String, List<Baseline>> valBaselines;
  private final Map<String, List<Baseline>> testBaselines;
  private int epochs;
  private String unit = "samples";

  /**
   * @param valBaselines component name → what trivial models score on the val split (may be empty)
   * @param testBaselines the same on the test split
   */
  public ConsoleReporter(PrintStream out, Map<String, List<Baseline>> valBaselines,
      Map<String, List<Baseline>> testBaselines) {
    this.out = out;
    this.valBaselines = new java.util.LinkedHashMap<>(valBaselines);
    this.testBaselines = new java.util.LinkedHashMap<>(testBaselines);
  }

  /** Names what a sample is in the speed figure, e.g. {@code img} for image models ({@code img/s}). */
  public ConsoleReporter unit(String unit) {
    this.unit = unit;
    return this;
  }

  @Override
  public void onStart(TrainingContext ctx, TrainingPlan p) {
    epochs = p.epochs();
    out.printf(Locale.ROOT, "split   train %d | val %d | test %d samples%n", p.trainSize(), p.valSize(), p.testSize());
    boolean dropped = p.stepsPerEpoch() * p.batchSize() < p.trainSize();
    out.printf(Locale.ROOT, "batch   %d -> %d steps per epoch (%s(%d / %d))%n", p.batchSize(), p.stepsPerEpoch(),
        dropped ? "floor" : "ceil", p.trainSize(), p.batchSize());
    if (!valBaselines.isEmpty()) {
      out.println("read the val losses against what a trivial model scores there:");
      valBaselines.forEach((c, b) -> {
        if (!b.isEmpty()) {
          out.println("        " + c + ": " + String.join("; ", b.stream().map(Baseline::describe).toList()));
        }
      });
    }
  }

  /** {@code 0.3530 (regression 0.0543 [mean guess 0.5812] + classification 0.2987 [uniform guess 1.0986])}. */
  static String withBaselines(LossBreakdown b, Map<String, List<Baseline>> baselines) {
    if (baselines.isEmpty()) {
      return b.describe();
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.4f (", b.total()));
    boolean first = true;
    for (String c : b.raw().keySet()) {
      sb.append(first ? "" : " + ");
      first = false;
      double w = b.weights().get(c);
      sb.append(c).append(' ');
      if (w != 1.0) {
        sb.append(trim(w)).append('×');
      }
      sb.append(String.format(Locale.ROOT, "%.4f", b.raw(c)));
      List<Baseline> bl = baselines.getOrDefault(c, List.of());
      if (!bl.isEmpty()) {
        sb.append(String.format(Locale.ROOT, " [%s %.4f]", bl.get(0).label(), bl.get(0).value()));
      }
    }
    return sb.append(')').toString();
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    int w = String.valueOf(epochs).length();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "epoch %" + w + "d/%d  train loss %s", s.epoch(), epochs, s.train().describe()));
    if (s.val() != null) {
      sb.append(" | val loss ").append(withBaselines(s.val(), valBaselines));
      sb.append(metrics(s.valMetrics(), "val "));
    }
    sb.append(String.format(Locale.ROOT, " | lr %s | %.0f %s/s", lr(s.lr()), s.samplesPerSecond(), unit));
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
    StringBuilder line = new StringBuilder("test    loss " + s.loss().describe());
    s.metrics().forEach((k, v) -> line.append(" | test ").append(k).append(' ').append(withInterval(k, v, s.intervals())));
    out.println(line);
    LossBreakdown b = s.loss();
    for (String c : b.raw().keySet()) {
      out.printf(Locale.ROOT, "        %s  (weight %s, weighted %.4f)%n",
          Baselines.describe(c, b.raw(c), testBaselines.getOrDefault(c, List.of())), trim(b.weights().get(c)), b.weighted(c));
    }
  }

  /**
   * {@code 0.9545 [0.8636, 1.0000] 95%}: a metric and, when it has one, its interval, all to 4
   * decimals (fewer would show a tight interval around a high value as {@code [0.99, 0.99]}).
   */
  static String withInterval(String name, double value, Map<String, ConfidenceInterval> intervals) {
    ConfidenceInterval ci = intervals.get(name);
    String v = String.format(Locale.ROOT, "%.4f", value);
    if (ci == null || Double.isNaN(ci.low())) {
      return v;
    }
    return v + String.format(Locale.ROOT, " [%.4f, %.4f] %.0f%%", ci.low(), ci.high(), 100 * ci.level());
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
