package io.holdout.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.holdout.api.io.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code report.html}: one self-contained page about a finished run, built from its folder alone
 * (config, metrics.csv, test-report.json, split.json, preprocessing.json, baselines.json,
 * test-predictions.csv), so {@code holdout report RUN} rebuilds the same page anywhere. Inline SVG
 * and CSS only: no script library, no font, image or style is fetched. Numbers sit in data
 * attributes of stable ids and classes ({@code #plan}, {@code #test-figures tr.test-metric},
 * {@code svg.chart#loss-<component>}, {@code table.confusion-matrix td.cm}, ...).
 */
public final class Report {
  /** The page's file name in the run folder. */
  public static final String FILE = "report.html";

  private Report() {}

  /** Writes {@code report.html} into {@code runDir}, atomically; returns its path. */
  public static Path write(Path runDir) {
    RunFiles run = RunFiles.open(runDir).requireFinished();
    Path file = runDir.resolve(FILE);
    AtomicFiles.writeString(file, html(run));
    return file;
  }

  static String html(RunFiles run) {
    StringBuilder sb = new StringBuilder(Html.head("holdout report: " + run.name()));
    sb.append("<body data-run=\"").append(Html.esc(run.name())).append("\">\n");
    sb.append("<h1>").append(Html.esc(run.name())).append("</h1>\n");
    sb.append("<p class=\"note\">config <code>").append(Html.esc(run.configValue("name"))).append("</code>, backend <code>")
        .append(Html.esc(run.configValue("backend"))).append("</code>, seed ").append(Html.esc(run.configValue("seed")))
        .append(". Built from the run folder alone by <code>holdout report</code>; every figure below is read from "
            + "its files.</p>\n");
    plan(sb, run);
    testFigures(sb, run);
    best(sb, run);
    lossCurves(sb, run);
    valMetrics(sb, run);
    lr(sb, run);
    tasks(sb, run);
    sb.append(Html.SCRIPT).append("\n</body></html>\n");
    return sb.toString();
  }

  private static void plan(StringBuilder sb, RunFiles run) {
    int train = run.splitSizes.getOrDefault("train", 0);
    int batch = parseInt(run.configValue("loader.batchSize"));
    boolean dropLast = "true".equals(run.configValue("loader.dropLast"));
    int steps = batch <= 0 ? 0 : dropLast ? train / batch : (train + batch - 1) / batch;
    sb.append("<h2>Plan</h2>\n<dl class=\"plan\" id=\"plan\" data-train=\"").append(train).append("\" data-val=\"")
        .append(run.splitSizes.getOrDefault("val", 0)).append("\" data-test=\"")
        .append(run.splitSizes.getOrDefault("test", 0)).append("\" data-batch=\"").append(batch)
        .append("\" data-steps-per-epoch=\"").append(steps).append("\" data-epochs=\"")
        .append(Html.esc(run.configValue("trainer.epochs"))).append("\">");
    sb.append("<dt>split</dt><dd>train ").append(train).append(" | val ").append(run.splitSizes.getOrDefault("val", 0))
        .append(" | test ").append(run.splitSizes.getOrDefault("test", 0)).append(" samples</dd>");
    sb.append("<dt>batch</dt><dd>").append(batch).append(" → ").append(steps).append(" steps per epoch (")
        .append(dropLast ? "floor" : "ceil").append('(').append(train).append(" / ").append(batch).append("))</dd>");
    sb.append("<dt>epochs</dt><dd>").append(Html.esc(run.report.path("epochs_trained").asText())).append(" trained of ")
        .append(Html.esc(run.configValue("trainer.epochs"))).append("</dd>");
    sb.append("<dt>optimizer</dt><dd>").append(Html.esc(run.configValue("optimizer.type"))).append(", lr ")
        .append(Html.esc(run.configValue("optimizer.lr"))).append(", schedule ")
        .append(Html.esc(run.configValue("trainer.schedule.type"))).append("</dd>");
    sb.append("<dt>loss</dt><dd>total = ");
    List<String> terms = new ArrayList<>();
    run.config.path("loss").forEach(c -> terms.add(c.path("weight").asText() + " × " + c.path("name").asText()
        + " (" + c.path("type").asText() + " on " + c.path("output").asText() + ")"));
    sb.append(Html.esc(String.join(" + ", terms))).append("</dd></dl>\n");
  }

  private static void testFigures(StringBuilder sb, RunFiles run) {
    sb.append("<h2>Test figures</h2>\n<p class=\"note\">").append(Html.esc(run.report.path("evaluated").asText()))
        .append(", with the ").append(Html.esc(run.report.path("weights").asText()))
        .append(" weights; intervals are seeded percentile bootstraps over the test samples.</p>\n");
    sb.append("<table id=\"test-figures\"><tr><th class=\"l\">figure</th><th>value</th><th>interval</th></tr>");
    run.testLoss().forEach((k, v) -> sb.append("<tr class=\"test-loss\" data-component=\"").append(Html.esc(k))
        .append("\" data-value=\"").append(RunFiles.exact(v)).append("\"><td class=\"l\">loss ").append(Html.esc(k))
        .append("</td><td>").append(Html.f4(v)).append("</td><td></td></tr>"));
    run.testFigures().forEach((k, f) -> {
      sb.append("<tr class=\"test-metric\" data-metric=\"").append(Html.esc(k)).append("\" data-value=\"")
          .append(RunFiles.exact(f.value())).append('"');
      if (f.hasInterval()) {
        sb.append(" data-low=\"").append(RunFiles.exact(f.low())).append("\" data-high=\"")
            .append(RunFiles.exact(f.high())).append("\" data-level=\"").append(RunFiles.exact(f.level())).append('"');
      }
      sb.append("><td class=\"l\">").append(Html.esc(k)).append("</td><td>").append(Html.f4(f.value()))
          .append("</td><td>").append(Html.interval(f))
          .append(f.hasInterval() ? String.format(Locale.ROOT, " %.0f%%", 100 * f.level()) : "").append("</td></tr>");
    });
    sb.append("</table>\n");
  }

  private static final Pattern BEST = Pattern.compile("best: epoch (\\d+) by (\\S+)");

  private static void best(StringBuilder sb, RunFiles run) {
    String weights = run.report.path("weights").asText();
    String stop = run.report.path("stop_reason").asText();
    Matcher m = BEST.matcher(weights);
    sb.append("<h2>Best epoch</h2>\n<p id=\"best\" data-stop-reason=\"").append(Html.esc(stop)).append('"');
    if (m.find()) {
      int epoch = Integer.parseInt(m.group(1));
      String key = m.group(2);
      String column = key.startsWith("val.") ? key.substring(4) : key;
      double value = run.series("val", column).getOrDefault(epoch, Double.NaN);
      sb.append(" data-epoch=\"").append(epoch).append("\" data-monitor=\"").append(Html.esc(key))
          .append("\" data-value=\"").append(RunFiles.exact(value)).append("\">");
      sb.append("The test used the weights of epoch <b>").append(epoch).append("</b>, the best ")
          .append(Html.esc(key)).append(" (").append(Html.f4(value)).append("). Training stopped: ")
          .append(Html.esc(stop)).append(".</p>\n");
    } else {
      sb.append(" data-epoch=\"last\">The test used the last epoch's weights (").append(Html.esc(weights))
          .append("). Training stopped: ").append(Html.esc(stop)).append(".</p>\n");
    }
  }

  private static void lossCurves(StringBuilder sb, RunFiles run) {
    sb.append("<h2>Loss curves</h2>\n<p class=\"note\">Per component (raw, before its weight), train (measured "
        + "during each epoch) and val (after it); dashed: what an untrained or trivial model scores on val.</p>\n"
        + "<div class=\"charts\">");
    List<String> names = new ArrayList<>(List.of("total"));
    names.addAll(run.components());
    for (String c : names) {
      List<Svg.Series> s = new ArrayList<>();
      TreeMap<Integer, Double> tr = run.series("train", c);
      TreeMap<Integer, Double> va = run.series("val", c);
      s.add(Svg.Series.line("train", Svg.PALETTE[0], xs(tr), ys(tr)));
      if (!va.isEmpty()) {
        s.add(Svg.Series.line("val", Svg.PALETTE[1], xs(va), ys(va)));
      }
      JsonNode bl = run.baselines.path("val").path(c);
      if (bl.isArray() && !bl.isEmpty() && !tr.isEmpty()) {
        JsonNode b = bl.get(0);
        double v = RunFiles.number(b.path("value"));
        if (Double.isFinite(v)) {
          s.add(new Svg.Series("val baseline: " + b.path("label").asText(), "#7f7f7f",
              new double[] {tr.firstKey(), tr.lastKey()}, new double[] {v, v}, "dashed",
              Map.of("baseline", RunFiles.exact(v), "label", b.path("label").asText())));
        }
      }
      sb.append(Svg.chart("loss-" + id(c), "loss", c.equals("total") ? "total loss" : c + " (raw)", "epoch", "loss",
          s, null));
    }
    sb.append("</div>\n");
    if (run.baselines.isMissingNode()) {
      sb.append("<p class=\"note\" id=\"no-baselines\">This run folder has no baselines.json (a run of an older "
          + "holdout): no baselines drawn.</p>\n");
    }
  }

  private static void valMetrics(StringBuilder sb, RunFiles run) {
    List<String> metrics = run.metricColumns();
    if (metrics.isEmpty() || run.metrics.split("val").isEmpty()) {
      return;
    }
    sb.append("<h2>Validation metrics per epoch</h2>\n<div class=\"charts\">");
    int i = 0;
    for (String m : metrics) {
      TreeMap<Integer, Double> v = run.series("val", m);
      sb.append(Svg.chart("val-metric-" + id(m), "val-metric", "val " + m, "epoch", m,
          List.of(Svg.Series.line(m, Svg.PALETTE[(i++ + 2) % Svg.PALETTE.length], xs(v), ys(v))), null));
    }
    sb.append("</div>\n");
  }

  private static void lr(StringBuilder sb, RunFiles run) {
    TreeMap<Integer, Double> lr = run.series("train", "lr");
    sb.append("<h2>Learning rate</h2>\n<div class=\"charts\">")
        .append(Svg.chart("lr", "lr", "learning rate per epoch", "epoch", "lr",
            List.of(Svg.Series.line("lr", "#555555", xs(lr), ys(lr))), null))
        .append("</div>\n");
  }

  private static void tasks(StringBuilder sb, RunFiles run) {
    RunFiles.Csv preds = RunFiles.Csv.read(run.dir.resolve("test-predictions.csv"));
    if (preds.header().isEmpty()) {
      sb.append("<h2>Per task</h2><p class=\"note\" id=\"no-predictions\">No test-predictions.csv in the run "
          + "folder (the test_predictions callback was off): no per-task detail.</p>\n");
      return;
    }
    if (!run.config.path("detection").isMissingNode() && !run.config.path("detection").isNull()) {
      Detection.section(sb, run, preds);
      return;
    }
    run.config.path("model").path("heads").fields().forEachRemaining(e -> {
      String head = e.getKey();
      String target = e.getValue().path("target").asText(head);
      String type = e.getValue().path("type").asText();
      if (type.equals("classification")) {
        classification(sb, run, preds, head, target);
      } else if (type.equals("regression")) {
        regression(sb, preds, head, target);
      }
    });
  }

  private static void classification(StringBuilder sb, RunFiles run, RunFiles.Csv preds, String head, String target) {
    List<String> classes = new ArrayList<>();
    run.preprocessing.path("heads").path(head).path("classes").forEach(c -> classes.add(c.asText()));
    int width = (int) preds.header().stream().filter(h -> h.startsWith("logit_" + head + "_")).count();
    boolean binaryLogit = width == 0 && preds.column("logit_" + head) >= 0;
    int k = binaryLogit ? 2 : width;
    if (k == 0 || preds.column("target_" + target) < 0) {
      sb.append("<h2>").append(Html.esc(head)).append("</h2><p class=\"note\">test-predictions.csv has no logits for "
          + "this head.</p>");
      return;
    }
    while (classes.size() < k) {
      classes.add(String.valueOf(classes.size()));
    }
    int n = preds.rows().size();
    int[] label = new int[n];
    double[][] score = new double[n][k];
    for (int i = 0; i < n; i++) {
      List<String> r = preds.rows().get(i);
      label[i] = (int) preds.number(r, "target_" + target);
      if (binaryLogit) {
        double z = preds.number(r, "logit_" + head);
        score[i][1] = 1 / (1 + Math.exp(-z));
        score[i][0] = 1 - score[i][1];
      } else {
        double[] z = new double[k];
        for (int j = 0; j < k; j++) {
          z[j] = preds.number(r, "logit_" + head + "_" + j);
        }
        score[i] = softmax(z);
      }
    }
    int[][] cm = new int[k][k];
    int skipped = 0;
    for (int i = 0; i < n; i++) {
      if (label[i] < 0 || label[i] >= k) {
        skipped++;
        continue;
      }
      cm[label[i]][argmax(score[i])]++;
    }
    sb.append("<h2>").append(Html.esc(head)).append(" (classification)</h2>\n<section class=\"task classification\" "
        + "data-head=\"").append(Html.esc(head)).append("\" data-samples=\"").append(n - skipped).append("\">");
    sb.append("<h3>Confusion matrix (test)</h3><table class=\"confusion-matrix cm\" id=\"cm-").append(id(head))
        .append("\" data-head=\"").append(Html.esc(head)).append("\"><tr><th class=\"l\">actual \\ predicted</th>");
    classes.forEach(c -> sb.append("<th>").append(Html.esc(c)).append("</th>"));
    sb.append("</tr>");
    for (int a = 0; a < k; a++) {
      sb.append("<tr><th class=\"l\">").append(Html.esc(classes.get(a))).append("</th>");
      for (int p = 0; p < k; p++) {
        sb.append("<td class=\"cm ").append(cm[a][p] == 0 ? "zero" : a == p ? "diag" : "off")
            .append("\" data-actual=\"").append(a).append("\" data-predicted=\"").append(p).append("\" data-count=\"")
            .append(cm[a][p]).append("\">").append(cm[a][p]).append("</td>");
      }
      sb.append("</tr>");
    }
    sb.append("</table>");
    sb.append("<h3>Per class</h3><table class=\"per-class\" id=\"per-class-").append(id(head))
        .append("\"><tr><th class=\"l\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th>"
            + "<th>predicted</th></tr>");
    for (int c = 0; c < k; c++) {
      int support = 0;
      int predicted = 0;
      for (int j = 0; j < k; j++) {
        support += cm[c][j];
        predicted += cm[j][c];
      }
      double p = predicted == 0 ? 0 : (double) cm[c][c] / predicted;
      double r = support == 0 ? 0 : (double) cm[c][c] / support;
      double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
      sb.append("<tr class=\"class-row\" data-class=\"").append(Html.esc(classes.get(c))).append("\" data-precision=\"")
          .append(RunFiles.exact(p)).append("\" data-recall=\"").append(RunFiles.exact(r)).append("\" data-f1=\"")
          .append(RunFiles.exact(f1)).append("\" data-support=\"").append(support).append("\"><td class=\"l\">")
          .append(Html.esc(classes.get(c))).append("</td><td>").append(Html.f4(p)).append("</td><td>")
          .append(Html.f4(r)).append("</td><td>").append(Html.f4(f1)).append("</td><td>").append(support)
          .append("</td><td>").append(predicted).append("</td></tr>");
    }
    sb.append("</table>");
    List<Svg.Series> roc = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      double[][] curve = roc(score, label, c);
      if (curve == null) {
        continue;
      }
      roc.add(Svg.Series.line(classes.get(c), Svg.PALETTE[c % Svg.PALETTE.length], curve[0], curve[1])
          .with(Map.of("class", classes.get(c), "auc", RunFiles.exact(curve[2][0]))));
    }
    roc.add(new Svg.Series("chance", "#bbbbbb", new double[] {0, 1}, new double[] {0, 1}, "dashed", Map.of()));
    sb.append("<h3>ROC curves (one class against the rest, test)</h3><div class=\"charts\">")
        .append(Svg.chart("roc-" + id(head), "roc", head + " ROC", "false positive rate", "true positive rate", roc,
            new Svg.Bounds(0, 1, 0, 1)))
        .append("</div></section>\n");
  }

  /** x = FPR, y = TPR at each distinct score, highest first; [2][0] = trapezoidal AUC; null without both kinds. */
  static double[][] roc(double[][] score, int[] label, int c) {
    Integer[] order = new Integer[label.length];
    int pos = 0;
    for (int i = 0; i < label.length; i++) {
      order[i] = i;
      pos += label[i] == c ? 1 : 0;
    }
    int neg = label.length - pos;
    if (pos == 0 || neg == 0) {
      return null;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -score[i][c]));
    List<double[]> pts = new ArrayList<>(List.of(new double[] {0, 0}));
    int tp = 0;
    int fp = 0;
    for (int j = 0; j < order.length; j++) {
      if (label[order[j]] == c) {
        tp++;
      } else {
        fp++;
      }
      if (j + 1 == order.length || score[order[j + 1]][c] != score[order[j]][c]) {
        pts.add(new double[] {(double) fp / neg, (double) tp / pos});
      }
    }
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    double auc = 0;
    for (int j = 0; j < pts.size(); j++) {
      x[j] = pts.get(j)[0];
      y[j] = pts.get(j)[1];
      if (j > 0) {
        auc += (x[j] - x[j - 1]) * (y[j] + y[j - 1]) / 2;
      }
    }
    return new double[][] {x, y, {auc}};
  }

  private static void regression(StringBuilder sb, RunFiles.Csv preds, String head, String target) {
    List<String> predCols = new ArrayList<>();
    List<String> targetCols = new ArrayList<>();
    if (preds.column("pred_" + head) >= 0) {
      predCols.add("pred_" + head);
      targetCols.add("target_" + target);
    } else {
      for (int j = 0; preds.column("pred_" + head + "_" + j) >= 0; j++) {
        predCols.add("pred_" + head + "_" + j);
        targetCols.add("target_" + target + "_" + j);
      }
    }
    if (predCols.isEmpty()) {
      return;
    }
    int n = preds.rows().size();
    int w = predCols.size();
    double[] x = new double[n * w];
    double[] resid = new double[n * w];
    double r2 = 0;
    double se = 0;
    double ae = 0;
    for (int k = 0; k < w; k++) {
      double mean = 0;
      for (List<String> r : preds.rows()) {
        mean += preds.number(r, targetCols.get(k));
      }
      mean /= n;
      double res = 0;
      double tot = 0;
      for (int i = 0; i < n; i++) {
        List<String> r = preds.rows().get(i);
        double y = preds.number(r, targetCols.get(k));
        double p = preds.number(r, predCols.get(k));
        x[i * w + k] = p;
        resid[i * w + k] = y - p;
        res += (y - p) * (y - p);
        tot += (y - mean) * (y - mean);
        ae += Math.abs(y - p);
      }
      se += res;
      r2 += tot == 0 ? (res == 0 ? 1 : 0) : 1 - res / tot;
    }
    r2 /= w;
    double mse = se / (n * w);
    double mae = ae / (n * w);
    sb.append("<h2>").append(Html.esc(head)).append(" (regression)</h2>\n<section class=\"task regression\" data-head=\"")
        .append(Html.esc(head)).append("\" data-samples=\"").append(n).append("\">");
    sb.append("<table class=\"regression-figures\" id=\"regression-").append(id(head)).append("\" data-r2=\"")
        .append(RunFiles.exact(r2)).append("\" data-mae=\"").append(RunFiles.exact(mae)).append("\" data-rmse=\"")
        .append(RunFiles.exact(Math.sqrt(mse))).append("\" data-mse=\"").append(RunFiles.exact(mse))
        .append("\"><tr><th>R²</th><th>MAE</th><th>RMSE</th><th>MSE</th><th>samples</th></tr><tr><td>")
        .append(Html.f4(r2)).append("</td><td>").append(Html.f4(mae)).append("</td><td>").append(Html.f4(Math.sqrt(mse)))
        .append("</td><td>").append(Html.f4(mse)).append("</td><td>").append(n).append("</td></tr></table>");
    sb.append("<p class=\"note\">From the test samples of test-predictions.csv, in the target's units.</p>");
    double lo = Arrays.stream(x).min().orElse(0);
    double hi = Arrays.stream(x).max().orElse(1);
    sb.append("<div class=\"charts\">").append(Svg.chart("residuals-" + id(head), "residuals",
        head + ": residual (target − prediction)", "prediction", "residual", List.of(
            new Svg.Series("test samples", Svg.PALETTE[0], x, resid, "points", Map.of()),
            new Svg.Series("zero", "#999999", new double[] {lo, hi}, new double[] {0, 0}, "dashed", Map.of())), null))
        .append("</div></section>\n");
  }

  static double[] softmax(double[] z) {
    double max = Arrays.stream(z).max().orElse(0);
    double[] e = new double[z.length];
    double s = 0;
    for (int j = 0; j < z.length; j++) {
      e[j] = Math.exp(z[j] - max);
      s += e[j];
    }
    for (int j = 0; j < z.length; j++) {
      e[j] /= s;
    }
    return e;
  }

  static int argmax(double[] v) {
    int a = 0;
    for (int j = 1; j < v.length; j++) {
      if (v[j] > v[a]) {
        a = j;
      }
    }
    return a;
  }

  static double[] xs(TreeMap<Integer, Double> m) {
    return m.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
  }

  static double[] ys(TreeMap<Integer, Double> m) {
    return m.values().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** A name made safe for an id. */
  static String id(String s) {
    return s.replaceAll("[^A-Za-z0-9_-]", "_");
  }

  private static int parseInt(String s) {
    try {
      return s == null ? 0 : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
