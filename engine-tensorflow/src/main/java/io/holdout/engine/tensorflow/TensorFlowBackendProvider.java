package io.holdout.engine.tensorflow;

import com.google.inject.Module;
import io.holdout.api.backend.BackendProvider;

/**
 * Service-provider entry of this module ({@code META-INF/services/io.holdout.api.backend
 * .BackendProvider}): backend {@value TensorFlowBackend#NAME}, artifact {@code
 * holdout-engine-tensorflow}.
 */
public final class TensorFlowBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return TensorFlowBackend.NAME;
  }

  @Override
  public String artifact() {
    return "holdout-engine-tensorflow";
  }

  @Override
  public Module module() {
    return new TensorFlowModule();
  }
}
