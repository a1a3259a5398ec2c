package io.holdout.sweep;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The sweep's PNG plots, drawn with JFreeChart as {@code curves.png} is, each only when the sweep
 * varies its x key: {@code throughput-vs-batch.png} ({@code loader.batchSize}), {@code
 * epoch-time-vs-workers.png} ({@code loader.numWorkers}), {@code val-vs-lr.png} ({@code
 * optimizer.lr}, log scale) and {@code learning-curves.png} (the val rank figure per epoch of the
 * best three trials). Ok trials only; one line per value of the other plotted key.
 */
final class SweepPlots {
  static final String BATCH = "loader.batchSize";
  static final String WORKERS = "loader.numWorkers";
  static final String LR = "optimizer.lr";

  private SweepPlots() {}

  /** Writes the plots that apply; returns their file names. */
  static List<String> write(Path folder, SweepReport report) {
    System.setProperty("java.awt.headless", "true");
    List<TrialResult> ok = report.results.stream().filter(TrialResult::ok).toList();
    List<String> written = new ArrayList<>();
    if (varies(ok, BATCH)) {
      lines(folder.resolve("throughput-vs-batch.png"), "training throughput vs batch size", ok, BATCH, WORKERS,
          "batch size", "samples/s (train)", TrialResult::samplesPerSecond, false);
      written.add("throughput-vs-batch.png");
    }
    if (varies(ok, WORKERS)) {
      lines(folder.resolve("epoch-time-vs-workers.png"), "time per epoch vs numWorkers", ok, WORKERS, BATCH,
          "numWorkers", "seconds per epoch", TrialResult::secondsPerEpoch, false);
      written.add("epoch-time-vs-workers.png");
    }
    if (varies(ok, LR)) {
      lines(folder.resolve("val-vs-lr.png"), "val " + report.spec.rankKey + " vs learning rate", ok, LR, null,
          "learning rate (log)", "val " + report.spec.rankKey + " (best epoch)",
          r -> r.valAtBest(report.spec.rankKey, report.spec.rankKey, report.spec.maximise), true);
      written.add("val-vs-lr.png");
    }
    List<TrialResult> best = report.ranked().stream().limit(3).toList();
    if (!best.isEmpty()) {
      XYSeriesCollection data = new XYSeriesCollection();
      for (TrialResult r : best) {
        XYSeries s = new XYSeries(r.trial().id());
        for (int e = 0; e < r.valEpochs().size(); e++) {
          Double v = r.valEpochs().get(e).get(report.spec.rankKey);
          if (v != null && !v.isNaN()) {
            s.add(e + 1, v);
          }
        }
        data.addSeries(s);
      }
      save(folder.resolve("learning-curves.png"), "val " + report.spec.rankKey + " per epoch, best "
          + best.size() + " trial" + (best.size() == 1 ? "" : "s"), data, new NumberAxis("epoch"),
          "val " + report.spec.rankKey);
      written.add("learning-curves.png");
    }
    return written;
  }

  private static boolean varies(List<TrialResult> ok, String key) {
    return ok.stream().map(r -> SweepReport.value(r, key)).filter(v -> !v.isNaN()).distinct().count() > 1;
  }

  private static void lines(Path file, String title, List<TrialResult> ok, String xKey, String groupKey,
      String xLabel, String yLabel, ToDoubleFunction<TrialResult> y, boolean logX) {
    boolean grouped = groupKey != null && varies(ok, groupKey);
    Map<Double, XYSeries> series = new TreeMap<>();
    for (TrialResult r : ok) {
      double x = SweepReport.value(r, xKey);
      double v = y.applyAsDouble(r);
      if (Double.isNaN(x) || Double.isNaN(v)) {
        continue;
      }
      double g = grouped ? SweepReport.value(r, groupKey) : 0;
      String label = grouped ? groupKey.substring(groupKey.lastIndexOf('.') + 1) + " " + SweepReport.fmt(g)
          .replaceAll("\\.?0+$", "") : yLabel;
      series.computeIfAbsent(g, k -> new XYSeries(label, true, true)).add(x, v);
    }
    XYSeriesCollection data = new XYSeriesCollection();
    series.values().forEach(data::addSeries);
    ValueAxis axis = logX ? new LogAxis(xLabel) : new NumberAxis(xLabel);
    save(file, title, data, axis, yLabel);
  }

  private static void save(Path file, String title, XYSeriesCollection data, ValueAxis x, String yLabel) {
    NumberAxis yAxis = new NumberAxis(yLabel);
    yAxis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, x, yAxis, r);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 800, 500);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
