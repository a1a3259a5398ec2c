package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.Weights;
import io.holdout.engine.onnx.OnnxExport;
import io.holdout.engine.onnx.OnnxModelFile;
import io.holdout.engine.onnx.OnnxModelInfo;
import io.holdout.engine.onnx.SsdDecoding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code holdout export}: writes a finished run's model as a standalone ONNX file (opset 18): input
 * {@code input} {@code [batch, ...]} with a dynamic batch dimension, one output per head, and for a
 * detector also {@code boxes} (decoded corners) and {@code scores} (softmax probabilities, column 0
 * the background); NMS is left to the caller. The file's metadata names the holdout version, the
 * config hash and what a program needs to use it (classes, NMS settings).
 */
public final class Export {
  private Export() {}

  /** Writes the ONNX file and checks it by loading it in a fresh ONNX Runtime session. */
  public static Path onnx(Path runDir, String weightsName, Path outFile, String holdoutVersion, PrintWriter out) {
    RunFolder run = RunFolder.open(runDir);
    LoadedConfig loaded = ConfigLoader.load(run.file(RunFolder.CONFIG), List.of());
    Path weightsFile = run.dir().resolve(weightsName);
    Path target = outFile != null ? outFile : run.dir().resolve("model.onnx");
    try (Experiment.Prepared p = new Experiment.Prepared(loaded, null)) {
      Weights w = Experiment.readWeights(weightsFile);
      w.checkFits(p.model, weightsFile.toString());
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("holdout_version", holdoutVersion);
      meta.put("config_hash", loaded.hash());
      meta.put("split_hash", p.data.split().hash());
      meta.put("experiment", loaded.config().name());
      meta.put("run", run.dir().getFileName().toString());
      meta.put("weights", weightsName);
      meta.put("input_shape", Arrays.toString(p.model.inputShape()));
      List<String> classes = p.classNames();
      if (!classes.isEmpty()) {
        meta.put("classes", String.join(",", classes));
      }
      DetectionSetup det = p.data.detection();
      if (det == null) {
        OnnxExport.write(target, p.model, w, meta);
      } else {
        var nms = det.config().nms();
        meta.put("detection", "outputs boxes [batch, anchors, 4] as normalised (xmin, ymin, xmax, ymax) and scores"
            + " [batch, anchors, classes + 1] (column 0 = background); apply per-class NMS");
        meta.put("nms_iou", String.valueOf(nms.iou()));
        meta.put("nms_score", String.valueOf(nms.score()));
        meta.put("nms_top_k", String.valueOf(nms.topK()));
        SsdDecoding decoding = new SsdDecoding(det.config().loc(), det.config().conf(), det.anchors().centres(),
            det.config().variances().get(0), det.config().variances().get(1));
        OnnxExport.write(target, p.model, w, meta, decoding);
      }
      OnnxModelInfo info = OnnxModelFile.validate(target);
      info.checkFits(p.model);
      out.printf(Locale.ROOT, "wrote %s (ONNX opset 18, %s)%n", target, size(target));
      info.inputs().forEach((k, v) -> out.printf(Locale.ROOT, "  input  %-8s %s%n", k, dims(v)));
      info.outputs().forEach((k, v) -> out.printf(Locale.ROOT, "  output %-8s %s%s%n", k, dims(v),
          p.model.heads().stream().map(HeadSpec::name).anyMatch(k::equals) ? "" : "  (decoded)"));
      out.printf(Locale.ROOT, "  metadata holdout_version=%s config_hash=%s%n", holdoutVersion, loaded.hash());
      out.flush();
      return target;
    }
  }

  private static String dims(long[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "batch" : String.valueOf(shape[i]));
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
