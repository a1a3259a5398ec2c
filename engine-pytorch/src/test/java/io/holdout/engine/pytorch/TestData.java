package io.holdout.engine.pytorch;

import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded inputs and small sessions for the tests; one backend per test JVM. */
final class TestData {
  static final PyTorchBackend BACKEND = new PyTorchBackend();

  private TestData() {}

  // the same seeded draws as the conformance suite's fixtures
  static float[] normal(SplittableRandom r, int n, double scale) {
    return Fixtures.normal(r, n, scale);
  }

  static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
    return Fixtures.uniform(r, n, lo, hi);
  }

  static long[] labels(SplittableRandom r, int n, int classes) {
    return Fixtures.labels(r, n, classes);
  }

  static Tensor floats(float[] v, long... shape) {
    return Tensor.ofFloats(shape, v);
  }

  static Tensor longs(long[] v, long... shape) {
    return Tensor.ofLongs(shape, v);
  }

  static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("s" + i);
    }
    return ids;
  }

  /** A batch of the given named tensors. */
  static Batch batch(Object... namesAndTensors) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTensors.length; i += 2) {
      m.put((String) namesAndTensors[i], (Tensor) namesAndTensors[i + 1]);
    }
    int n = (int) m.values().iterator().next().dim(0);
    return new Batch(ids(n), m);
  }

  static LossComponentSpec loss(
      String name, String type, String output, String target, Object... params) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < params.length; i += 2) {
      p.put((String) params[i], params[i + 1]);
    }
    return new LossComponentSpec(name, type, 1.0, output, target, p);
  }

  static LossSpec lossSpec(LossComponentSpec... c) {
    return new LossSpec(List.of(c));
  }

  static SessionSpec spec(ModelSpec model, Weights w, LossSpec loss, OptimizerSpec opt) {
    return new SessionSpec(model, w, loss, opt, Device.CPU, 42, 1, 1);
  }

  static TrainingSession open(ModelSpec model, Weights w, LossSpec loss, OptimizerSpec opt) {
    return BACKEND.open(spec(model, w, loss, opt));
  }

  static OptimizerSpec optimizer(
      String type, double lr, double momentum, boolean nesterov, double wd, double clip) {
    return new OptimizerSpec(type, lr, momentum, nesterov, wd, 0.9, 0.999, 1e-8, clip);
  }
}
