package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.detection.BoxDecoding;
import io.holdout.api.export.ExportRequest;
import io.holdout.api.export.Exporter;
import io.holdout.api.export.Exporters;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.extension.Extensions;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.datasets.transform.Standardizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code holdout export}: writes a finished run's model, from its folder alone, as a standalone
 * file through the {@link Exporter} of the asked format, found on the class path ({@link
 * Exporters}); the CLI knows no engine. The request holds the model, its weights, the preprocessing
 * (input form, the training split's statistics), a detector's box decoding and the metadata below.
 * The ONNX exporter ({@code holdout-engine-onnx}) writes a file (opset 18) that takes raw inputs: a
 * table's raw feature values (float {@code [batch, features]}, standardised in the graph with the
 * run's statistics) or an image's decoded pixels (uint8 {@code [batch, height, width, 3]}, RGB,
 * any size: scaled to [0, 1], resized and standardised in the graph). Outputs: each head under its name (logits for classification heads,
 * values in the target's units for regression heads), each classification head's softmax {@code
 * <head>_probabilities}, and for a detector {@code boxes} (decoded corners) and {@code scores}
 * (softmax probabilities, column 0 the background); NMS is left to the caller. The metadata names
 * the inputs, outputs, classes per head and units, and holds {@code preprocessing.json}.
 */
public final class Export {
  private Export() {}

  /**
   * Writes the run's model in {@code format} (e.g. {@code onnx}) and checks the file by loading it
   * as a consumer would (ONNX: a fresh ONNX Runtime session).
   *
   * @param outFile the file to write (null: {@code RUN_FOLDER/model.<extension>})
   * @throws HoldoutException with one line listing the formats present when {@code format} is not one
   */
  public static Path run(Path runDir, String format, String weightsName, Path outFile, String holdoutVersion,
      PrintWriter out) {
    Exporter exporter = Exporters.find(Extensions.installed().exporters().values(), format);
    SavedRun saved = SavedRun.open(runDir);
    Weights w = saved.weights(weightsName);
    Path target = outFile != null ? outFile : saved.run.dir().resolve("model." + exporter.fileExtension());
    ModelSpec model = saved.model;
    Preprocessing prep = saved.prep;
    Standardizer std = prep.input().standardizer();
    float[] mean = std == null ? null : std.mean();
    float[] sd = std == null ? null : std.std();
    boolean image = prep.input().isImage();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("holdout_version", holdoutVersion);
    meta.put("config_hash", saved.loaded.hash());
    String splitHash = saved.splitHash();
    if (splitHash != null) {
      meta.put("split_hash", splitHash);
    }
    meta.put("experiment", saved.loaded.config().name());
    meta.put("run", saved.run.dir().getFileName().toString());
    meta.put("weights", weightsName);
    meta.put("input_shape", Arrays.toString(model.inputShape()));
    long[] in = model.inputShape();
    if (image) {
      meta.put(INPUT_FORMAT, "image");
      meta.put("input", "uint8 [batch, height, width, 3]: RGB pixels 0-255, channels last, any height and width;"
          + " the graph scales them to [0, 1], " + (in[0] == 1 ? "takes the luma, " : "") + "resizes them"
          + " (bilinear, half-pixel centres) to " + in[1] + "x" + in[2] + (std != null ? " and standardises them"
          + " with the training split's statistics" : "") + "; all images of one call have one size");
      meta.put("image_size", in[1] + "x" + in[2]);
    } else {
      meta.put(INPUT_FORMAT, "features");
      meta.put("input_features", String.join(",", prep.input().features()));
      meta.put("input", "float32 [batch, " + in[0] + "]: raw feature values in the order of input_features, in"
          + " the units of the training CSV" + (std != null ? "; the graph standardises them with the training"
          + " split's statistics" : ""));
    }
    StringBuilder outputs = new StringBuilder();
    List<String> classes = prep.detectionClasses();
    for (HeadSpec h : model.heads()) {
      Preprocessing.Head ph = prep.heads().get(h.name());
      if (ph.kind() == HeadKind.CLASSIFICATION) {
        meta.put("classes." + h.name(), String.join(",", ph.classes()));
        if (!h.isMultiScale()) {
          outputs.append(h.name()).append(": logits [batch, ").append(ph.classes().size()).append("]; ")
              .append(h.name()).append(Exporter.PROBABILITIES).append(": softmax probabilities in the order of"
                  + " classes.").append(h.name()).append("; ");
          if (classes.isEmpty()) {
            classes = ph.classes();
          }
        } else {
          outputs.append(h.name()).append(": class logits per anchor (background first); ");
        }
      } else {
        Preprocessing.Target t = prep.targets().get(ph.target());
        String units = t != null && t.column() != null ? "the units of column " + t.column() : "target " + ph.target();
        if (!h.isMultiScale()) {
          meta.put("units." + h.name(), units);
          outputs.append(h.name()).append(": values in ").append(units).append("; ");
        } else {
          outputs.append(h.name()).append(": box offsets per anchor; ");
        }
      }
    }
    if (!classes.isEmpty()) {
      meta.put("classes", String.join(",", classes));
    }
    DetectionSetup det = saved.detection;
    BoxDecoding decoding = null;
    if (det != null) {
      var nms = det.config().nms();
      outputs.append("boxes: [batch, anchors, 4] normalised (xmin, ymin, xmax, ymax); scores: [batch, anchors,"
          + " classes + 1] softmax probabilities (column 0 = background); apply per-class NMS; ");
      meta.put("detection", "outputs boxes [batch, anchors, 4] as normalised (xmin, ymin, xmax, ymax) and scores"
          + " [batch, anchors, classes + 1] (column 0 = background); apply per-class NMS");
      meta.put("nms_iou", String.valueOf(nms.iou()));
      meta.put("nms_score", String.valueOf(nms.score()));
      meta.put("nms_top_k", String.valueOf(nms.topK()));
      decoding = new BoxDecoding(det.config().loc(), det.config().conf(), det.anchors().centres(),
          det.config().variances().get(0), det.config().variances().get(1));
    }
    meta.put("outputs", outputs.toString().replaceAll("; $", ""));
    meta.put("preprocessing", prep.toTree().toString());
    ExportRequest request = new ExportRequest(model, w, image ? ExportRequest.Input.IMAGE
        : ExportRequest.Input.FEATURES, mean, sd, decoding, meta);
    ModelFileInfo info = exporter.export(request, target);
    info.checkFits(model, image ? new long[] {-1, -1, 3} : model.inputShape());
    out.printf(Locale.ROOT, "wrote %s (%s, %s)%n", target, exporter.description(), size(target));
    info.inputs().forEach((k, v) -> out.printf(Locale.ROOT, "  input  %-8s %s %s%n", k, dims(v, image),
        image ? "uint8 RGB pixels 0-255 (scaled, resized" + (std != null ? ", standardised" : "") + " in the graph)"
            : "raw " + String.join(", ", prep.input().features()) + (std != null ? " (standardised in the graph)" : "")));
    info.outputs().forEach((k, v) -> out.printf(Locale.ROOT, "  output %-8s %s%s%n", k, dims(v, false),
        model.heads().stream().map(HeadSpec::name).anyMatch(k::equals) ? ""
            : k.endsWith(Exporter.PROBABILITIES) ? "  (softmax)" : "  (decoded)"));
    out.printf(Locale.ROOT, "  metadata holdout_version=%s config_hash=%s%n", holdoutVersion, saved.loaded.hash());
    out.flush();
    return target;
  }

  /** The metadata key naming what the input takes: {@code features} or {@code image}. */
  public static final String INPUT_FORMAT = "input_format";

  private static String dims(long[] shape, boolean image) {
    String[] names = {"batch", "height", "width"};
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i] >= 0 ? String.valueOf(shape[i])
          : image && i < names.length ? names[i] : "batch");
    }
    return sb.append(']').toString();
  }

  private static String size(Path file) {
    try {
      return String.format(Locale.ROOT, "%.1f MB", java.nio.file.Files.size(file) / 1e6);
    } catch (java.io.IOException e) {
      throw new HoldoutException(file + ": cannot read back the exported file: " + e.getMessage(), e);
    }
  }
}
