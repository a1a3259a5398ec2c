package io.holdout.engine.onnx;

import com.google.inject.Module;
import io.holdout.api.backend.BackendProvider;

/**
 * Service-provider entry of this module ({@code META-INF/services/io.holdout.api.backend
 * .BackendProvider}): backend {@value OnnxBackend#NAME}, artifact {@code holdout-engine-onnx}.
 */
public final class OnnxBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return OnnxBackend.NAME;
  }

  @Override
  public String artifact() {
    return "holdout-engine-onnx";
  }

  @Override
  public Module module() {
    return new OnnxModule();
  }
}
