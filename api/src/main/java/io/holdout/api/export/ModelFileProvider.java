package io.holdout.api.export;

import io.holdout.api.HoldoutException;
import java.nio.file.Path;

/**
 * Service-provider entry of a runner of standalone model files of one format (what {@code holdout
 * predict --onnx FILE} uses), listed in {@code
 * META-INF/services/io.holdout.api.export.ModelFileProvider}. It must be cheap: no native loading
 * until {@link #open}.
 */
public interface ModelFileProvider {
  /** The format's name, e.g. {@code onnx}. */
  String format();

  /** Maven artifact that provides it, for messages such as "add holdout-engine-onnx". */
  String artifact();

  /**
   * Opens {@code file} to run it.
   *
   * @throws HoldoutException with one line naming the file when it cannot be read or loaded
   */
  ModelFile open(Path file);
}
