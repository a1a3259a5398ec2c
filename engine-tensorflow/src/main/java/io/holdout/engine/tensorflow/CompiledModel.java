package io.holdout.engine.tensorflow;

import static io.holdout.engine.tensorflow.GraphMath.add;
import static io.holdout.engine.tensorflow.GraphMath.f;
import static io.holdout.engine.tensorflow.GraphMath.mean;
import static io.holdout.engine.tensorflow.GraphMath.mul;
import static io.holdout.engine.tensorflow.GraphMath.sub;

import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.TInt32;

/**
 * A {@link ModelSpec} compiled into a TensorFlow graph. Every state tensor of {@link
 * ModelSpec#parameters()} is a resource variable in PyTorch's layout (dense {@code [out, in]},
 * convolution OIHW), read once per run; forward passes take their gradients with respect to those
 * reads. Activations are NCHW like PyTorch's; convolution, max pooling and batch norm run NHWC
 * (TensorFlow's CPU layout), with transposes inserted only where the layout changes; every node
 * of the spec's graph reads the values of its input nodes.
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
  record Forward(Map<String, Operand<TFloating>> outputs, List<Op> updates, List<DropoutSite> dropouts) {}

  /** An activation: its operand, whether it is NHWC, and its NCHW shape without the batch. */
  private record Act(Operand<TFloating> x, boolean nhwc, long[] shape) {}

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
   * Indices of the tensors an optimizer updates: the trainable parameters that the heads in {@code
   * usedHeads} depend on (a parameter no loss reads gets no gradient and is left alone, as in
   * PyTorch).
   */
  int[] trainable(Collection<String> usedHeads) {
    return spec.trainableFor(usedHeads).stream().mapToInt(index::get).toArray();
  }

  /**
   * Builds a forward pass over {@link #input()}: the nodes the heads in {@code wanted} depend on, in
   * graph order. A training pass normalises batch norm with batch statistics and updates the
   * running ones, and applies dropout masks fed per run; an evaluation pass uses the running
   * statistics and no dropout.
   */
  Forward forward(Ops tf, boolean training, Collection<String> wanted) {
    Ops scope = tf.withSubScope(training ? "train" : "eval");
    List<Op> updates = new ArrayList<>();
    List<DropoutSite> dropouts = new ArrayList<>();
    List<String> heads = spec.heads().stream().map(h -> h.name()).filter(wanted::contains).toList();
    Set<String> needed = spec.nodesFor(heads);
    Map<String, Act> values = new HashMap<>();
    values.put(ModelSpec.INPUT, new Act(GraphMath.toFloat(scope, input), false, spec.inputShape()));
    for (Node n : spec.graph()) {
      if (!needed.contains(n.name())) {
        continue;
      }
      List<Act> in = n.inputs().stream().map(values::get).toList();
      values.put(n.name(), layer(scope, n.op(), n.name() + ".", in, training, updates, dropouts));
    }
    Map<String, Operand<TFloating>> out = new LinkedHashMap<>();
    for (String h : heads) {
      Act y = values.get(spec.outputNode(h));
      out.put(h, y.nhwc() ? GraphMath.toNchw(tf, y.x()) : y.x());
    }
    return new Forward(out, List.copyOf(updates), List.copyOf(dropouts));
  }

  private Operand<TFloating> param(String name) {
    return state.get(index.get(name)).read();
  }

  private Act layer(Ops tf, LayerSpec l, String p, List<Act> ins, boolean training, List<Op> updates,
      List<DropoutSite> dropouts) {
    long[] outShape = l.outputShape(ins.stream().map(Act::shape).toList(), p);
    Act in = ins.get(0);
    if (l instanceof LayerSpec.Dense) {
      Operand<TFloating> y = tf.linalg.matMul(in.x(), param(p + "weight"), MatMul.transposeB(true));
      return new Act(tf.nn.biasAdd(y, param(p + "bias")), false, outShape);
    } else if (l instanceof LayerSpec.Conv2d c) {
      Operand<TFloating> y = conv(tf, nhwc(tf, in), in.shape(), c, param(p + "weight"));
      return new Act(c.bias() ? tf.nn.biasAdd(y, param(p + "bias")) : y, true, outShape);
    } else if (l instanceof LayerSpec.MaxPool m) {
      return new Act(maxPool(tf, nhwc(tf, in), in.shape(), m, outShape), true, outShape);
    } else if (l instanceof LayerSpec.AvgPool m) {
      return new Act(avgPool(tf, nhwc(tf, in), in.shape(), m, outShape), true, outShape);
    } else if (l instanceof LayerSpec.GlobalAvgPool) {
      Operand<TFloating> y = tf.math.mean(nhwc(tf, in), tf.constant(new int[] {1, 2}), Mean.keepDims(true));
      return new Act(y, true, outShape);
    } else if (l instanceof LayerSpec.BatchNorm) {
      return batchNorm(tf, p, in, training, updates);
    } else if (l instanceof LayerSpec.Flatten) {
      Operand<TFloating> x = in.nhwc() ? GraphMath.toNchw(tf, in.x()) : in.x();
      return new Act(GraphMath.reshape(tf, x, -1, (int) outShape[0]), false, outShape);
    } else if (l instanceof LayerSpec.Relu) {
      return new Act(tf.nn.relu(in.x()), in.nhwc(), outShape);
    } else if (l instanceof LayerSpec.Activation a) {
      if (a.fn() == LayerSpec.Activation.Fn.SOFTMAX) {
        if (in.shape().length == 3 || in.shape().length == 1) {
          // over the channels: the last axis of NHWC images and of flat inputs
          Operand<TFloating> x = in.shape().length == 3 ? nhwc(tf, in) : in.x();
          return new Act(tf.nn.softmax(x), in.shape().length == 3, outShape);
        }
        // another rank (a reshape's [rows, cols]): over axis 1 of the batched tensor
        Operand<TFloating> x = in.x();
        Operand<TFloating> e = tf.math.exp(sub(tf, x, tf.max(x, tf.constant(new int[] {1}), Max.keepDims(true))));
        return new Act(tf.math.div(e, tf.sum(e, tf.constant(new int[] {1}), Sum.keepDims(true))), false, outShape);
      }
      return new Act(activation(tf, a, in.x()), in.nhwc(), outShape);
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
      Operand<TFloating> m = in.nhwc() ? GraphMath.toNhwc(tf, GraphMath.toFloat(tf, mask)) : GraphMath.toFloat(tf, mask);
      return new Act(mul(tf, in.x(), m), in.nhwc(), outShape);
    } else if (l instanceof LayerSpec.Add || l instanceof LayerSpec.Mul) {
      boolean image = outShape.length == 3;
      Operand<TFloating> y = null;
      for (Act a : ins) {
        Operand<TFloating> x = image ? nhwc(tf, a) : a.x();
        y = y == null ? x : l instanceof LayerSpec.Add ? add(tf, y, x) : mul(tf, y, x);
      }
      return new Act(y, image, outShape);
    } else if (l instanceof LayerSpec.Concat c) {
      boolean image = outShape.length == 3;
      List<Operand<TFloating>> parts = new ArrayList<>();
      for (Act a : ins) {
        parts.add(image ? nhwc(tf, a) : a.x());
      }
      // per-sample NCHW axis (0 = C, 1 = H, 2 = W) to the batched NHWC axis
      int axis = image ? new int[] {3, 1, 2}[c.axis()] : c.axis() + 1;
      return new Act(tf.concat(parts, tf.constant(axis)), image, outShape);
    } else if (l instanceof LayerSpec.Anchors) {
      // NHWC [B, H, W, k·units] is already channels last
      return new Act(GraphMath.reshape(tf, nhwc(tf, in), -1, (int) outShape[0], (int) outShape[1]), false,
          outShape);
    }
    if (l instanceof LayerSpec.ConvTranspose2d c) {
      Operand<TFloating> y = convTranspose(tf, nhwc(tf, in), in.shape(), c, param(p + "weight"), outShape);
      return new Act(c.bias() ? tf.nn.biasAdd(y, param(p + "bias")) : y, true, outShape);
    } else if (l instanceof LayerSpec.LayerNorm n) {
      int rank = in.shape().length + 1;
      int a = n.axisOf(in.shape().length);
      int axis = in.nhwc() ? new int[] {3, 1, 2}[a] : a + 1;
      Operand<TFloating> x = in.x();
      int[] axes = {axis};
      Operand<TFloating> centered = sub(tf, x, tf.math.mean(x, tf.constant(axes), Mean.keepDims(true)));
      Operand<TFloating> var = tf.math.mean(tf.math.square(centered), tf.constant(axes), Mean.keepDims(true));
      Operand<TFloating> y = tf.math.div(centered, tf.math.sqrt(add(tf, var, f(tf, LayerSpec.LayerNorm.EPS))));
      int[] b = broadcast(rank, axis, (int) in.shape()[a]);
      y = add(tf, mul(tf, y, tf.reshape(param(p + "weight"), tf.constant(b))),
          tf.reshape(param(p + "bias"), tf.constant(b)));
      return new Act(y, in.nhwc(), outShape);
    } else if (l instanceof LayerSpec.L2Norm) {
      boolean image = in.shape().length == 3;
      Operand<TFloating> x = image ? nhwc(tf, in) : in.x();
      int last = image ? 3 : 1;
      Operand<TFloating> sq = tf.sum(tf.math.square(x), tf.constant(new int[] {last}), Sum.keepDims(true));
      Operand<TFloating> y = tf.math.div(x, tf.math.sqrt(add(tf, sq, f(tf, LayerSpec.L2Norm.EPS))));
      // the scale [C] broadcasts over the last axis of NHWC and flat inputs
      return new Act(mul(tf, y, param(p + "weight")), image, outShape);
    } else if (l instanceof LayerSpec.Upsample u) {
      if (u.bilinear() && GraphMath.float64(tf)) {
        // ResizeBilinear computes and returns float32: in float64 the interpolation matrices
        return new Act(bilinearByMatrices(tf, in.nhwc() ? GraphMath.toNchw(tf, in.x()) : in.x(), in.shape(), u),
            false, outShape);
      }
      Operand<TInt32> size = tf.constant(new int[] {(int) outShape[1], (int) outShape[2]});
      Operand<TFloating> x = nhwc(tf, in);
      Operand<TFloating> y = u.bilinear()
          ? GraphMath.toFloat(tf, tf.image.resizeBilinear(x, size, ResizeBilinear.alignCorners(u.alignCorners()),
              ResizeBilinear.halfPixelCenters(!u.alignCorners())))
          : tf.image.resizeNearestNeighbor(x, size, ResizeNearestNeighbor.alignCorners(false),
              ResizeNearestNeighbor.halfPixelCenters(false));
      return new Act(y, true, outShape);
    } else if (l instanceof LayerSpec.Reshape) {
      Operand<TFloating> x = in.nhwc() ? GraphMath.toNchw(tf, in.x()) : in.x();
      int[] shape = new int[outShape.length + 1];
      shape[0] = -1;
      for (int i = 0; i < outShape.length; i++) {
        shape[i + 1] = (int) outShape[i];
      }
      return new Act(GraphMath.reshape(tf, x, shape), false, outShape);
    } else if (l instanceof LayerSpec.Embedding) {
      Operand<TInt32> ids = tf.dtypes.cast(in.x(), TInt32.class);
      return new Act(tf.gather(param(p + "weight"), ids, tf.constant(0)), false, outShape);
    }
    throw new IllegalArgumentException("layer type '" + l.type() + "' is not compiled by tensorflow");
  }

  /**
   * Bilinear upsampling of NCHW {@code x} ({@code chw} without the batch) as two products with the
   * layer's interpolation matrices ({@link LayerSpec.Upsample#matrix}): along the width, then along
   * the height. Returns NCHW.
   */
  private static Operand<TFloating> bilinearByMatrices(Ops tf, Operand<TFloating> x, long[] chw,
      LayerSpec.Upsample u) {
    int c = (int) chw[0];
    int h = (int) chw[1];
    int w = (int) chw[2];
    int s = u.scale();
    Operand<TFloating> mw = GraphMath.reshape(tf, GraphMath.vector(tf, u.matrix(w)), w * s, w);
    Operand<TFloating> mh = GraphMath.reshape(tf, GraphMath.vector(tf, u.matrix(h)), h * s, h);
    // [B·C·H, W] x [W, W·s] -> [B·C, H, W·s] -> [B·C, W·s, H] -> [B·C·W·s, H] x [H, H·s]
    Operand<TFloating> y = tf.linalg.matMul(GraphMath.reshape(tf, x, -1, w), mw, MatMul.transposeB(true));
    y = tf.linalg.transpose(GraphMath.reshape(tf, y, -1, h, w * s), tf.constant(new int[] {0, 2, 1}));
    y = tf.linalg.matMul(GraphMath.reshape(tf, y, -1, h), mh, MatMul.transposeB(true));
    // [B·C, W·s, H·s] -> [B, C, H·s, W·s]
    y = tf.linalg.transpose(GraphMath.reshape(tf, y, -1, w * s, h * s), tf.constant(new int[] {0, 2, 1}));
    return GraphMath.reshape(tf, y, -1, c, h * s, w * s);
  }

  /** {@code [1, .., n, .., 1]} of rank {@code rank} with {@code n} at {@code axis}. */
  private static int[] broadcast(int rank, int axis, int n) {
    int[] b = new int[rank];
    java.util.Arrays.fill(b, 1);
    b[axis] = n;
    return b;
  }

  /**
   * A transposed convolution over NHWC {@code x} through {@code Conv2DBackpropInput} (a convolution's
   * input gradient) at the full size {@code (n - 1)·stride + kernel + outputPadding}, cropped by the
   * padding on each side. The IOHW weight {@code [in, filters, k, k]} is the kernel {@code [k, k,
   * filters, in]} of the convolution whose gradient it is.
   */
  private static Operand<TFloating> convTranspose(Ops tf, Operand<TFloating> x, long[] in, LayerSpec.ConvTranspose2d c,
      Operand<TFloating> weight, long[] out) {
    int s = c.stride();
    int fullH = (int) ((in[1] - 1) * s + c.kernel() + c.outputPadding());
    int fullW = (int) ((in[2] - 1) * s + c.kernel() + c.outputPadding());
    Operand<TInt32> batch = tf.stridedSlice(tf.shape(x), Indices.slice(0, 1));
    Operand<TInt32> sizes = tf.concat(List.of(batch, tf.constant(new int[] {fullH, fullW, c.filters()})),
        tf.constant(0));
    Operand<TFloating> filter = tf.linalg.transpose(weight, tf.constant(new int[] {2, 3, 1, 0}));
    Operand<TFloating> full = tf.nn.conv2dBackpropInput(sizes, filter, x, List.of(1L, (long) s, (long) s, 1L), "VALID");
    int pad = c.padding();
    if (pad == 0) {
      return full;
    }
    return tf.stridedSlice(full, Indices.all(), Indices.slice(pad, pad + out[1]), Indices.slice(pad, pad + out[2]),
        Indices.all());
  }

  /** Element-wise activations as TensorFlow ops (hard-sigmoid and hard-swish as {@code relu6(x + 3)/6}). */
  private static Operand<TFloating> activation(Ops tf, LayerSpec.Activation a, Operand<TFloating> x) {
    return switch (a.fn()) {
      case RELU6 -> tf.nn.relu6(x);
      // LeakyRelu's slope is a float attribute: in float64 a double slope, with leaky_relu's
      // convention at 0 (the gradient there is the slope)
      case LEAKY_RELU -> GraphMath.float64(tf) ? tf.select(tf.math.greater(x, f(tf, 0)), x, mul(tf, x, a.alpha()))
          : tf.nn.leakyRelu(x, LeakyRelu.alpha((float) a.alpha()));
      case SIGMOID -> tf.math.sigmoid(x);
      case TANH -> tf.math.tanh(x);
      case GELU -> mul(tf, mul(tf, x, 0.5), add(tf, f(tf, 1), tf.math.erf(mul(tf, x, 1 / Math.sqrt(2)))));
      case SILU -> mul(tf, x, tf.math.sigmoid(x));
      case HARD_SIGMOID -> mul(tf, tf.nn.relu6(add(tf, x, f(tf, 3))), 1.0 / 6);
      case HARD_SWISH -> mul(tf, x, mul(tf, tf.nn.relu6(add(tf, x, f(tf, 3))), 1.0 / 6));
      case SOFTMAX -> throw new IllegalStateException("softmax is not element-wise");
    };
  }

  /**
   * NHWC convolution with OIHW weights (no bias): zero padding, stride and dilation; one group
   * through {@code Conv2D}, a depthwise convolution (one input channel per group) through {@code
   * DepthwiseConv2dNative}, other groups as one {@code Conv2D} per group, concatenated.
   */
  private static Operand<TFloating> conv(Ops tf, Operand<TFloating> x, long[] in, LayerSpec.Conv2d c,
      Operand<TFloating> weight) {
    int pad = c.padding();
    // stride 1, undilated, padding (k - 1) / 2: TensorFlow's SAME padding is exactly that, with no
    // padded copy of the input (and no slice of it in the backward pass)
    String padding = c.stride() == 1 && c.dilation() == 1 && 2 * pad == c.kernel() - 1 ? "SAME" : "VALID";
    if (pad > 0 && padding.equals("VALID")) {
      x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), f(tf, 0));
    }
    long s = c.stride();
    int cin = (int) in[0];
    if (c.groups() == cin && cin > 1) {
      return depthwise(tf, x, in, c, weight, padding);
    }
    if (c.groups() == 1) {
      return tf.nn.conv2d(x, hwio(tf, weight, c), List.of(1L, s, s, 1L), padding);
    }
    int g = c.groups();
    int inPer = cin / g;
    int outPer = c.filters() / g;
    List<Operand<TFloating>> parts = new ArrayList<>();
    for (int i = 0; i < g; i++) {
      Operand<TFloating> xi = tf.stridedSlice(x, Indices.all(), Indices.all(), Indices.all(),
          Indices.slice(i * inPer, (i + 1) * inPer));
      Operand<TFloating> wi = tf.stridedSlice(weight, Indices.slice(i * outPer, (i + 1) * outPer));
      parts.add(tf.nn.conv2d(xi, hwio(tf, wi, c), List.of(1L, s, s, 1L), padding));
    }
    return tf.concat(parts, tf.constant(3));
  }

  /**
   * OIHW {@code weight} as an HWIO kernel; for dilation {@code d > 1} the kernel itself is dilated
   * ({@code d - 1} zeros between taps, size {@code d·(k - 1) + 1}), so the convolution runs
   * undilated: TensorFlow's oneDNN filter gradient for dilated {@code Conv2D} aborted the process
   * (conformance case "conv2d dilation 2").
   */
  private static Operand<TFloating> hwio(Ops tf, Operand<TFloating> weight, LayerSpec.Conv2d c) {
    return dilated(tf, tf.linalg.transpose(weight, tf.constant(new int[] {2, 3, 1, 0})), c);
  }

  /** A {@code [k, k, a, b]} kernel spread out by the layer's dilation (itself when undilated). */
  private static Operand<TFloating> dilated(Ops tf, Operand<TFloating> kernel, LayerSpec.Conv2d c) {
    int d = c.dilation();
    if (d == 1) {
      return kernel;
    }
    int k = c.kernel();
    // [k, k, I, O] -> [k, 1, k, 1, I, O] -> zeros after each tap: [k, d, k, d, I, O] -> [k·d, k·d, I, O]
    Operand<TFloating> e = tf.expandDims(tf.expandDims(kernel, tf.constant(2)), tf.constant(1));
    e = tf.pad(e, tf.constant(new int[][] {{0, 0}, {0, d - 1}, {0, 0}, {0, d - 1}, {0, 0}, {0, 0}}), f(tf, 0));
    Operand<TInt32> shape = tf.concat(List.of(tf.constant(new int[] {k * d, k * d}),
        tf.shape.takeLast(tf.shape(kernel), tf.constant(2))), tf.constant(0));
    Operand<TFloating> big = tf.reshape(e, shape);
    int span = d * (k - 1) + 1;
    return tf.stridedSlice(big, Indices.slice(0, span), Indices.slice(0, span));
  }

  /**
   * A depthwise convolution over NHWC {@code x} (padded, or with SAME padding) through {@code DepthwiseConv2dNative} (whose
   * gradients TensorFlow registers): the OIHW weight {@code [C·m, 1, k, k]} with channel multiplier
   * {@code m} becomes the filter {@code [k, k, C, m]}, whose output channel {@code c·m + q} is
   * PyTorch's. Dilation goes through the explicitly dilated kernel, as for {@code Conv2D}.
   */
  private static Operand<TFloating> depthwise(Ops tf, Operand<TFloating> x, long[] in, LayerSpec.Conv2d c,
      Operand<TFloating> weight, String padding) {
    int cin = (int) in[0];
    int m = c.filters() / cin;
    long s = c.stride();
    // [C·m, 1, k, k] -> [C, m, k, k] -> HWIO-style [k, k, C, m]; a dilated kernel is spread out
    Operand<TFloating> w = GraphMath.reshape(tf, weight, cin, m, c.kernel(), c.kernel());
    Operand<TFloating> filter = dilated(tf, tf.linalg.transpose(w, tf.constant(new int[] {2, 3, 0, 1})), c);
    return tf.nn.depthwiseConv2dNative(x, filter, List.of(1L, s, s, 1L), padding);
  }

  /**
   * Max pooling over NHWC {@code x}: padding (and the extra bottom/right cells of ceil mode) filled
   * with the lowest float, so padded cells never win.
   */
  private static Operand<TFloating> maxPool(Ops tf, Operand<TFloating> x, long[] in, LayerSpec.MaxPool m,
      long[] out) {
    x = padForPool(tf, x, in, m.kernel(), m.stride(), m.padding(), out, -Float.MAX_VALUE);
    int k = m.kernel();
    int s = m.stride();
    return tf.nn.maxPool(x, tf.constant(new int[] {1, k, k, 1}), tf.constant(new int[] {1, s, s, 1}), "VALID");
  }

  /**
   * Average pooling over NHWC {@code x} that counts only cells inside the input: the window mean of
   * the zero-padded input divided by the window mean of a padded map of ones.
   */
  private static Operand<TFloating> avgPool(Ops tf, Operand<TFloating> x, long[] in, LayerSpec.AvgPool m,
      long[] out) {
    int k = m.kernel();
    int s = m.stride();
    Operand<TFloating> padded = padForPool(tf, x, in, k, s, m.padding(), out, 0);
    Operand<TFloating> sums = tf.nn.avgPool(padded, List.of(1L, (long) k, (long) k, 1L),
        List.of(1L, (long) s, (long) s, 1L), "VALID");
    Operand<TFloating> mask = tf.fill(tf.constant(new long[] {1, in[1], in[2], 1}), f(tf, 1));
    Operand<TFloating> counts = tf.nn.avgPool(padForPool(tf, mask, in, k, s, m.padding(), out, 0),
        List.of(1L, (long) k, (long) k, 1L), List.of(1L, (long) s, (long) s, 1L), "VALID");
    return tf.math.div(sums, counts);
  }

  /** Pads NHWC {@code x} by {@code padding}, plus what ceil rounding needs at the bottom/right. */
  private static Operand<TFloating> padForPool(Ops tf, Operand<TFloating> x, long[] in, int k, int s, int padding,
      long[] out, float value) {
    int extraH = (int) Math.max(0, (out[1] - 1) * s + k - (in[1] + 2L * padding));
    int extraW = (int) Math.max(0, (out[2] - 1) * s + k - (in[2] + 2L * padding));
    if (padding == 0 && extraH == 0 && extraW == 0) {
      return x;
    }
    return tf.pad(x, tf.constant(new int[][] {{0, 0}, {padding, padding + extraH}, {padding, padding + extraW},
        {0, 0}}), f(tf, value));
  }

  /**
   * Batch norm over the features of {@code [B, F]} or the channels of images (NHWC here). Training:
   * {@code (x - μ)·rsqrt(σ² + eps)·γ + β} with the batch mean and biased variance, their sums in
   * float64 (images: {@link #stagedBatchNorm}; see {@link #float32BatchNorm}), and running
   * statistics updated as {@code r = (1 - m)·r + m·s} with the unbiased variance ({@code σ²·n/(n -
   * 1)}, n values per channel), exactly as PyTorch. Evaluation: the running statistics.
   */
  /**
   * {@code -Dholdout.tensorflow.batchNorm=float32} (read when a model is compiled): batch norm in training entirely in float32, ~1.6x
   * faster on MobileNetV2-SSD-Lite but with its gradients ~8x further from float64 (docs/models.md,
   * "float32 on a deep network"); the default computes it in float64.
   */
  private final boolean float32BatchNorm = "float32".equals(System.getProperty("holdout.tensorflow.batchNorm"));

  /** Whether batch norm computes in the graph's type as written (float64 graphs, or the float32 switch). */
  private boolean plainBatchNorm(Ops tf) {
    return float32BatchNorm || GraphMath.float64(tf);
  }

  private Act batchNorm(Ops tf, String p, Act in, boolean training, List<Op> updates) {
    boolean image = in.shape().length == 3;
    Operand<TFloating> x = image ? nhwc(tf, in) : in.x();
    int[] axes = image ? new int[] {0, 1, 2} : new int[] {0};
    Operand<TFloating> gamma = param(p + "weight");
    Operand<TFloating> beta = param(p + "bias");
    int mi = index.get(p + "running_mean");
    int vi = index.get(p + "running_var");
    Operand<TFloating> mu;
    Operand<TFloating> var;
    if (training) {
      Operand<TFloating> y = null;
      if (!plainBatchNorm(tf) && image) {
        Staged st = stagedBatchNorm(tf, x, in.shape(), gamma, beta);
        y = st.y();
        mu = st.mu();
        var = st.var();
      } else if (!plainBatchNorm(tf)) {
        // features [B, F]: statistics, normalisation and affine in float64 (B values per feature)
        Operand<TFloat64> x64 = tf.dtypes.cast(x, TFloat64.class);
        Operand<TFloat64> mu64 = tf.math.mean(x64, tf.constant(axes));
        Operand<TFloat64> centered = tf.math.sub(x64, mu64);
        Operand<TFloat64> var64 = tf.math.mean(tf.math.square(centered), tf.constant(axes));
        Operand<TFloat64> inv = tf.math.rsqrt(tf.math.add(var64, tf.constant(BN_EPS)));
        y = tf.dtypes.cast(tf.math.add(tf.math.mul(tf.math.mul(centered, inv),
            tf.dtypes.cast(gamma, TFloat64.class)), tf.dtypes.cast(beta, TFloat64.class)), GraphMath.floatType(tf));
        mu = tf.dtypes.cast(mu64, GraphMath.floatType(tf));
        var = tf.dtypes.cast(var64, GraphMath.floatType(tf));
      } else {
        mu = mean(tf, x, axes);
        var = mean(tf, tf.math.square(sub(tf, x, mu)), axes);
      }
      Operand<TFloating> n = tf.math.div(GraphMath.toFloat(tf, tf.size(x)), f(tf, in.shape()[0]));
      updateRunning(tf, mi, mu, updates);
      updateRunning(tf, vi, mul(tf, var, tf.math.div(n, sub(tf, n, f(tf, 1)))), updates);
      if (y != null) {
        return new Act(y, image, in.shape());
      }
    } else {
      mu = state.get(mi).read();
      var = state.get(vi).read();
    }
    Operand<TFloating> invStd = tf.math.rsqrt(add(tf, var, f(tf, BN_EPS)));
    Operand<TFloating> y = add(tf, mul(tf, mul(tf, sub(tf, x, mu), invStd), gamma), beta);
    return new Act(y, image, in.shape());
  }

  /** Training batch norm of an image: its output and the batch statistics (float32 casts of float64). */
  private record Staged(Operand<TFloating> y, Operand<TFloating> mu, Operand<TFloating> var) {}

  /**
   * Batch norm of NHWC {@code x} in training, with every sum over batch × height × width split in
   * two stages: float32 over one image row (at most {@code W} terms, {@code W} the map's width),
   * then float64 over the {@code B·H} rows. Element-wise work stays in float32 on {@code [B·H, W, C]}
   * views; the per-channel values (mean, {@code rsqrt(σ² + eps)·γ}, {@code β}) are float64 and reach
   * the rows through a float64 broadcast to {@code [B·H, 1, C]}, so that the gradients' sums, which
   * TensorFlow derives from these broadcasts, run in the same two stages (over {@code W} in float32,
   * over {@code B·H} in float64). Computing everything in float64 (the earlier form) gave the same
   * precision (docs/models.md, "float32 on a deep network") at twice the memory traffic and a cast of
   * every activation in and out; float32 sums over all {@code B·H·W} values lost up to 1e-2 of a
   * shift's gradient on MobileNetV2-SSD-Lite.
   */
  private static Staged stagedBatchNorm(Ops tf, Operand<TFloating> x, long[] chw, Operand<TFloating> gamma,
      Operand<TFloating> beta) {
    long c = chw[0];
    long w = chw[2];
    Operand<TFloating> rows = tf.reshape(x, tf.constant(new long[] {-1, w, c})); // [B·H, W, C]
    Operand<TFloat64> count = tf.math.div(tf.dtypes.cast(tf.size(x), TFloat64.class), tf.constant((double) c));
    // ones [B·H, 1, 1] to broadcast per-channel values to rows (no gradient: StopGradient)
    Operand<TFloat64> ones = tf.dtypes.cast(tf.stopGradient(
        tf.onesLike(tf.sum(rows, tf.constant(new int[] {1, 2}), Sum.keepDims(true)))), TFloat64.class);
    Operand<TFloat64> mu64 = tf.math.div(rowSum(tf, rows), count);
    Operand<TFloating> centered = tf.math.sub(rows, perRow(tf, mu64, ones, c));
    Operand<TFloat64> var64 = tf.math.div(rowSum(tf, tf.math.square(centered)), count);
    Operand<TFloat64> scale = tf.math.mul(tf.math.rsqrt(tf.math.add(var64, tf.constant(BN_EPS))),
        tf.dtypes.cast(gamma, TFloat64.class));
    Operand<TFloating> y = tf.math.add(tf.math.mul(centered, perRow(tf, scale, ones, c)),
        perRow(tf, tf.dtypes.cast(beta, TFloat64.class), ones, c));
    return new Staged(tf.reshape(y, tf.shape(x)), tf.dtypes.cast(mu64, GraphMath.floatType(tf)),
        tf.dtypes.cast(var64, GraphMath.floatType(tf)));
  }

  /** {@code [B·H, W, C]} summed over each row in float32, then over the rows in float64: {@code [C]}. */
  private static Operand<TFloat64> rowSum(Ops tf, Operand<TFloating> rows) {
    Operand<TFloat64> partial = tf.dtypes.cast(tf.sum(rows, tf.constant(new int[] {1})), TFloat64.class);
    return tf.sum(partial, tf.constant(new int[] {0}));
  }

  /** Per-channel {@code v [C]} as float32 {@code [B·H, 1, C]}, broadcast over the rows in float64. */
  private static Operand<TFloating> perRow(Ops tf, Operand<TFloat64> v, Operand<TFloat64> ones, long c) {
    return tf.dtypes.cast(tf.math.mul(tf.reshape(v, tf.constant(new long[] {1, 1, c})), ones), GraphMath.floatType(tf));
  }

  /** {@code r = (1 - m)·r + m·s} for the running statistic at state index {@code i}. */
  private void updateRunning(Ops tf, int i, Operand<TFloating> s, List<Op> updates) {
    StateVariable r = state.get(i);
    updates.add(r.assign(tf, add(tf, mul(tf, r.read(), 1 - BN_MOMENTUM), mul(tf, s, BN_MOMENTUM))));
  }

  private static Operand<TFloating> nhwc(Ops tf, Act a) {
    return a.nhwc() ? a.x() : GraphMath.toNhwc(tf, a.x());
  }
}
