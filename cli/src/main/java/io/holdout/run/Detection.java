package io.holdout.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.BoxTruth;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.tensor.Batch;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import io.holdout.datasets.detection.BoxDecoder;
import io.holdout.datasets.detection.GroundTruth;
import io.holdout.losses.metrics.DetectionMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A detector's part of the report: {@code test-detection-curves.json}, written at the test from
 * every decoded detection (the mAP's own decoding: NMS at the config's low score threshold), holds
 * per class the VOC AP at IoU 0.5 (as {@code DetectionMap.voc()} computes it) and its
 * precision-recall curve; the report draws those curves and a grid of the worst test images with
 * their true and predicted boxes from {@code test-predictions.csv}.
 */
final class Detection {
  static final String CURVES = "test-detection-curves.json";

  private Detection() {}

  /** Collects the test split's detections during a run and writes {@link #CURVES} after the test. */
  static final class Collector implements TrainingListener {
    private final Path file;
    private final DetectionSetup setup;
    private final BoxDecoder decoder;
    private final List<String> classes;
    private final List<BoxTruth> truth = new ArrayList<>();
    private final List<BoxPredictions> found = new ArrayList<>();

    Collector(Path runFolder, DetectionSetup setup, List<String> classes) {
      this.file = runFolder.resolve(CURVES);
      this.setup = setup;
      this.decoder = setup.decoder();
      this.classes = List.copyOf(classes);
    }

    @Override
    public void onEvalBatch(TrainingContext ctx, String split, Batch batch, EvalResult r) {
      if (split.equals("test")) {
        truth.addAll(GroundTruth.of(batch));
        found.addAll(decoder.decode(r, setup.config().loc(), setup.config().conf()));
      }
    }

    @Override
    public void onTestEnd(TrainingContext ctx, EvalSummary summary) {
      AtomicFiles.writeString(file, json(truth, found, classes).toPrettyString());
      truth.clear();
      found.clear();
    }
  }

  /** Per class (1-based ids, names from {@code classes}) its AP and precision-recall points. */
  static ObjectNode json(List<BoxTruth> truth, List<BoxPredictions> found, List<String> classes) {
    DetectionMap map = DetectionMap.voc();
    for (int i = 0; i < truth.size(); i++) {
      map.add(truth.get(i), found.get(i));
    }
    var result = map.result();
    ObjectNode o = RunFiles.JSON.createObjectNode();
    o.put("iou", 0.5);
    o.put("images", truth.size());
    o.put("method", "VOC all-point AP over every decoded detection (NMS score >= the config's nms.score)");
    putNumber(o, "map", result.map());
    ArrayNode per = o.putArray("classes");
    for (int c = 1; c <= classes.size(); c++) {
      ObjectNode k = per.addObject();
      k.put("id", c);
      k.put("name", classes.get(c - 1));
      double[][] pr = prCurve(truth, found, c);
      k.put("objects", (int) pr[2][0]);
      putNumber(k, "ap", result.perClass().getOrDefault(c, Double.NaN));
      ArrayNode rec = k.putArray("recall");
      ArrayNode prec = k.putArray("precision");
      int step = Math.max(1, pr[0].length / 300);
      for (int j = 0; j < pr[0].length; j += step) {
        rec.add(pr[0][j]);
        prec.add(pr[1][j]);
      }
      if (pr[0].length > 0 && (pr[0].length - 1) % step != 0) {
        rec.add(pr[0][pr[0].length - 1]);
        prec.add(pr[1][pr[1].length - 1]);
      }
    }
    return o;
  }

