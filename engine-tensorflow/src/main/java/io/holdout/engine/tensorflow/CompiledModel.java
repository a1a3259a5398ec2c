package io.holdout.engine.tensorflow;

import static io.holdout.engine.tensorflow.GraphMath.add;
import static io.holdout.engine.tensorflow.GraphMath.f;
import static io.holdout.engine.tensorflow.GraphMath.mean;
import static io.holdout.engine.tensorflow.GraphMath.mul;
import static io.holdout.engine.tensorflow.GraphMath.sub;

import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ParamInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * A {@link ModelSpec} compiled into a TensorFlow graph. Every state tensor of {@link
 * ModelSpec#parameters()} is a resource variable in PyTorch's layout (dense {@code [out, in]},
 * convolution OIHW), read once per run; forward passes take their gradients with respect to those
 * reads. Activations are NCHW like PyTorch's; convolution, max pooling and batch norm run NHWC
 * (TensorFlow's CPU layout), with transposes inserted only where the layout changes. Multi-scale
 * heads read the trunk outputs they tap.
 */
final class CompiledModel {
  /** PyTorch's batch-norm defaults. */
  static final double BN_MOMENTUM = 0.1;

  static final double BN_EPS = 1e-5;

  private final ModelSpec spec;
  private final List<ParamInfo> params;
  private final Map<String, Integer> index = new HashMap<>();
  private final List<StateVariable> state = new ArrayList<>();
  private final Placeholder<TFloat32> input;

  /** One dropout layer of a training pass: its mask placeholder (NCHW) and rate. */
  record DropoutSite(Placeholder<TFloat32> mask, long[] shape, double rate) {}

  /**
   * A forward pass: head outputs ({@code [B, units]}), the running-statistics assignments of a
   * training pass, and its dropout sites in the order their masks are drawn.
   */
  record Forward(Map<String, Operand<TFloat32>> outputs, List<Op> updates, List<DropoutSite> dropouts) {}

  /** An activation: its operand, whether it is NHWC, and its NCHW shape without the batch. */
  private record Act(Operand<TFloat32> x, boolean nhwc, long[] shape) {}

  CompiledModel(Ops tf, ModelSpec spec) {
    this.spec = spec;
    this.params = spec.parameters();
    Ops scope = tf.withSubScope("state");
    for (int i = 0; i < params.size(); i++) {
      ParamInfo p = params.get(i);
      index.put(p.name(), i);
      state.add(StateVariable.create(scope, p.name(), Shape.of(p.shape())));
    }
    long[] in = spec.inputShape();
    long[] batched = new long[in.length + 1];
    batched[0] = -1;
    System.arraycopy(in, 0, batched, 1, in.length);
    this.input = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(Shape.of(batched)));
  }

  ModelSpec spec() {
    return spec;
  }

  List<ParamInfo> params() {
    return params;
  }

  Placeholder<TFloat32> input() {
    return input;
  }

  /** The variable of each state tensor, in {@link ModelSpec#parameters()} order. */
  List<StateVariable> state() {
    return state;
  }

  /**
   * Indices of the tensors an optimizer updates: trainable parameters of the trunk and of the heads
   * in {@code usedHeads} (a head no loss reads gets no gradient and is left alone, as in PyTorch).
   */
  int[] trainable(Collection<String> usedHeads) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      ParamInfo p = params.get(i);
      if (!p.role().trainable()) {
        continue;
      }
      boolean inTrunk = p.name().startsWith("trunk.");
      boolean inUsedHead = usedHeads.stream().anyMatch(h -> p.name().startsWith("heads." + h + "."));
      if (inTrunk || inUsedHead) {
        out.add(i);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Builds a forward pass over {@link #input()}: the trunk, then each head in {@code wanted}. A
   * training pass normalises batch norm with batch statistics and updates the running ones, and
   * applies dropout masks fed per run; an evaluation pass uses the running statistics and no
   * dropout.
   */
  Forward forward(Ops tf, boolean training, Collection<String> wanted) {
    Ops scope = tf.withSubScope(training ? "train" : "eval");
    List<Op> updates = new ArrayList<>();
    List<DropoutSite> dropouts = new ArrayList<>();
    Act t = new Act(input, false, spec.inputShape());
    Act[] taps = new Act[spec.trunk().size()];
    for (int i = 0; i < spec.trunk().size(); i++) {
      t = layer(scope, spec.trunk().get(i), "trunk." + i + ".", t, training, updates, dropouts);
      taps[i] = t;
    }
    Map<String, Operand<TFloat32>> out = new LinkedHashMap<>();
    for (HeadSpec h : spec.heads()) {
      if (!wanted.contains(h.name())) {
        continue;
      }
      if (h.isMultiScale()) {
        out.put(h.name(), multiScale(scope, h, taps));
        continue;
      }
      Act y = t;
      for (int j = 0; j < h.layers().size(); j++) {
        y = layer(scope, h.layers().get(j), "heads." + h.name() + "." + j + ".", y, training, updates,
            dropouts);
      }
      out.put(h.name(), y.x());
    }
    return new Forward(out, List.copyOf(updates), List.copyOf(dropouts));
  }

  private Operand<TFloat32> param(String name) {
    return state.get(index.get(name)).read();
  }

  /**
   * A multi-scale head (see {@link HeadSpec}): per tap a 3×3 convolution (stride 1, padding 1) to
   * {@code k·units} channels. Its NHWC result {@code [B, H, W, k·units]} is already PyTorch's
   * permuted layout, so it is reshaped to {@code [B, H·W·k, units]} directly; the taps are
   * concatenated along axis 1.
   */
  private Operand<TFloat32> multiScale(Ops tf, HeadSpec h, Act[] taps) {
    List<Operand<TFloat32>> parts = new ArrayList<>();
    for (int j = 0; j < h.taps().size(); j++) {
      Act f = taps[h.taps().get(j)];
      String p = "heads." + h.name() + "." + j + ".";
      Operand<TFloat32> y = conv(tf, nhwc(tf, f), param(p + "weight"), param(p + "bias"), 1, 1);
      int cells = (int) (f.shape()[1] * f.shape()[2] * h.anchorsPerLocation());
      parts.add(GraphMath.reshape(tf, y, -1, cells, h.units()));
    }
    return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
  }

  /** NHWC convolution with OIHW weights, square stride and zero padding, plus bias. */
  private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weight,
      Operand<TFloat32> bias, int stride, int padding) {
    if (padding > 0) {
      int pad = padding;
      x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), f(tf, 0));
    }
    // OIHW -> HWIO
    Operand<TFloat32> kernel = tf.linalg.transpose(weight, tf.constant(new int[] {2, 3, 1, 0}));
    long s = stride;
    return tf.nn.biasAdd(tf.nn.conv2d(x, kernel, List.of(1L, s, s, 1L), "VALID"), bias);
  }

  private Act layer(Ops tf, LayerSpec l, String p, Act in, boolean training, List<Op> updates,
      List<DropoutSite> dropouts) {
    long[] outShape = l.outputShape(in.shape(), p);
    if (l instanceof LayerSpec.Dense) {
      Operand<TFloat32> y = tf.linalg.matMul(in.x(), param(p + "weight"), MatMul.transposeB(true));
      return new Act(tf.nn.biasAdd(y, param(p + "bias")), false, outShape);
    } else if (l instanceof LayerSpec.Conv2d c) {
      Operand<TFloat32> y = conv(tf, nhwc(tf, in), param(p + "weight"), param(p + "bias"), c.stride(),
          c.padding());
      return new Act(y, true, outShape);
    } else if (l instanceof LayerSpec.MaxPool m) {
      Operand<TFloat32> x = nhwc(tf, in);
      int k = m.kernel();
      int s = m.stride();
      Operand<TFloat32> y = tf.nn.maxPool(x, tf.constant(new int[] {1, k, k, 1}),
          tf.constant(new int[] {1, s, s, 1}), "VALID");
      return new Act(y, true, outShape);
    } else if (l instanceof LayerSpec.BatchNorm) {
      return batchNorm(tf, p, in, training, updates);
    } else if (l instanceof LayerSpec.Flatten) {
      Operand<TFloat32> x = in.nhwc() ? GraphMath.toNchw(tf, in.x()) : in.x();
      return new Act(GraphMath.reshape(tf, x, -1, (int) outShape[0]), false, outShape);
    } else if (l instanceof LayerSpec.Relu) {
      return new Act(tf.nn.relu(in.x()), in.nhwc(), outShape);
    } else if (l instanceof LayerSpec.Dropout d) {
      if (!training || d.rate() == 0) {
        return in;
      }
      long[] batched = new long[in.shape().length + 1];
      batched[0] = -1;
      System.arraycopy(in.shape(), 0, batched, 1, in.shape().length);
      Placeholder<TFloat32> mask = tf.withName(p.replaceAll("[^A-Za-z0-9]", "_") + "mask")
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(batched)));
      dropouts.add(new DropoutSite(mask, in.shape(), d.rate()));
      Operand<TFloat32> m = in.nhwc() ? GraphMath.toNhwc(tf, mask) : mask;
      return new Act(mul(tf, in.x(), m), in.nhwc(), outShape);
    }
    throw new IllegalArgumentException("layer type '" + l.type() + "' is not compiled by tensorflow");
  }

  /**
   * Batch norm over the features of {@code [B, F]} or the channels of images (NHWC here). Training:
   * {@code (x - μ)·rsqrt(σ² + eps)·γ + β} with the batch mean and biased variance, and running
   * statistics updated as {@code r = (1 - m)·r + m·s} with the unbiased variance ({@code σ²·n/(n -
   * 1)}, n values per channel), exactly as PyTorch. Evaluation: the running statistics.
   */
  private Act batchNorm(Ops tf, String p, Act in, boolean training, List<Op> updates) {
    boolean image = in.shape().length == 3;
    Operand<TFloat32> x = image ? nhwc(tf, in) : in.x();
    int[] axes = image ? new int[] {0, 1, 2} : new int[] {0};
    Operand<TFloat32> gamma = param(p + "weight");
    Operand<TFloat32> beta = param(p + "bias");
    int mi = index.get(p + "running_mean");
    int vi = index.get(p + "running_var");
    Operand<TFloat32> mu;
    Operand<TFloat32> var;
    if (training) {
      mu = mean(tf, x, axes);
      Operand<TFloat32> centered = sub(tf, x, mu);
      var = mean(tf, tf.math.square(centered), axes);
      Operand<TFloat32> n = tf.math.div(tf.dtypes.cast(tf.size(x), TFloat32.class), f(tf, in.shape()[0]));
      Operand<TFloat32> unbiased = mul(tf, var, tf.math.div(n, sub(tf, n, f(tf, 1))));
      StateVariable runMean = state.get(mi);
      StateVariable runVar = state.get(vi);
      updates.add(runMean.assign(tf, add(tf, mul(tf, runMean.read(), 1 - BN_MOMENTUM), mul(tf, mu, BN_MOMENTUM))));
      updates.add(runVar.assign(tf, add(tf, mul(tf, runVar.read(), 1 - BN_MOMENTUM), mul(tf, unbiased, BN_MOMENTUM))));
    } else {
      mu = state.get(mi).read();
      var = state.get(vi).read();
    }
    Operand<TFloat32> invStd = tf.math.rsqrt(add(tf, var, f(tf, BN_EPS)));
    Operand<TFloat32> y = add(tf, mul(tf, mul(tf, sub(tf, x, mu), invStd), gamma), beta);
    return new Act(y, image, in.shape());
  }

  private static Operand<TFloat32> nhwc(Ops tf, Act a) {
    return a.nhwc() ? a.x() : GraphMath.toNhwc(tf, a.x());
  }
}
