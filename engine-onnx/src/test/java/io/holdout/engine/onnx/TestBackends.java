package io.holdout.engine.onnx;

import io.holdout.api.backend.Backend;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.engine.tensorflow.TensorFlowBackend;

/** One instance of each backend per test JVM (their natives load once). */
final class TestBackends {
  static final OnnxBackend ONNX = new OnnxBackend();

  static final Backend PYTORCH = new PyTorchBackend();

  static final Backend TENSORFLOW = new TensorFlowBackend();

  private TestBackends() {}
}
