package io.holdout.api.extension;

import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Transform;
import java.util.Map;

/**
 * Builds a training augmentation named in {@code data.transforms: - {type: NAME, params: {...}}}.
 * Called once per run, before anything is written, so a bad parameter fails at start.
 */
@FunctionalInterface
public interface TransformFactory {
  /**
   * @param params the entry's {@code params} (never null; empty when absent)
   * @param schema what the samples hold: the input's shape and names, the targets; a transform that
   *     only fits images checks {@code schema.inputShape()} here
   * @throws io.holdout.api.HoldoutException one line naming the parameter at fault (holdout prefixes
   *     the file and the entry)
   */
  Transform create(Map<String, Object> params, DatasetSchema schema);
}
