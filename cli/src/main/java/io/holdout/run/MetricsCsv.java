package io.holdout.run;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code metrics.csv}: one row per epoch and split ({@code train}, {@code val}) and a final
 * {@code test} row. Columns: epoch, split, total, each component raw, each component weighted, lr,
 * seconds, samples/s, data-wait seconds, then each metric (val and test rows). Each row is flushed
 * when written, so a crash keeps the rows before it.
 */
public final class MetricsCsv implements TrainingListener, AutoCloseable {
  private final Path file;
  private final List<String> components;
  private final List<String> metrics;
  private Writer out;
  private int lastEpoch;

  public MetricsCsv(Path file, List<String> components, List<String> metrics) {
    this.file = file;
    this.components = List.copyOf(components);
    this.metrics = List.copyOf(metrics);
  }

  /**
   * Continues a run after its last completed epoch: the file is rewritten, atomically, from the
   * checkpoint's {@code history} (so rows of an interrupted epoch or test are dropped, and an epoch
   * whose checkpoint was written just before a crash gets its rows back), then appended to.
   */
  public static MetricsCsv resume(Path file, List<String> components, List<String> metrics,
      List<EpochSummary> history) throws IOException {
    MetricsCsv m = new MetricsCsv(file, components, metrics);
    StringBuilder sb = new StringBuilder(m.header());
    for (EpochSummary s : history) {
      sb.append(m.epochRows(s));
    }
    io.holdout.api.io.AtomicFiles.writeString(file, sb.toString());
    m.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    m.lastEpoch = history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
    return m;
  }

  private String header() {
    List<String> cols = new ArrayList<>(List.of("epoch", "split", "total"));
    cols.addAll(components);
    components.forEach(c -> cols.add(c + "_weighted"));
    cols.addAll(List.of("lr", "seconds", "samples_per_s", "data_wait_s"));
    cols.addAll(metrics);
    return String.join(",", cols) + "\n";
  }

  private void ensureOpen() throws IOException {
    if (out != null) {
      return;
    }
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    out.write(header());
    out.flush();
  }

  private String epochRows(EpochSummary s) {
    String rows = row(s.epoch(), "train", s.train(), s.lr(), s.seconds(), s.samplesPerSecond(), s.dataWaitSeconds(),
        Map.of());
    if (s.val() != null) {
      rows += row(s.epoch(), "val", s.val(), s.lr(), Double.NaN, Double.NaN, Double.NaN, s.valMetrics());
    }
    return rows;
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    lastEpoch = s.epoch();
    write(epochRows(s));
  }

  @Override
  public void onTestEnd(TrainingContext ctx, EvalSummary s) {
    write(row(lastEpoch, "test", s.loss(), ctx.session().learningRate(), s.seconds(), Double.NaN, Double.NaN,
        s.metrics()));
  }

  private void write(String rows) {
    try {
      ensureOpen();
      out.write(rows);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private String row(int epoch, String split, LossBreakdown b, double lr, double seconds, double sps,
      double wait, Map<String, Double> metricValues) {
    List<String> v = new ArrayList<>();
    v.add(String.valueOf(epoch));
    v.add(split);
    v.add(num(b.total()));
    components.forEach(c -> v.add(num(b.raw(c))));
    components.forEach(c -> v.add(num(b.weighted(c))));
    v.add(num(lr));
    v.add(num(seconds));
    v.add(num(sps));
    v.add(num(wait));
    metrics.forEach(m -> v.add(metricValues.containsKey(m) ? num(metricValues.get(m)) : ""));
    return String.join(",", v) + "\n";
  }

  private static String num(double d) {
    return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.9g", d);
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
