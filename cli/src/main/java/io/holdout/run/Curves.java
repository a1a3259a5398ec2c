package io.holdout.run;

import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.RunResult;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws {@code curves.png} with JFreeChart at the end of a run: one panel per loss component and
 * one for the total (train vs val per epoch), and one for the learning rate.
 */
public final class Curves implements TrainingListener {
  private final Path file;
  private final List<String> components;
  private final List<EpochSummary> epochs = new ArrayList<>();

  /** @param earlier the epochs before this process started (a resumed run), drawn too */
  public Curves(Path file, List<String> components, List<EpochSummary> earlier) {
    this.file = file;
    this.components = List.copyOf(components);
    this.epochs.addAll(earlier);
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    epochs.add(s);
  }

  @Override
  public void onEnd(TrainingContext ctx, RunResult r) {
    write(file, components, epochs);
  }

  /** Renders the chart for {@code epochs} into {@code file}. */
  public static void write(Path file, List<String> components, List<EpochSummary> epochs) {
    System.setProperty("java.awt.headless", "true");
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("epoch"));
    plot.add(panel("total loss", epochs, s -> s.train().total(), s -> s.val() == null ? Double.NaN : s.val().total()));
    for (String c : components) {
      plot.add(panel(c + " (raw)", epochs, s -> s.train().raw(c), s -> s.val() == null ? Double.NaN : s.val().raw(c)));
    }
    XYSeries lr = new XYSeries("lr");
    epochs.forEach(s -> lr.add(s.epoch(), s.lr()));
    XYPlot lrPlot = new XYPlot(new XYSeriesCollection(lr), null, new NumberAxis("learning rate"), renderer(Color.GRAY));
    plot.add(lrPlot);
    plot.setGap(8);
    JFreeChart chart = new JFreeChart("train vs val", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    try {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 250 * (components.size() + 2));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static XYPlot panel(String title, List<EpochSummary> epochs, ToDoubleFunction<EpochSummary> train,
      ToDoubleFunction<EpochSummary> val) {
    XYSeries t = new XYSeries("train " + title);
    XYSeries v = new XYSeries("val " + title);
    for (EpochSummary s : epochs) {
      t.add(s.epoch(), train.applyAsDouble(s));
      double vv = val.applyAsDouble(s);
      if (!Double.isNaN(vv)) {
        v.add(s.epoch(), vv);
      }
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(t);
    data.addSeries(v);
    XYLineAndShapeRenderer r = renderer(new Color(0x1f77b4));
    r.setSeriesPaint(1, new Color(0xff7f0e));
    NumberAxis axis = new NumberAxis(title);
    axis.setAutoRangeIncludesZero(false);
    return new XYPlot(data, null, axis, r);
  }

  private static XYLineAndShapeRenderer renderer(Color first) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    r.setSeriesPaint(0, first);
    r.setSeriesStroke(0, new BasicStroke(2f));
    r.setSeriesStroke(1, new BasicStroke(2f));
    return r;
  }
}
