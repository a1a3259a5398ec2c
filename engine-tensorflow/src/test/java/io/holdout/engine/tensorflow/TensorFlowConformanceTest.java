package io.holdout.engine.tensorflow;

import io.holdout.api.backend.Backend;
import io.holdout.testkit.BackendConformanceTest;

/** The backend conformance suite, run against the TensorFlow backend. */
class TensorFlowConformanceTest extends BackendConformanceTest {
  @Override
  protected Backend backend() {
    return TestBackends.TENSORFLOW;
  }
}
