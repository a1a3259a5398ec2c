package io.holdout.checks;

import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/** Seeded inputs, batches, loss and session specs for conformance tests. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code n} normal values of standard deviation {@code scale} (Box-Muller, seeded). */
  public static float[] normal(SplittableRandom r, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double u1 = 1 - r.nextDouble();
      double u2 = r.nextDouble();
      v[i] = (float) (scale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return v;
  }

  /** {@code n} values uniform in {@code [lo, hi)}. */
  public static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return v;
  }

  /** {@code n} class labels in {@code [0, classes)}. */
  public static long[] labels(SplittableRandom r, int n, int classes) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(classes);
    }
    return v;
  }

  public static Tensor floats(float[] v, long... shape) {
    return Tensor.ofFloats(shape, v);
  }

  public static Tensor longs(long[] v, long... shape) {
    return Tensor.ofLongs(shape, v);
  }

  /** Sample ids {@code s0 .. s(n-1)}. */
  public static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("s" + i);
    }
    return ids;
  }

  /** A batch of the given names and tensors: {@code batch("input", x, "t", y)}. */
  public static Batch batch(Object... namesAndTensors) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTensors.length; i += 2) {
      m.put((String) namesAndTensors[i], (Tensor) namesAndTensors[i + 1]);
    }
    return batch(m);
  }

  /** A batch of the given tensors; the size is the first tensor's first dimension. */
  public static Batch batch(Map<String, Tensor> tensors) {
    int n = (int) tensors.values().iterator().next().dim(0);
    return new Batch(ids(n), tensors);
  }

  /** A loss component of weight 1 with the given parameters ({@code "beta", 0.5, ...}). */
  public static LossComponentSpec loss(
      String name, String type, String output, String target, Object... params) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < params.length; i += 2) {
      p.put((String) params[i], params[i + 1]);
    }
    return new LossComponentSpec(name, type, 1.0, output, target, p);
  }

  public static LossSpec lossSpec(LossComponentSpec... c) {
    return new LossSpec(List.of(c));
  }

  /** MSE of every head against the batch tensor of the same name prefixed {@code t_}. */
  public static LossSpec mseOnEveryHead(ModelSpec spec) {
    List<LossComponentSpec> c = new ArrayList<>();
    spec.heads().forEach(h -> c.add(LossComponentSpec.of("mse_" + h.name(), "mse", 1, h.name(), "t_" + h.name())));
    return new LossSpec(c);
  }

  /** A CPU session spec with seed 42 and one intra-op and one inter-op thread. */
  public static SessionSpec spec(ModelSpec model, Weights w, LossSpec loss, OptimizerSpec opt) {
    return spec(model, w, loss, opt, 42);
  }

  public static SessionSpec spec(ModelSpec model, Weights w, LossSpec loss, OptimizerSpec opt, long seed) {
    Objects.requireNonNull(model, "model is null");
    return new SessionSpec(model, w, loss, opt, Device.CPU, seed, 1, 1);
  }

  /** An optimizer with Adam's default betas and eps. */
  public static OptimizerSpec optimizer(
      String type, double lr, double momentum, boolean nesterov, double wd, double clip) {
    return new OptimizerSpec(type, lr, momentum, nesterov, wd, 0.9, 0.999, 1e-8, clip);
  }

  /** Plain SGD at learning rate {@code lr}. */
  public static OptimizerSpec sgd(double lr) {
    return OptimizerSpec.sgd(lr, 0);
  }

  /** Doubles of floats. */
  public static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
