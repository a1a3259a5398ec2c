package io.holdout.api.backend;

import com.google.inject.Module;

/**
 * Service-provider entry of a backend module, listed in {@code
 * META-INF/services/io.holdout.api.backend.BackendProvider}. It must be cheap: no native loading.
 */
public interface BackendProvider {
  /** The config name, e.g. {@code pytorch}. */
  String name();

  /** Maven artifact that provides it, for messages such as "add holdout-engine-onnx". */
  String artifact();

  /** A Guice module binding {@link Backend} (and anything the backend needs). */
  Module module();
}
