package io.holdout.api.extension;

import io.holdout.api.config.LoadedConfig;
import io.holdout.api.model.ModelSpec;
import java.util.Objects;

/**
 * What a metric factory may read besides its entry: the run's loaded config (e.g. its {@code
 * detection} section: anchors, box encoding, NMS) and the model it measures (its heads and the
 * shapes of their outputs).
 *
 * @param config the run's loaded config
 * @param model the run's model
 */
public record MetricContext(LoadedConfig config, ModelSpec model) {
  public MetricContext {
    Objects.requireNonNull(config, "config is null");
    Objects.requireNonNull(model, "model is null");
  }
}
