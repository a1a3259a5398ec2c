package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import io.holdout.api.model.Node;
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
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * A {@link ModelSpec} compiled into eager PyTorch operations over raw parameter arrays, named and
 * ordered exactly as {@link ModelSpec#parameters()}. Trainable arrays require gradients; batch-norm
 * running statistics do not and are updated in place by PyTorch's {@code batch_norm} in training.
 */
final class CompiledModel {
  /** PyTorch's batch-norm defaults. */
  static final double BN_MOMENTUM = 0.1;

  static final double BN_EPS = 1e-5;

  /** {@code gather} (the default) or {@code permute}: how anchors nodes rearrange to channels last. */
  static final String LAYOUT_PROPERTY = "holdout.pytorch.multiScaleLayout";

  private final ModelSpec spec;
  private final List<ParamInfo> params;
  private final NDArray[] state;
  private final List<Node> nodes;
  private final List<Op> ops = new ArrayList<>();
  /** The session's float type, captured at compile time: what {@link #load} converts weights to. */
  private final DataType floatType = Tensors.floatType();

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
    boolean gather = !"permute".equals(System.getProperty(LAYOUT_PROPERTY, "gather"));
    this.nodes = spec.graph();
    for (Node n : nodes) {
      ops.add(compile(n.op(), n.name() + ".", index, gather, owner));
    }
    this.state = new NDArray[params.size()];
    load(initial, owner);
  }

  private static Op compile(LayerSpec l, String p, Map<String, Integer> index, boolean gather, NDManager owner) {
    if (l instanceof LayerSpec.Dense) {
      return new DenseOp(index.get(p + "weight"), index.get(p + "bias"));
    } else if (l instanceof LayerSpec.Conv2d c) {
      return new ConvOp(index.get(p + "weight"), c.bias() ? index.get(p + "bias") : -1, c);
    } else if (l instanceof LayerSpec.BatchNorm) {
      return new BatchNormOp(
          index.get(p + "weight"),
          index.get(p + "bias"),
          index.get(p + "running_mean"),
          index.get(p + "running_var"));
    } else if (l instanceof LayerSpec.MaxPool m) {
      return new PoolOp(m.kernel(), m.stride(), m.padding(), m.ceil(), true);
    } else if (l instanceof LayerSpec.AvgPool m) {
      return new PoolOp(m.kernel(), m.stride(), m.padding(), m.ceil(), false);
    } else if (l instanceof LayerSpec.GlobalAvgPool) {
      return (x, s, training, dropout) -> {
        long[] d = x[0].getShape().getShape();
        return Pool.globalAvgPool2d(x[0]).reshape(d[0], d[1], 1, 1);
      };
    } else if (l instanceof LayerSpec.Flatten) {
      return (x, s, training, dropout) -> x[0].reshape(x[0].getShape().get(0), -1);
    } else if (l instanceof LayerSpec.Relu) {
      return (x, s, training, dropout) -> Activation.relu(x[0]);
    } else if (l instanceof LayerSpec.Activation a) {
      return activation(a);
    } else if (l instanceof LayerSpec.Dropout d) {
      return new DropoutOp(d.rate());
    } else if (l instanceof LayerSpec.Add) {
      return (x, s, training, dropout) -> fold(x, NDArray::add);
    } else if (l instanceof LayerSpec.Mul) {
      return (x, s, training, dropout) -> fold(x, NDArray::mul);
    } else if (l instanceof LayerSpec.Concat c) {
      return (x, s, training, dropout) -> NDArrays.concat(new NDList(x), c.axis() + 1);
    } else if (l instanceof LayerSpec.Anchors a) {
      return new AnchorsOp(a.units(), gather, owner);
    } else if (l instanceof LayerSpec.ConvTranspose2d c) {
      return new ConvTransposeOp(index.get(p + "weight"), c.bias() ? index.get(p + "bias") : -1, c, owner);
    } else if (l instanceof LayerSpec.LayerNorm n) {
      return new LayerNormOp(index.get(p + "weight"), index.get(p + "bias"), n);
    } else if (l instanceof LayerSpec.L2Norm) {
      return new L2NormOp(index.get(p + "weight"));
    } else if (l instanceof LayerSpec.Upsample u) {
      if (u.alignCorners()) {
        // DJL's interpolate gave other values than PyTorch for align_corners=true (conformance case
        // "upsample bilinear x3 align corners"): the interpolation matrices instead
        ShapeCache<NDArray[]> m = new ShapeCache<>(d -> new NDArray[] {
            matrix(owner, u.matrix((int) d[2]), d[2] * u.scale(), d[2]),
            matrix(owner, u.matrix((int) d[3]), d[3] * u.scale(), d[3]).transpose()});
        return (x, s, training, dropout) -> {
          NDArray[] hw = m.get(x[0].getShape().getShape());
          return hw[0].matMul(x[0].matMul(hw[1]));
        };
      }
      // libtorch's own kernels: upsample_nearest2d, upsample_bilinear2d (DJL modes 0 and 2)
      return (x, s, training, dropout) -> {
        long[] d = x[0].getShape().getShape();
        return JniUtils.interpolate((PtNDArray) x[0], new long[] {d[2] * u.scale(), d[3] * u.scale()},
            u.bilinear() ? 2 : 0, false);
      };
    } else if (l instanceof LayerSpec.Reshape r) {
      return (x, s, training, dropout) -> {
        long[] shape = new long[r.shape().size() + 1];
        shape[0] = x[0].getShape().get(0);
        for (int i = 0; i < r.shape().size(); i++) {
          shape[i + 1] = r.shape().get(i);
        }
        return x[0].reshape(new Shape(shape));
      };
    } else if (l instanceof LayerSpec.Embedding) {
      int table = index.get(p + "weight");
      // the int64 copy of the indices belongs to the step's manager, like every temporary
      return (x, s, training, dropout) -> JniUtils.embedding(
          (PtNDArray) x[0].toType(ai.djl.ndarray.types.DataType.INT64, false), (PtNDArray) s[table], false);
    }
    throw new IllegalArgumentException("layer type '" + l.type() + "' is not compiled by pytorch");
  }

  private static NDArray fold(NDArray[] x, BinaryOperator<NDArray> f) {
    NDArray y = x[0];
    for (int i = 1; i < x.length; i++) {
      y = f.apply(y, x[i]);
    }
    return y;
  }

  /**
   * PyTorch's own kernels, forward and backward: relu6, hard-sigmoid, hard-swish and SiLU through
   * {@link ScriptedOps} (libtorch's {@code hardtanh}, {@code hardsigmoid}, {@code hardswish} and
   * {@code silu}, which DJL does not bind), the others through DJL.
   */
  private static Op activation(LayerSpec.Activation a) {
    return switch (a.fn()) {
      case RELU6 -> scripted(ScriptedOps.Fn.RELU6);
      case LEAKY_RELU -> (x, s, training, dropout) -> Tensors.floatType() == DataType.FLOAT64
          // DJL's leakyRelu takes a float slope: in float64 the slope is a double scalar, with
          // leaky_relu's convention at 0 (the gradient there is the slope)
          ? NDArrays.where(x[0].gt(0), x[0], x[0].mul(Tensors.scalar(x[0].getManager(), a.alpha())))
          : Activation.leakyRelu(x[0], (float) a.alpha());
      case SIGMOID -> (x, s, training, dropout) -> Activation.sigmoid(x[0]);
      case TANH -> (x, s, training, dropout) -> Activation.tanh(x[0]);
      case GELU -> (x, s, training, dropout) -> Activation.gelu(x[0]);
      case SILU -> scripted(ScriptedOps.Fn.SILU);
      case HARD_SIGMOID -> scripted(ScriptedOps.Fn.HARD_SIGMOID);
      case HARD_SWISH -> scripted(ScriptedOps.Fn.HARD_SWISH);
      case SOFTMAX -> (x, s, training, dropout) -> x[0].softmax(1);
    };
  }

  private static Op scripted(ScriptedOps.Fn fn) {
    return (x, s, training, dropout) -> ScriptedOps.apply(fn, x[0]);
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
   * Indices of the arrays an optimizer updates: the trainable parameters that the heads in {@code
   * usedHeads} depend on (a parameter no loss reads gets no gradient, and PyTorch skips such
   * parameters).
   */
  int[] trainable(Collection<String> usedHeads) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < params.size(); i++) {
      index.put(params.get(i).name(), i);
    }
    return spec.trainableFor(usedHeads).stream().mapToInt(index::get).toArray();
  }

  /** Replaces every state array by a copy of {@code w} (which must fit), owned by {@code owner}. */
  void load(Weights w, NDManager owner) {
    w.checkFits(spec, "weights");
    for (int i = 0; i < params.size(); i++) {
      ParamInfo p = params.get(i);
      NDArray fresh = Tensors.copy(owner, w.get(p.name()));
      if (fresh.getDataType().isFloating() && fresh.getDataType() != floatType) {
        try (NDArray f32 = fresh) {
          fresh = f32.toType(floatType, true);
        }
      }
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
   * Runs the nodes that the heads in {@code wanted} depend on, in graph order, on {@code x} of
   * shape {@code [batch, ...input]}. New arrays belong to the managers of their inputs (the step's
   * manager).
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
    List<String> heads = spec.heads().stream().map(HeadSpec::name).filter(wanted::contains).toList();
    Set<String> needed = spec.nodesFor(heads);
    Map<String, NDArray> values = new HashMap<>();
    values.put(ModelSpec.INPUT, x);
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (!needed.contains(n.name())) {
        continue;
      }
      NDArray[] in = new NDArray[n.inputs().size()];
      for (int j = 0; j < in.length; j++) {
        in[j] = values.get(n.inputs().get(j));
      }
      values.put(n.name(), ops.get(i).apply(in, state, training, dropout));
    }
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (String h : heads) {
      out.put(h, values.get(spec.outputNode(h)));
    }
    return out;
  }

  /**
   * {@link LayerSpec.Anchors}: {@code [B, k·units, H, W]} to {@code [B, H·W·k, units]}, channels
   * last.
   *
   * <p>The rearrangement is a {@code gather} over the flattened input with an index built once per
   * input shape, not a permute-and-reshape: the gradient a permute hands back is a strided view,
   * and a convolution backward fed such a view computed a wrong input gradient on one machine
   * (docs/backends.md, "Numbers checked on your machine"); {@code gather}'s backward scatters into
   * a fresh dense tensor, so the convolution before it sees only dense arrays. The system property
   * {@value #LAYOUT_PROPERTY}{@code =permute} keeps the permute path (for side-by-side
   * benchmarks).
   */
  private static final class AnchorsOp implements Op {
    /** Index arrays kept (the input shapes seen most recently). */
    private static final int CACHED_SHAPES = 4;

    private final int units;
    private final boolean gather;
    private final NDManager owner;
    private final Map<List<Long>, NDArray> index = new LinkedHashMap<>(8, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<List<Long>, NDArray> eldest) {
        if (size() > CACHED_SHAPES) {
          eldest.getValue().close();
          return true;
        }
        return false;
      }
    };

    AnchorsOp(int units, boolean gather, NDManager owner) {
      this.units = units;
      this.gather = gather;
      this.owner = owner;
    }

    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      NDArray y = x[0];
      long[] d = y.getShape().getShape();
      long batch = d[0];
      if (!gather) {
        return y.transpose(0, 2, 3, 1).reshape(batch, -1, units);
      }
      NDArray flat = y.reshape(batch, d[1] * d[2] * d[3]);
      return flat.gather(channelsLast(d), 1).reshape(batch, -1, units);
    }

    /**
     * {@code [B, C·H·W]} positions: entry {@code (h·W + w)·C + c} of each row reads channel
     * {@code c} at {@code (h, w)} of the NCHW input, i.e. {@code c·H·W + h·W + w}.
     */
    private NDArray channelsLast(long[] d) {
      return index.computeIfAbsent(List.of(d[0], d[1], d[2], d[3]), key -> {
        long b = d[0];
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

  /** One compiled node, over its inputs' arrays. */
  private interface Op {
    NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout);
  }

  /** {@code y = x W^T + b} (PyTorch's {@code linear}). */
  private record DenseOp(int weight, int bias) implements Op {
    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return Linear.linear(x[0], s[weight], s[bias]).singletonOrThrow();
    }
  }

  /** 2-D convolution, OIHW weights, square stride, zero padding, dilation and groups. */
  private record ConvOp(int weight, int bias, LayerSpec.Conv2d c) implements Op {
    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return Conv2d.conv2d(
              x[0],
              s[weight],
              bias < 0 ? null : s[bias],
              new Shape(c.stride(), c.stride()),
              new Shape(c.padding(), c.padding()),
              new Shape(c.dilation(), c.dilation()),
              c.groups())
          .singletonOrThrow();
    }
  }

  /** A {@code [rows, cols]} float matrix of {@code values} (row-major), owned by {@code owner}. */
  private static NDArray matrix(NDManager owner, double[] values, long rows, long cols) {
    if (Tensors.floatType() == DataType.FLOAT64) {
      return owner.create(values, new Shape(rows, cols));
    }
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return owner.create(f, new Shape(rows, cols));
  }

  /**
   * Constant arrays built per input shape (the most recent few kept), owned by the model's manager
   * and closed when evicted.
   */
  private static final class ShapeCache<T> {
    private static final int CACHED_SHAPES = 4;

    private final java.util.function.Function<long[], T> make;
    private final Map<List<Long>, T> cache = new LinkedHashMap<>(8, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<List<Long>, T> eldest) {
        if (size() > CACHED_SHAPES) {
          close(eldest.getValue());
          return true;
        }
        return false;
      }
    };

    ShapeCache(java.util.function.Function<long[], T> make) {
      this.make = make;
    }

    T get(long[] shape) {
      return cache.computeIfAbsent(Arrays.stream(shape).boxed().toList(), k -> make.apply(shape));
    }

    private static void close(Object v) {
      if (v instanceof NDArray a) {
        a.close();
      } else if (v instanceof NDArray[] arrays) {
        for (NDArray a : arrays) {
          a.close();
        }
      }
    }
  }

  /**
   * A transposed convolution as the correlation it equals (DJL's PyTorch engine has no {@code
   * conv_transpose2d}): the input spread out by the stride with {@code k - 1 - padding} zeros
   * around it (output padding more at the bottom and right; a negative margin crops), through
   * {@code conv2d} at stride 1 with the kernel flipped and its in/out axes swapped. The spreading is
   * two matrix products with 0/1 matrices (exact in float), the kernel rearrangement a {@code
   * gather}, so every array the convolution and its backward see is dense.
   */
  private static final class ConvTransposeOp implements Op {
    private final int weight;
    private final int bias;
    private final LayerSpec.ConvTranspose2d c;
    private final ShapeCache<NDArray[]> spread;
    private final ShapeCache<NDArray> flip;

    ConvTransposeOp(int weight, int bias, LayerSpec.ConvTranspose2d c, NDManager owner) {
      this.weight = weight;
      this.bias = bias;
      this.c = c;
      this.spread = new ShapeCache<>(d -> new NDArray[] {
          matrix(owner, spreading(d[2]), padded(d[2]), d[2]),
          matrix(owner, spreading(d[3]), padded(d[3]), d[3]).transpose()});
      this.flip = new ShapeCache<>(w -> owner.create(flipIndex(w), new Shape(w[0] * w[1] * w[2] * w[3])));
    }

    /** The spread and padded length of {@code n} input cells. */
    private long padded(long n) {
      return (n - 1) * c.stride() + 2L * (c.kernel() - 1 - c.padding()) + 1 + c.outputPadding();
    }

    /** {@code [padded(n), n]}: input cell {@code a} lands on row {@code a·stride + k - 1 - padding}. */
    private double[] spreading(long n) {
      int rows = (int) padded(n);
      double[] m = new double[rows * (int) n];
      for (int a = 0; a < n; a++) {
        int r = a * c.stride() + c.kernel() - 1 - c.padding();
        if (r >= 0 && r < rows) {
          m[r * (int) n + a] = 1;
        }
      }
      return m;
    }

    /** Position in the {@code [in, out, k, k]} weight of each cell of the {@code [out, in, k, k]} flipped kernel. */
    private static long[] flipIndex(long[] w) {
      int in = (int) w[0];
      int out = (int) w[1];
      int k = (int) w[2];
      long[] idx = new long[in * out * k * k];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
              idx[((o * in + i) * k + u) * k + v] = ((long) (i * out + o) * k + (k - 1 - u)) * k + (k - 1 - v);
            }
          }
        }
      }
      return idx;
    }

    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      NDArray[] m = spread.get(x[0].getShape().getShape());
      NDArray spreadOut = m[0].matMul(x[0].matMul(m[1]));
      long[] w = s[weight].getShape().getShape();
      NDArray kernel = s[weight].reshape(-1).gather(flip.get(w), 0).reshape(w[1], w[0], w[2], w[3]);
      return Conv2d.conv2d(spreadOut, kernel, bias < 0 ? null : s[bias], new Shape(1, 1), new Shape(0, 0),
              new Shape(1, 1), 1)
          .singletonOrThrow();
    }
  }

  /**
   * Layer norm: PyTorch's {@code layer_norm} when the axis is the last one; otherwise (the channels
   * of an image) the mean and biased variance along the axis, kept for broadcasting.
   */
  private record LayerNormOp(int gamma, int beta, LayerSpec.LayerNorm n) implements Op {
    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      long[] d = x[0].getShape().getShape();
      int axis = n.axisOf(d.length - 1) + 1;
      if (axis == d.length - 1) {
        return JniUtils.layerNorm((PtNDArray) x[0], new Shape(d[axis]), (PtNDArray) s[gamma], (PtNDArray) s[beta],
            LayerSpec.LayerNorm.EPS);
      }
      NDArray centered = x[0].sub(x[0].mean(new int[] {axis}, true));
      NDArray var = centered.square().mean(new int[] {axis}, true);
      NDArray y = centered.div(var.add(Tensors.scalar(x[0].getManager(), LayerSpec.LayerNorm.EPS)).sqrt());
      Shape b = broadcastShape(d.length, axis, d[axis]);
      return y.mul(s[gamma].reshape(b)).add(s[beta].reshape(b));
    }
  }

  /** {@code γ·x / √(Σ_c x² + eps)} over axis 1 (smooth at 0, see {@link LayerSpec.L2Norm}). */
  private record L2NormOp(int gamma) implements Op {
    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      long[] d = x[0].getShape().getShape();
      NDArray sq = x[0].square().sum(new int[] {1}, true);
      NDArray norm = sq.add(Tensors.scalar(x[0].getManager(), LayerSpec.L2Norm.EPS)).sqrt();
      return x[0].div(norm).mul(s[gamma].reshape(broadcastShape(d.length, 1, d[1])));
    }
  }

  /** {@code [1, .., n, .., 1]} of rank {@code rank} with {@code n} at {@code axis}. */
  private static Shape broadcastShape(int rank, int axis, long n) {
    long[] b = new long[rank];
    java.util.Arrays.fill(b, 1);
    b[axis] = n;
    return new Shape(b);
  }

  /**
   * PyTorch's {@code batch_norm} over axis 1 (features of {@code [B, F]} or channels of {@code [B,
   * C, H, W]}): batch statistics and an in-place running-statistics update (unbiased variance) in
   * training, running statistics in evaluation.
   */
  private record BatchNormOp(int gamma, int beta, int mean, int var) implements Op {
    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      return JniUtils.batchNorm(
          (PtNDArray) x[0],
          (PtNDArray) s[mean],
          (PtNDArray) s[var],
          (PtNDArray) s[gamma],
          (PtNDArray) s[beta],
          training,
          BN_MOMENTUM,
          BN_EPS);
    }
  }

  /**
   * Max or average pooling, square window, floor or ceil. The mean counts only cells inside the
   * input: DJL's {@code avgPool2d} with {@code countIncludePad} false still counted the zero
   * padding (conformance case "avgpool 3/1 padding 1"), so the mean is the padded window mean
   * divided by the same mean of a map of ones.
   */
  private record PoolOp(int kernel, int stride, int padding, boolean ceil, boolean max) implements Op {
    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      Shape k = new Shape(kernel, kernel);
      Shape st = new Shape(stride, stride);
      Shape pad = new Shape(padding, padding);
      if (max) {
        return Pool.maxPool2d(x[0], k, st, pad, ceil);
      }
      NDArray sums = Pool.avgPool2d(x[0], k, st, pad, ceil, true);
      if (padding == 0 && !ceil) {
        return sums;
      }
      long[] d = x[0].getShape().getShape();
      NDArray ones = x[0].getManager().ones(new Shape(1, 1, d[2], d[3]), x[0].getDataType());
      return sums.div(Pool.avgPool2d(ones, k, st, pad, ceil, true));
    }
  }

  /** Inverted dropout in training, identity in evaluation. */
  private record DropoutOp(double rate) implements Op {
    @Override
    public NDArray apply(NDArray[] x, NDArray[] s, boolean training, DropoutMasks dropout) {
      if (!training || rate == 0) {
        return x[0];
      }
      return x[0].mul(dropout.mask(x[0].getManager(), x[0].getShape(), rate));
    }
  }
}
