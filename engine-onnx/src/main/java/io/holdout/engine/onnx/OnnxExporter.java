package io.holdout.engine.onnx;

import io.holdout.api.detection.BoxDecoding;
import io.holdout.api.export.ExportRequest;
import io.holdout.api.export.Exporter;
import io.holdout.api.export.ModelFileInfo;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Export format {@value #FORMAT}: {@link OnnxExport}'s standalone ONNX file (opset 18) with the
 * request's preprocessing ({@link OnnxPipeline}) and box decoding ({@link SsdDecoding}) in the
 * graph, checked by loading it in a fresh ONNX Runtime session ({@link OnnxModelFile#validate}).
 */
public final class OnnxExporter implements Exporter {
  /** The format's name. */
  public static final String FORMAT = "onnx";

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public String fileExtension() {
    return "onnx";
  }

  @Override
  public String description() {
    return "ONNX opset 18";
  }

  @Override
  public ModelFileInfo export(ExportRequest request, Path file) {
    Objects.requireNonNull(request, "request is null");
    Objects.requireNonNull(file, "file is null");
    BoxDecoding d = request.decoding();
    SsdDecoding decoding = d == null ? null
        : new SsdDecoding(d.locHead(), d.confHead(), d.anchors(), d.centreVariance(), d.sizeVariance());
    OnnxExport.write(file, request.model(), request.weights(), request.metadata(), decoding, pipeline(request));
    return OnnxModelFile.validate(file);
  }

  /** The graph's preprocessing (the request's input form and standardisation) and softmax outputs. */
  static OnnxPipeline pipeline(ExportRequest request) {
    return new OnnxPipeline(OnnxPipeline.Input.valueOf(request.input().name()), request.mean(), request.std(), true);
  }
}
