package io.holdout.api.model;

import io.holdout.api.HoldoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Reads a network file of one format into an {@link ImportedModel}. Implementations are found on the
 * class path through {@link ServiceLoader} (the ONNX one lives in {@code holdout-engine-onnx}), so the
 * api depends on no format library.
 */
public interface ModelImporter {
  /** The format, as the config key names it ({@code onnx}). */
  String format();

  /**
   * Reads {@code file} for inputs of {@code inputShape} (without the batch).
   *
   * @throws HoldoutException with one line naming the file (and the node and operator) when the file
   *     cannot be read or holds something outside the catalogue
   */
  ImportedModel read(Path file, long[] inputShape);

  /** The importer of {@code format} on the class path, or an error naming the module to add. */
  static ModelImporter of(String format) {
    List<String> found = new ArrayList<>();
    for (ModelImporter i : ServiceLoader.load(ModelImporter.class)) {
      if (i.format().equals(format)) {
        return i;
      }
      found.add(i.format());
    }
    throw new HoldoutException("no importer for '" + format + "' models on the class path (found: " + found
        + "); add holdout-engine-" + format);
  }
}