  private static void putNumber(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  /**
   * Recall and precision after each detection of class {@code c}, highest score first; each matched
   * to the unmatched object of its class in its image with the highest IoU ≥ 0.5 (difficult objects
   * neither counted nor matched). [2][0] is the number of objects.
   */
  static double[][] prCurve(List<BoxTruth> truth, List<BoxPredictions> found, int c) {
    record Det(int image, int index, float score) {}
    List<Det> dets = new ArrayList<>();
    int objects = 0;
    boolean[][] used = new boolean[truth.size()][];
    for (int i = 0; i < truth.size(); i++) {
      BoxTruth t = truth.get(i);
      used[i] = new boolean[t.size()];
      for (int j = 0; j < t.size(); j++) {
        if (t.classOf(j) == c && !t.isDifficult(j)) {
          objects++;
        }
      }
      BoxPredictions p = found.get(i);
      for (int j = 0; j < p.classes().length; j++) {
        if (p.classes()[j] == c) {
          dets.add(new Det(i, j, p.scores()[j]));
        }
      }
    }
    dets.sort(Comparator.comparingDouble((Det d) -> -d.score()));
    double[] recall = new double[dets.size()];
    double[] precision = new double[dets.size()];
    int tp = 0;
    for (int k = 0; k < dets.size(); k++) {
      Det d = dets.get(k);
      BoxTruth t = truth.get(d.image());
      float[] b = found.get(d.image()).boxes();
      int best = -1;
      double bestIou = 0;
      for (int j = 0; j < t.size(); j++) {
        if (t.classOf(j) != c) {
          continue;
        }
        double iou = iou(b, d.index(), t.boxes(), j);
        if (iou > bestIou) {
          bestIou = iou;
          best = j;
        }
      }
      if (best >= 0 && bestIou >= 0.5 && !t.isDifficult(best) && !used[d.image()][best]) {
        used[d.image()][best] = true;
        tp++;
      }
      recall[k] = objects == 0 ? 0 : (double) tp / objects;
      precision[k] = (double) tp / (k + 1);
    }
    return new double[][] {recall, precision, {objects}};
  }

  private static double iou(float[] a, int i, float[] b, int j) {
    double ix = Math.max(0, Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]));
    double iy = Math.max(0, Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]));
    double inter = ix * iy;
    double ua = (a[4 * i + 2] - a[4 * i]) * (a[4 * i + 3] - a[4 * i + 1]);
    double ub = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
    return inter <= 0 ? 0 : inter / (ua + ub - inter);
  }

  /** One box of a test-predictions.csv cell: class, score (NaN for an object) and corners. */
  record Box(String label, double score, double[] xyxy) {}

  private static final Pattern BOX = Pattern.compile("\\s*(.+?)(?: (\\d+(?:\\.\\d+)?))? \\[([-0-9.eE ]+)\\]\\s*");

  static List<Box> parse(String cell) {
    List<Box> out = new ArrayList<>();
    if (cell == null || cell.isBlank()) {
      return out;
    }
    for (String part : cell.split(";")) {
      Matcher m = BOX.matcher(part);
      if (!m.matches()) {
        continue;
      }
      double[] xy = Arrays.stream(m.group(3).trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
      if (xy.length == 4) {
        out.add(new Box(m.group(1), m.group(2) == null ? Double.NaN : Double.parseDouble(m.group(2)), xy));
      }
    }
    return out;
  }

  /** The report's detection section. */
  static void section(StringBuilder sb, RunFiles run, RunFiles.Csv preds) {
    JsonNode curves = RunFiles.JSON.createObjectNode();
    Path file = run.dir.resolve(CURVES);
    if (java.nio.file.Files.isRegularFile(file)) {
      try {
        curves = RunFiles.JSON.readTree(file.toFile());
      } catch (java.io.IOException e) {
        throw new io.holdout.api.HoldoutException(file + ": not valid JSON (" + e.getMessage() + ")");
      }
    }
    sb.append("<h2>Detection</h2>\n<section class=\"task detection\" data-images=\"").append(preds.rows().size())
        .append("\">");
    if (curves.path("classes").isArray() && !curves.path("classes").isEmpty()) {
      sb.append("<h3>Per class: AP at IoU 0.5 (test)</h3><table id=\"per-class-ap\"><tr><th class=\"l\">class</th>"
          + "<th>AP</th><th>objects</th></tr>");
      List<Svg.Series> series = new ArrayList<>();
      int i = 0;
      for (JsonNode k : curves.path("classes")) {
        String name = k.path("name").asText();
        double ap = RunFiles.number(k.path("ap"));
        sb.append("<tr class=\"class-ap\" data-class=\"").append(Html.esc(name)).append("\" data-ap=\"")
            .append(RunFiles.exact(ap)).append("\" data-objects=\"").append(k.path("objects").asInt())
            .append("\"><td class=\"l\">").append(Html.esc(name)).append("</td><td>").append(Html.f4(ap))
            .append("</td><td>").append(k.path("objects").asInt()).append("</td></tr>");
        series.add(Svg.Series.line(name, Svg.PALETTE[i++ % Svg.PALETTE.length], RunFiles.numbers(k.path("recall")),
            RunFiles.numbers(k.path("precision"))).with(Map.of("class", name, "ap", RunFiles.exact(ap))));
      }
      double map = RunFiles.number(curves.path("map"));
      sb.append("<tr class=\"map\" data-map=\"").append(RunFiles.exact(map)).append("\"><th class=\"l\">mean</th><td>")
          .append(Html.f4(map)).append("</td><td></td></tr></table>");
      sb.append("<p class=\"note\">").append(Html.esc(curves.path("method").asText())).append(", over ")
          .append(curves.path("images").asInt()).append(" test images.</p>");
      sb.append("<div class=\"charts\">").append(Svg.chart("pr-curves", "pr", "precision-recall per class (IoU 0.5)",
          "recall", "precision", series, new Svg.Bounds(0, 1, 0, 1))).append("</div>");
    } else {
      sb.append("<p class=\"note\" id=\"no-detection-curves\">No ").append(CURVES)
          .append(" in the run folder: no per-class curves.</p>");
    }
    grid(sb, run, preds);
    sb.append("</section>\n");
  }

  private static void grid(StringBuilder sb, RunFiles run, RunFiles.Csv preds) {
    int shown = Math.min(12, preds.rows().size());
    String source = run.configValue("data.source");
    sb.append("<h3>Worst test images</h3><p class=\"note\" id=\"images-note\">The ").append(shown)
        .append(" test images with the highest loss, worst first: true boxes green, detections (score ≥ 0.5) red "
            + "dashed. The pixels are not in the run folder (")
        .append(Html.esc("shapes".equals(source) ? "generated by the shapes source"
            : "read from " + run.configValue("data.path")))
        .append("), so the boxes are drawn on an empty frame.</p><div class=\"grid\" id=\"worst-images\">");
    for (int r = 0; r < shown; r++) {
      List<String> row = preds.rows().get(r);
      List<Box> objects = parse(preds.cell(row, "objects"));
      List<Box> dets = parse(preds.cell(row, "detections"));
      sb.append("<figure class=\"test-image\" data-rank=\"").append(r + 1).append("\" data-id=\"")
          .append(Html.esc(preds.cell(row, "id"))).append("\" data-loss=\"").append(Html.esc(preds.cell(row, "loss_total")))
          .append("\" data-objects=\"").append(objects.size()).append("\" data-detections=\"").append(dets.size())
          .append("\"><svg class=\"boxes\" width=\"192\" height=\"192\" viewBox=\"0 0 192 192\">"
              + "<rect width=\"192\" height=\"192\" fill=\"#f0f0f0\" stroke=\"#999\"/>");
      for (Box b : objects) {
        sb.append(rect(b, "truth", "#2ca02c", ""));
      }
      for (Box b : dets) {
        sb.append(rect(b, "detection", "#d62728", " stroke-dasharray=\"4 3\""));
      }
      sb.append("</svg><figcaption>#").append(r + 1).append(' ').append(Html.esc(preds.cell(row, "id")))
          .append(", loss ").append(Html.esc(preds.cell(row, "loss_total"))).append("</figcaption></figure>");
    }
    sb.append("</div>");
  }

  private static String rect(Box b, String cls, String color, String extra) {
    double[] v = b.xyxy();
    String label = b.label() + (Double.isNaN(b.score()) ? "" : " " + b.score());
    return "<g class=\"" + cls + "\" data-label=\"" + Html.esc(label) + "\"><rect x=\"" + Svg.f(192 * v[0]) + "\" y=\""
        + Svg.f(192 * v[1]) + "\" width=\"" + Svg.f(192 * (v[2] - v[0])) + "\" height=\"" + Svg.f(192 * (v[3] - v[1]))
        + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" + extra + "/><text x=\"" + Svg.f(192 * v[0] + 2)
        + "\" y=\"" + Svg.f(192 * v[1] + 10) + "\" font-size=\"9\" fill=\"" + color + "\">" + Html.esc(label)
        + "</text></g>";
  }
}
