package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.holdout.api.HoldoutException;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ModelSpec} compiled into eager PyTorch operations over raw parameter arrays, named and
 * ordered exactly as {@link ModelSpec#parameters()}. Trainable arrays require gradients; batch-norm
 * running statistics do not and are updated in place by PyTorch's {@code batch_norm} in training.
 */
final class CompiledModel {
  /** PyTorch's batch-norm defaults. */
  static final double BN_MOMENTUM = 0.1;

  static final double BN_EPS = 1e-5;

  /** {@code gather} (the default) or {@code permute}: how multi-scale heads rearrange to channels last. */
  static final String LAYOUT_PROPERTY = "holdout.pytorch.multiScaleLayout";

  private final ModelSpec spec;
  private final List<ParamInfo> params;
  private final NDArray[] state;
  private final List<Op> trunk;
  private final Map<String, List<Op>> heads = new LinkedHashMap<>();
  private final Map<String, MultiScaleOp> multiScaleHeads = new LinkedHashMap<>();

  /**
   * Compiles {@code spec} with {@code initial} weights, copied into arrays owned by {@code owner}.
   */
  CompiledModel(ModelSpec spec, Weights initial, NDManager owner) {
    this.spec = spec;
    this.params = spec.parameters();
    initial.checkFits(spec, "initial weights");
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < params.size(); i++) {
      index.put(params.get(i).name(), i);
    }
    this.trunk = compile("trunk", spec.trunk(), index);
    boolean gather = !"permute".equals(System.getProperty(LAYOUT_PROPERTY, "gather"));
    for (HeadSpec h : spec.heads()) {
      if (h.isMultiScale()) {
        multiScaleHeads.put(h.name(), MultiScaleOp.compile(h, index, gather, owner));
      } else {
        heads.put(h.name(), compile("heads." + h.name(), h.layers(), index));
      }
    }
    this.state = new NDArray[params.size()];
    load(initial, owner);
  }

  private static List<Op> compile(
      String prefix, List<LayerSpec> layers, Map<String, Integer> index) {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      String p = prefix + "." + i + ".";
      LayerSpec l = layers.get(i);
      ops.add(compile(l, p, index));
    }
    return List.copyOf(ops);
  }

  private static Op compile(LayerSpec l, String p, Map<String, Integer> index) {
    if (l instanceof LayerSpec.Dense) {
      return new DenseOp(index.get(p + "weight"), index.get(p + "bias"));
    } else if (l instanceof LayerSpec.Conv2d c) {
      return new ConvOp(index.get(p + "weight"), index.get(p + "bias"), c.stride(), c.padding());
    } else if (l instanceof LayerSpec.BatchNorm) {
      return new BatchNormOp(
          index.get(p + "weight"),
          index.get(p + "bias"),
          index.get(p + "running_mean"),
          index.get(p + "running_var"));
    } else if (l instanceof LayerSpec.MaxPool m) {
      return new MaxPoolOp(m.kernel(), m.stride());
    } else if (l instanceof LayerSpec.Flatten) {
      return new FlattenOp();
    } else if (l instanceof LayerSpec.Relu) {
      return new ReluOp();
    } else if (l instanceof LayerSpec.Dropout d) {
      return new DropoutOp(d.rate());
    }
    throw new IllegalArgumentException("layer type '" + l.type() + "' is not compiled by pytorch");
  }

  ModelSpec spec() {
    return spec;
  }

  List<ParamInfo> params() {
    return params;
  }

  /**
   * Every state array (parameters and running statistics), in {@link ModelSpec#parameters()} order.
   */
  NDArray[] state() {
    return state;
  }

  /**
   * Indices of the arrays an optimizer updates: trainable parameters of the trunk and of the heads
   * in {@code usedHeads} (a head no loss reads gets no gradient, and PyTorch skips such
   * parameters).
   */
  int[] trainable(Collection<String> usedHeads) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      ParamInfo p = params.get(i);
      if (!p.role().trainable()) {
        continue;
      }
      boolean inTrunk = p.name().startsWith("trunk.");
      boolean inUsedHead =
          usedHeads.stream().anyMatch(h -> p.name().startsWith("heads." + h + "."));
      if (inTrunk || inUsedHead) {
        out.add(i);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Replaces every state array by a copy of {@code w} (which must fit), owned by {@code owner}. */
  void load(Weights w, NDManager owner) {
    w.checkFits(spec, "weights");
    for (int i = 0; i < params.size(); i++) {
      ParamInfo p = params.get(i);
      NDArray fresh = Tensors.copy(owner, w.get(p.name()));
      if (p.role().trainable()) {
        fresh.setRequiresGradient(true);
      }
      NDArray old = state[i];
      state[i] = fresh;
      if (old != null) {
        old.close();
      }
    }
  }

  /** Copies every state array out; call inside a step (temporaries go to the arrays' manager). */
  Weights weights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      out.put(params.get(i).name(), Tensors.toTensor(state[i]));
    }
    return new Weights(out);
  }

  /**
   * Runs the trunk, then each head in {@code wanted}, on {@code x} of shape {@code [batch,
   * ...input]}. New arrays belong to the managers of their inputs (the step's manager).
   */
  Map<String, NDArray> forward(
      NDArray x, boolean training, Collection<String> wanted, DropoutMasks dropout) {
    long[] shape = x.getShape().getShape();
    long[] expected = spec.inputShape();
    if (shape.length != expected.length + 1
        || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), expected)) {
      throw new HoldoutException(
          "batch input has shape "
              + Arrays.toString(shape)
              + " but the model expects [batch, "
              + Arrays.toString(expected).replaceAll("[\\[\\]]", "")
              + "]");
    }
    NDArray[] taps = new NDArray[trunk.size()];
    boolean[] tapped = new boolean[trunk.size()];
    for (Map.Entry<String, MultiScaleOp> h : multiScaleHeads.entrySet()) {
      if (wanted.contains(h.getKey())) {
        for (int i : h.getValue().taps()) {
          tapped[i] = true;
        }
      }
    }
    NDArray t = x;
    for (int i = 0; i < trunk.size(); i++) {
      t = trunk.get(i).apply(t, state, training, dropout);
      if (tapped[i]) {
        taps[i] = t;
      }
    }
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (HeadSpec h : spec.heads()) {
      String name = h.name();
      if (!wanted.contains(name)) {
        continue;
      }
      if (h.isMultiScale()) {
        out.put(name, multiScaleHeads.get(name).apply(taps, state));
        continue;
      }
      NDArray y = t;
      for (Op op : heads.get(name)) {
        y = op.apply(y, state, training, dropout);
      }
      out.put(name, y);
    }
    return out;
  }

  /**
   * A multi-scale head (see {@link HeadSpec}): per tap a 3×3 convolution (stride 1, padding 1) to
   * {@code k·units} channels, rearranged from {@code [B, k·units, H, W]} to {@code [B, H·W·k,
   * units]} (channels last: anchor {@code (h·W + w)·k + a}, unit {@code u} is channel {@code a·units
   * + u}); the taps concatenated along axis 1.
   *
   * <p>The rearrangement is a {@code gather} over the flattened convolution output with an index
   * built once per tap and batch size, not a permute-and-reshape: the gradient a permute hands
   * back is a strided view, and a convolution backward fed such a view computed a wrong input
   * gradient on one machine (docs/backends.md, "Numbers checked on your machine"); {@code
   * gather}'s backward scatters into a fresh dense tensor, so the convolution sees only dense
   * arrays. The system property {@value
   * #LAYOUT_PROPERTY}{@code =permute} keeps the permute path (for side-by-side benchmarks).
   */
  private static final class MultiScaleOp {
    /** Index arrays kept per tap (batch sizes seen most recently). */
    private static final int CACHED_BATCH_SIZES = 4;

    private final int[] taps;
    private final int[] weights;
    private final int[] biases;
    private final int units;
    private final boolean gather;
    private final NDManager owner;
    private final List<Map<Long, NDArray>> index = new ArrayList<>();

    private MultiScaleOp(int[] taps, int[] weights, int[] biases, int units, boolean gather, NDManager owner) {
      this.taps = taps;
      this.weights = weights;
      this.biases = biases;
      this.units = units;
      this.gather = gather;
      this.owner = owner;
      for (int j = 0; j < taps.length; j++) {
        index.add(new LinkedHashMap<>(8, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, NDArray> eldest) {
            if (size() > CACHED_BATCH_SIZES) {
              eldest.getValue().close();
              return true;
            }
            return false;
          }
        });
      }
    }

    static MultiScaleOp compile(HeadSpec h, Map<String, Integer> index, boolean gather, NDManager owner) {
      int n = h.taps().size();
      int[] taps = new int[n];
      int[] weights = new int[n];
      int[] biases = new int[n];
      for (int j = 0; j < n; j++) {
        String p = "heads." + h.name() + "." + j + ".";
        taps[j] = h.taps().get(j);
        weights[j] = index.get(p + "weight");
        biases[j] = index.get(p + "bias");
      }
      return new MultiScaleOp(taps, weights, biases, h.units(), gather, owner);
    }

    int[] taps() {
      return taps;
    }

    NDArray apply(NDArray[] features, NDArray[] s) {
      NDArray[] parts = new NDArray[taps.length];
      for (int j = 0; j < taps.length; j++) {
        NDArray f = features[taps[j]];
        NDArray y =
            Conv2d.conv2d(
                    f,
                    s[weights[j]],
                    s[biases[j]],
                    new Shape(1, 1),
                    new Shape(1, 1),
                    new Shape(1, 1),
                    1)
                .singletonOrThrow();
        long batch = f.getShape().get(0);
        if (gather) {
          long[] d = y.getShape().getShape();
          NDArray flat = y.reshape(batch, d[1] * d[2] * d[3]);
          parts[j] = flat.gather(channelsLast(j, d), 1).reshape(batch, -1, units);
        } else {
          parts[j] = y.transpose(0, 2, 3, 1).reshape(batch, -1, units);
        }
      }
      return parts.length == 1 ? parts[0] : NDArrays.concat(new NDList(parts), 1);
    }

    /**
     * {@code [B, C·H·W]} positions: entry {@code (h·W + w)·C + c} of each row reads channel
     * {@code c} at {@code (h, w)} of the NCHW output, i.e. {@code c·H·W + h·W + w}.
     */
    private NDArray channelsLast(int tap, long[] d) {
      return index.get(tap).computeIfAbsent(d[0], b -> {
        int c = (int) d[1];
        int hw = (int) (d[2] * d[3]);
        int n = c * hw;
        long[] row = new long[n];
        for (int p = 0; p < hw; p++) {
          for (int k = 0; k < c; k++) {
            row[p * c + k] = (long) k * hw + p;
          }
        }
        long[] all = new long[(int) (b * n)];
        for (int i = 0; i < b; i++) {
          System.arraycopy(row, 0, all, i * n, n);
        }
        return owner.create(all, new Shape(b, n));
      });
    }
  }

  /** One compiled layer. */
  private sealed interface Op {
    NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout);
  }

  /** {@code y = x W^T + b} (PyTorch's {@code linear}). */
  private record DenseOp(int weight, int bias) implements Op {
    @Override
    public NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return Linear.linear(x, s[weight], s[bias]).singletonOrThrow();
    }
  }

  /** 2-D convolution, OIHW weights, square stride and zero padding. */
  private record ConvOp(int weight, int bias, int stride, int padding) implements Op {
    @Override
    public NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return Conv2d.conv2d(
              x,
              s[weight],
              s[bias],
              new Shape(stride, stride),
              new Shape(padding, padding),
              new Shape(1, 1),
              1)
          .singletonOrThrow();
    }
  }

  /**
   * PyTorch's {@code batch_norm} over axis 1 (features of {@code [B, F]} or channels of {@code [B,
   * C, H, W]}): batch statistics and an in-place running-statistics update (unbiased variance) in
   * training, running statistics in evaluation.
   */
  private record BatchNormOp(int gamma, int beta, int mean, int var) implements Op {
    @Override
    public NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return JniUtils.batchNorm(
          (PtNDArray) x,
          (PtNDArray) s[mean],
          (PtNDArray) s[var],
          (PtNDArray) s[gamma],
          (PtNDArray) s[beta],
          training,
          BN_MOMENTUM,
          BN_EPS);
    }
  }

  /** Max pooling, square window, no padding, floor rounding. */
  private record MaxPoolOp(int kernel, int stride) implements Op {
    @Override
    public NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return Pool.maxPool2d(
          x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(0, 0), false);
    }
  }

  /** {@code [B, c, h, w] -> [B, c*h*w]}, row-major. */
  private record FlattenOp() implements Op {
    @Override
    public NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return x.reshape(x.getShape().get(0), -1);
    }
  }

  private record ReluOp() implements Op {
    @Override
    public NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return Activation.relu(x);
    }
  }

  /** Inverted dropout in training, identity in evaluation. */
  private record DropoutOp(double rate) implements Op {
    @Override
    public NDArray apply(NDArray x, NDArray[] s, boolean training, DropoutMasks dropout) {
      if (!training || rate == 0) {
        return x;
      }
      return x.mul(dropout.mask(x.getManager(), x.getShape(), rate));
    }
  }
}
