package io.holdout.engine.onnx;

import io.holdout.api.backend.Backend;
import io.holdout.testkit.BackendConformanceTest;

/**
 * The backend conformance suite, run against the ONNX Runtime backend. Its capabilities declare no
 * training, so the suite skips what needs a training step and checks everything else: every loss
 * value and per-sample value, every layer's evaluation output, batch norm's running statistics in
 * evaluation, weights in and out, and that training, optimizers and GPUs are refused at open.
 */
class OnnxConformanceTest extends BackendConformanceTest {
  @Override
  protected Backend backend() {
    return TestBackends.ONNX;
  }
}
