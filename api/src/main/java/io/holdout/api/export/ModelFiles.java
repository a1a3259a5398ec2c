package io.holdout.api.export;

import io.holdout.api.HoldoutException;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Discovers runners of standalone model files on the class path through {@link ServiceLoader}
 * ({@link ModelFileProvider}).
 */
public final class ModelFiles {
  private ModelFiles() {}

  /** Every model-file format that can be run, sorted by name. */
  public static List<ModelFileProvider> discover() {
    return Providers.discover(ModelFileProvider.class, ModelFileProvider::format, "a model-file runner");
  }

  /**
   * Opens {@code file} with the runner of {@code format}.
   *
   * @throws HoldoutException with one line listing the formats present when none is named so, or
   *     naming the file when it cannot be read or loaded
   */
  public static ModelFile open(String format, Path file) {
    return Providers.find(discover(), ModelFileProvider::format, format, "model-file format").open(file);
  }
}
