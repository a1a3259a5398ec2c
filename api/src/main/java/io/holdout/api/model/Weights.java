package io.holdout.api.model;

import io.holdout.api.HoldoutException;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A model's state as neutral tensors, keyed by the portable names of {@link
 * ModelSpec#parameters()}. This is what moves between engines and into checkpoints.
 */
public final class Weights {
  private final Map<String, Tensor> tensors;

  public Weights(Map<String, Tensor> tensors) {
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no weight '" + name + "'");
    }
    return t;
  }

  /**
   * Seeded, engine-neutral initialisation with PyTorch's defaults: weights and biases of dense and
   * convolution layers uniform in {@code ±1/sqrt(fanIn)}, batch-norm scale 1, shift 0, running
   * mean 0 and variance 1, layer-norm and L2-norm scales their fill value, embeddings normal(0,
   * 1). Each tensor draws from its own stream derived from the seed and its name, so adding a layer
   * does not change the others.
   */
  public static Weights initialize(ModelSpec spec, long seed) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (ParamInfo p : spec.parameters()) {
      int n = (int) Tensor.elementCount(p.shape());
      float[] v = new float[n];
      switch (p.role()) {
        case WEIGHT, BIAS -> {
          SplittableRandom rnd = new SplittableRandom(mix(seed, p.name()));
          double bound = 1.0 / Math.sqrt(p.fanIn());
          for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
          }
        }
        case BN_GAMMA, BN_RUNNING_VAR -> Arrays.fill(v, 1f);
        case SCALE -> Arrays.fill(v, (float) p.fill());
        case EMBEDDING -> {
          Random rnd = new Random(mix(seed, p.name()));
          for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
          }
        }
        case BN_BETA, BN_RUNNING_MEAN, SHIFT -> {}
      }
      out.put(p.name(), Tensor.ofFloats(p.shape(), v));
    }
    return new Weights(out);
  }

  private static long mix(long seed, String name) {
    long h = seed ^ 0x9E3779B97F4A7C15L;
    for (int i = 0; i < name.length(); i++) {
      h = (h ^ name.charAt(i)) * 0x100000001B3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  /**
   * Checks that these weights fit {@code spec}: the same names, shapes and float dtype.
   *
   * @param source what the weights were read from, for the error message
   */
  public void checkFits(ModelSpec spec, String source) {
    List<ParamInfo> params = spec.parameters();
    for (ParamInfo p : params) {
      Tensor t = tensors.get(p.name());
      if (t == null) {
        throw new HoldoutException(source + ": missing weight '" + p.name() + "' that the model needs");
      }
      if (t.dtype() != DType.FLOAT32) {
        throw new HoldoutException(source + ": weight '" + p.name() + "' is " + t.dtype() + ", expected FLOAT32");
      }
      if (!Arrays.equals(t.shape(), p.shape())) {
        throw new HoldoutException(
            source
                + ": weight '"
                + p.name()
                + "' has shape "
                + Arrays.toString(t.shape())
                + " but the model expects "
                + Arrays.toString(p.shape()));
      }
    }
    if (tensors.size() != params.size()) {
      for (String name : tensors.keySet()) {
        if (params.stream().noneMatch(p -> p.name().equals(name))) {
          throw new HoldoutException(source + ": unexpected weight '" + name + "' not in the model");
        }
      }
    }
  }

  /** Largest absolute element-wise difference to {@code other} (same names required). */
  public double maxAbsDiff(Weights other) {
    double max = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      float[] a = e.getValue().toFloatArray();
      float[] b = other.get(e.getKey()).toFloatArray();
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
    }
    return max;
  }

  /** A deep copy (fresh buffers). */
  public Weights copy() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> out.put(k, v.copy()));
    return new Weights(out);
  }
}
