package io.holdout.engine.pytorch;

import io.holdout.api.backend.Backend;
import io.holdout.testkit.BackendConformanceTest;

/** The shared backend conformance suite (module testkit), run against PyTorch. */
class PyTorchConformanceTest extends BackendConformanceTest {
  private static final Backend BACKEND = new PyTorchBackend();

  @Override
  protected Backend backend() {
    return BACKEND;
  }
}
