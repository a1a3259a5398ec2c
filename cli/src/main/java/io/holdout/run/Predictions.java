package io.holdout.run;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.BoxTruth;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import io.holdout.datasets.detection.BoxDecoder;
import io.holdout.datasets.detection.GroundTruth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Per-sample results of one split, saved as {@code <split>-predictions.csv}, sorted worst first by
 * the sample's weighted total loss: sample id, each target, each head's output (class scores as
 * softmax probabilities plus the predicted class, then the raw logits), and each loss component for
 * that sample. Targets, regression outputs and logits are written exactly (the float's value), so
 * every metric can be recomputed from the file. Use it
 * to find the samples that drive the loss — hard, ambiguous or mislabelled ones.
 */
public final class Predictions implements TrainingListener {
  private final String split;
  private final Path file;
  private final LossSpec loss;
  private final Map<String, Boolean> classificationHeads;
  private final List<Row> rows = new ArrayList<>();
  private List<String> header;
  private final DetectionSetup detection;
  private final BoxDecoder decoder;
  private final List<String> classNames;

  record Row(double total, List<String> cells) {}

  /**
   * @param classificationHeads head name → whether it outputs class logits
   */
  public Predictions(String split, Path file, LossSpec loss, Map<String, Boolean> classificationHeads) {
    this(split, file, loss, classificationHeads, null, List.of());
  }

  /**
   * For a detection model, pass its {@code detection} setup and class names: instead of every
   * anchor's outputs, each row then lists the image's objects and its detections (score ≥ 0.5, after
   * NMS) as {@code class score [xmin ymin xmax ymax]}.
   */
  public Predictions(String split, Path file, LossSpec loss, Map<String, Boolean> classificationHeads,
      DetectionSetup detection, List<String> classNames) {
    this.split = split;
    this.file = file;
    this.loss = loss;
    this.classificationHeads = Map.copyOf(classificationHeads);
    this.detection = detection;
    this.decoder = detection == null ? null : detection.decoder(DISPLAY_SCORE);
    this.classNames = List.copyOf(classNames);
  }

  /** Score from which a detection is listed in the CSV and drawn by {@code holdout predict}. */
  public static final double DISPLAY_SCORE = 0.5;

  @Override
  public void onEvalBatch(TrainingContext ctx, String evalSplit, Batch batch, EvalResult r) {
    if (evalSplit.equals(split)) {
      add(batch, r);
    }
  }

  @Override
  public void onTestEnd(TrainingContext ctx, EvalSummary summary) {
    if (split.equals("test")) {
      write();
    }
  }

  /** Adds one evaluated batch. */
  public void add(Batch batch, EvalResult r) {
    if (detection != null) {
      addDetections(batch, r);
      return;
    }
    Set<String> targets = new LinkedHashSet<>();
    loss.components().forEach(c -> targets.add(c.target()));
    if (header == null) {
      header = new ArrayList<>(List.of("id", "loss_total"));
      for (String t : targets) {
        Tensor tt = batch.get(t);
        int w = width(tt);
        for (int j = 0; j < w; j++) {
          header.add(w == 1 ? "target_" + t : "target_" + t + "_" + j);
        }
      }
      r.outputs().forEach((head, out) -> {
        int w = width(out);
        boolean cls = classificationHeads.getOrDefault(head, false);
        if (cls) {
          header.add("pred_" + head);
        }
        for (int j = 0; j < w; j++) {
          header.add((cls ? "p_" : "pred_") + head + (w == 1 ? "" : "_" + j));
        }
        if (cls) {
          for (int j = 0; j < w; j++) {
            header.add("logit_" + head + (w == 1 ? "" : "_" + j));
          }
        }
      });
      loss.components().forEach(c -> header.add("loss_" + c.name()));
    }
    for (int i = 0; i < batch.size(); i++) {
      List<String> cells = new ArrayList<>();
      cells.add(csv(batch.ids().get(i)));
      double total = 0;
      for (LossComponentSpec c : loss.components()) {
        float[] ps = r.perSampleLosses().get(c.name());
        if (ps != null) {
          total += c.weight() * ps[i];
        }
      }
      cells.add(num(total));
      for (String t : targets) {
        Tensor tt = batch.get(t);
        int w = width(tt);
        for (int j = 0; j < w; j++) {
          cells.add(tt.dtype() == DType.INT64 ? String.valueOf(tt.toLongArray()[i * w + j])
              : exact(tt.toFloatArray()[i * w + j]));
        }
      }
      for (Map.Entry<String, Tensor> e : r.outputs().entrySet()) {
        float[] o = e.getValue().toFloatArray();
        int w = width(e.getValue());
        if (classificationHeads.getOrDefault(e.getKey(), false)) {
          double[] p = softmax(o, i * w, w);
          cells.add(String.valueOf(argmax(p)));
          for (double x : p) {
            cells.add(num(x));
          }
          for (int j = 0; j < w; j++) {
            cells.add(exact(o[i * w + j]));
          }
        } else {
          for (int j = 0; j < w; j++) {
            cells.add(exact(o[i * w + j]));
          }
        }
      }
      for (LossComponentSpec c : loss.components()) {
        float[] ps = r.perSampleLosses().get(c.name());
        cells.add(ps == null ? "" : num(ps[i]));
      }
      rows.add(new Row(total, cells));
    }
  }

  private void addDetections(Batch batch, EvalResult r) {
    if (header == null) {
      header = new ArrayList<>(List.of("id", "loss_total", "objects", "detections"));
      loss.components().forEach(c -> header.add("loss_" + c.name()));
    }
    List<BoxTruth> truth = GroundTruth.of(batch);
    List<BoxPredictions> found = decoder.decode(r, detection.config().loc(), detection.config().conf());
    for (int i = 0; i < batch.size(); i++) {
      List<String> cells = new ArrayList<>();
      cells.add(csv(batch.ids().get(i)));
      double total = 0;
      for (LossComponentSpec c : loss.components()) {
        float[] ps = r.perSampleLosses().get(c.name());
        if (ps != null) {
          total += c.weight() * ps[i];
        }
      }
      cells.add(num(total));
      BoxTruth t = truth.get(i);
      cells.add(csv(boxes(t.boxes(), t.classes(), null)));
      BoxPredictions p = found.get(i);
      cells.add(csv(boxes(p.boxes(), p.classes(), p.scores())));
      for (LossComponentSpec c : loss.components()) {
        float[] ps = r.perSampleLosses().get(c.name());
        cells.add(ps == null ? "" : num(ps[i]));
      }
      rows.add(new Row(total, cells));
    }
  }

  /** {@code ellipse 0.97 [0.12 0.30 0.45 0.61]; ...} (1-based classes, 0 being the background). */
  String boxes(float[] b, int[] classes, float[] scores) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < classes.length; k++) {
      sb.append(k == 0 ? "" : "; ");
      int c = classes[k];
      sb.append(c >= 1 && c <= classNames.size() ? classNames.get(c - 1) : "class " + c);
      if (scores != null) {
        sb.append(String.format(Locale.ROOT, " %.2f", scores[k]));
      }
      sb.append(String.format(Locale.ROOT, " [%.3f %.3f %.3f %.3f]", b[4 * k], b[4 * k + 1], b[4 * k + 2],
          b[4 * k + 3]));
    }
    return sb.toString();
  }

  /** Softmax of the {@code width} logits at {@code from} (stable: the largest is subtracted first). */
  static double[] softmax(float[] logits, int from, int width) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < width; j++) {
      max = Math.max(max, logits[from + j]);
    }
    double[] p = new double[width];
    double z = 0;
    for (int j = 0; j < width; j++) {
      p[j] = Math.exp(logits[from + j] - max);
      z += p[j];
    }
    for (int j = 0; j < width; j++) {
      p[j] /= z;
    }
    return p;
  }

  /** The index of the largest value, the first one on ties. */
  static int argmax(double[] v) {
    int arg = 0;
    for (int j = 1; j < v.length; j++) {
      if (v[j] > v[arg]) {
        arg = j;
      }
    }
    return arg;
  }

  /** Writes the CSV, worst sample first. */
  public void write() {
    if (header == null) {
      return;
    }
    rows.sort(Comparator.comparingDouble(Row::total).reversed());
    StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
    rows.forEach(r -> sb.append(String.join(",", r.cells())).append('\n'));
    AtomicFiles.writeString(file, sb.toString());
  }

  /** The ids of the {@code n} worst samples, after {@link #write()}. */
  public List<String> worst(int n) {
    return rows.stream().limit(n).map(r -> r.cells().get(0) + " (loss " + r.cells().get(1) + ")").toList();
  }

  private static int width(Tensor t) {
    return t.rank() == 1 ? 1 : (int) (t.elementCount() / t.dim(0));
  }

  /**
   * A model output or float target exactly: the float's value as the shortest decimal that reads
   * back as the same double, so metrics recomputed from the file equal the run's.
   */
  static String exact(float v) {
    return Double.toString(v);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
