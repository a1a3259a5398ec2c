package io.holdout.engine.tensorflow;

import io.holdout.api.backend.Backend;
import io.holdout.engine.pytorch.PyTorchBackend;

/** One instance of each backend per test JVM (their natives load once). */
final class TestBackends {
  static final TensorFlowBackend TENSORFLOW = new TensorFlowBackend();

  static final Backend PYTORCH = new PyTorchBackend();

  private TestBackends() {}
}
