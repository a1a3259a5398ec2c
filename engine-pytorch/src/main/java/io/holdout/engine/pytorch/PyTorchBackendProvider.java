package io.holdout.engine.pytorch;

import com.google.inject.Module;
import io.holdout.api.backend.BackendProvider;

/**
 * Service-provider entry of this module ({@code META-INF/services/io.holdout.api.backend
 * .BackendProvider}): backend {@value PyTorchBackend#NAME}, artifact {@code
 * holdout-engine-pytorch}.
 */
public final class PyTorchBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return PyTorchBackend.NAME;
  }

  @Override
  public String artifact() {
    return "holdout-engine-pytorch";
  }

  @Override
  public Module module() {
    return new PyTorchModule();
  }
}
