package io.holdout.examples.plugin;

import io.holdout.api.HoldoutException;
import io.holdout.api.extension.CallbackContext;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/**
 * A callback that "posts" every epoch's figures somewhere: here one JSON object per line appended to
 * {@code epoch-log.jsonl} in the run folder (a real one would send them to a tracking server). The
 * test figures go on a last line with {@code "split": "test"}.
 */
public final class EpochLog implements TrainingListener {
  /** The config name, in {@code trainer.callbacks}. */
  public static final String TYPE = "epoch_log";

  /** The file it writes in the run folder. */
  public static final String FILE = "epoch-log.jsonl";

  private final Path file;

  public EpochLog(Path file) {
    this.file = file;
  }

  static EpochLog fromContext(CallbackContext context) {
    return new EpochLog(context.runFolder().resolve(FILE));
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    StringBuilder sb = new StringBuilder("{\"split\": \"val\", \"epoch\": ").append(s.epoch())
        .append(", \"train_total\": ").append(num(s.train().total()));
    if (s.val() != null) {
      sb.append(", \"val_total\": ").append(num(s.val().total()));
    }
    append(sb, s.valMetrics());
  }

  @Override
  public void onTestEnd(TrainingContext ctx, EvalSummary s) {
    append(new StringBuilder("{\"split\": \"test\", \"test_total\": ").append(num(s.loss().total())), s.metrics());
  }

  private void append(StringBuilder sb, Map<String, Double> metrics) {
    metrics.forEach((k, v) -> sb.append(", \"").append(k).append("\": ").append(num(v)));
    sb.append("}\n");
    try {
      Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot append the epoch log (" + e.getMessage() + ")", e);
    }
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.9g", v) : "null";
  }
}
