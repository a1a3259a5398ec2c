package io.holdout.api.export;

import io.holdout.api.HoldoutException;
import java.nio.file.Path;

/**
 * Writes a trained model as a standalone file of one format, with its preprocessing and
 * postprocessing inside, that other tools load without holdout. Found through an {@link
 * ExporterProvider} on the class path (the ONNX one lives in {@code holdout-engine-onnx}).
 */
public interface Exporter {
  /** The suffix of a classification head's softmax output, next to its logits. */
  String PROBABILITIES = "_probabilities";

  /** The format's name, as {@code holdout export --format} takes it ({@code onnx}). */
  String format();

  /** The usual file extension, without the dot ({@code onnx}). */
  String fileExtension();

  /** A short description of what is written, for messages ({@code ONNX opset 18}). */
  String description();

  /**
   * Writes {@code request} to {@code file}, then checks the file by loading it as a consumer
   * would.
   *
   * @return what the written file declares
   * @throws HoldoutException with one line naming the file when it cannot be written or loaded
   */
  ModelFileInfo export(ExportRequest request, Path file);
}
