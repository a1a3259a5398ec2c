package io.holdout.api.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One operation of a neutral model (a node of its graph, see {@link Node}). Every backend compiles
 * these same records; the parameter names and shapes they imply are fixed by {@link
 * ModelSpec#parameters()} so weights move between engines.
 *
 * <p>Layouts follow PyTorch: a dense weight is {@code [out, in]}, a convolution weight {@code [out,
 * in/groups, kh, kw]}, images are {@code [channels, height, width]}. Shapes here never include the
 * batch dimension; an {@code axis} counts from the first non-batch dimension.
 */
public sealed interface LayerSpec {

  /** Short type name as used in config files ("dense", "relu", ...). */
  String type();

  /** Output shape (without the batch dimension) for the given input shape. */
  long[] outputShape(long[] in, String where);

  /**
   * How many inputs the operation takes: 1 for a layer, {@code -1} for "two or more" ({@code add},
   * {@code mul}, {@code concat}).
   */
  default int arity() {
    return 1;
  }

  /** Output shape for the shapes of all inputs; a one-input layer takes exactly one. */
  default long[] outputShape(List<long[]> in, String where) {
    if (arity() == 1) {
      if (in.size() != 1) {
        throw new IllegalArgumentException(where + ": " + type() + " takes one input, got " + in.size());
      }
      return outputShape(in.get(0), where);
    }
    if (in.size() < 2) {
      throw new IllegalArgumentException(where + ": " + type() + " takes two or more inputs, got " + in.size());
    }
    throw new IllegalStateException(type() + " must override outputShape(List)");
  }

  /** Fully connected layer: {@code y = x W^T + b}. */
  record Dense(int units) implements LayerSpec {
    public Dense {
      if (units <= 0) {
        throw new IllegalArgumentException("dense units must be > 0, got " + units);
      }
    }

    @Override
    public String type() {
      return "dense";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 1, where, "dense needs a flat input; add a 'flatten' layer before it");
      return new long[] {units};
    }
  }

  /** Rectified linear unit. */
  record Relu() implements LayerSpec {
    @Override
    public String type() {
      return "relu";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      return in.clone();
    }
  }

  /**
   * An element-wise (or, for softmax, per-position) activation. {@code alpha} is leaky ReLU's
   * negative slope and unused by the others.
   */
  record Activation(Fn fn, double alpha) implements LayerSpec {
    /** The activation functions, by their config names. */
    public enum Fn {
      /** {@code min(max(x, 0), 6)}. */
      RELU6,
      /** {@code x} for {@code x ≥ 0}, else {@code alpha·x} (default alpha 0.01). */
      LEAKY_RELU,
      /** {@code 1 / (1 + e^-x)}. */
      SIGMOID,
      TANH,
      /** Exact GELU, {@code x·Φ(x) = x·(1 + erf(x/√2))/2}. */
      GELU,
      /** {@code x·sigmoid(x)} (swish). */
      SILU,
      /** {@code relu6(x + 3)/6}, as PyTorch's hardsigmoid and MobileNetV3. */
      HARD_SIGMOID,
      /** {@code x·relu6(x + 3)/6}. */
      HARD_SWISH,
      /** Softmax over the first non-batch axis (the features of a flat input, the channels of an image). */
      SOFTMAX;

      /** The config name, e.g. {@code hard_swish}. */
      public String id() {
        return name().toLowerCase(Locale.ROOT);
      }

      /** The function of config name {@code id}, or null. */
      public static Fn of(String id) {
        for (Fn f : values()) {
          if (f.id().equals(id)) {
            return f;
          }
        }
        return null;
      }
    }

    /** Leaky ReLU's default negative slope (PyTorch's). */
    public static final double LEAKY_SLOPE = 0.01;

    public Activation {
      if (fn == null) {
        throw new IllegalArgumentException("activation function is null");
      }
      if (!Double.isFinite(alpha)) {
        throw new IllegalArgumentException(fn.id() + " slope must be finite, got " + alpha);
      }
    }

    /** The activation {@code fn} with its default parameter. */
    public Activation(Fn fn) {
      this(fn, fn == Fn.LEAKY_RELU ? LEAKY_SLOPE : 0);
    }

    @Override
    public String type() {
      return fn.id();
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      return in.clone();
    }
  }

  /** Inverted dropout: zeroes each activation with probability {@code rate} in training only. */
  record Dropout(double rate) implements LayerSpec {
    public Dropout {
      if (!(rate >= 0 && rate < 1)) {
        throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
      }
    }

    @Override
    public String type() {
      return "dropout";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      return in.clone();
    }
  }

  /** Flattens {@code [c, h, w]} to {@code [c*h*w]} (row-major). */
  record Flatten() implements LayerSpec {
    @Override
    public String type() {
      return "flatten";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      long n = 1;
      for (long d : in) {
        n *= d;
      }
      return new long[] {n};
    }
  }

  /**
   * 2-D convolution over {@code [c, h, w]}: square kernel, stride, zero padding and dilation, in
   * {@code groups} groups (input channels and filters both split evenly: {@code groups = c} is a
   * depthwise convolution), with an optional bias. Weight {@code [filters, c/groups, k, k]}.
   */
  record Conv2d(int filters, int kernel, int stride, int padding, int dilation, int groups, boolean bias)
      implements LayerSpec {
    public Conv2d {
      if (filters <= 0 || kernel <= 0 || stride <= 0 || padding < 0 || dilation <= 0 || groups <= 0) {
        throw new IllegalArgumentException(
            "conv2d needs filters, kernel, stride, dilation, groups > 0 and padding >= 0");
      }
      if (filters % groups != 0) {
        throw new IllegalArgumentException(
            "conv2d filters (" + filters + ") must be a multiple of groups (" + groups + ")");
      }
    }

    /** A plain convolution with a bias: one group, no dilation. */
    public Conv2d(int filters, int kernel, int stride, int padding) {
      this(filters, kernel, stride, padding, 1, 1, true);
    }

    @Override
    public String type() {
      return "conv2d";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 3, where, "conv2d needs an image input [channels, height, width]");
      if (in[0] % groups != 0) {
        throw new IllegalArgumentException(where + ": conv2d groups (" + groups
            + ") must divide the input channels (" + in[0] + ")");
      }
      long span = (long) dilation * (kernel - 1) + 1;
      long h = (in[1] + 2L * padding - span) / stride + 1;
      long w = (in[2] + 2L * padding - span) / stride + 1;
      if (in[1] + 2L * padding < span || in[2] + 2L * padding < span) {
        h = 0;
      }
      if (h <= 0 || w <= 0) {
        throw new IllegalArgumentException(where + ": conv2d output would be empty for input " + Arrays.toString(in));
      }
      return new long[] {filters, h, w};
    }
  }

  /**
   * Transposed 2-D convolution (the gradient of a convolution with respect to its input, as
   * PyTorch's {@code ConvTranspose2d}): square kernel, stride, padding (cropped from each side of
   * the full output), output padding (added at the bottom and right, less than the stride) and an
   * optional bias; one group, no dilation. Weight {@code [in, filters, k, k]} (PyTorch's layout).
   * Output size {@code (n - 1)·stride - 2·padding + kernel + outputPadding}.
   */
  record ConvTranspose2d(int filters, int kernel, int stride, int padding, int outputPadding, boolean bias)
      implements LayerSpec {
    public ConvTranspose2d {
      if (filters <= 0 || kernel <= 0 || stride <= 0 || padding < 0 || outputPadding < 0) {
        throw new IllegalArgumentException(
            "conv_transpose2d needs filters, kernel, stride > 0 and padding, output_padding >= 0");
      }
      if (outputPadding >= stride) {
        throw new IllegalArgumentException("conv_transpose2d output_padding (" + outputPadding
            + ") must be smaller than the stride (" + stride + ")");
      }
    }

    @Override
    public String type() {
      return "conv_transpose2d";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 3, where, "conv_transpose2d needs an image input [channels, height, width]");
      long h = (in[1] - 1) * stride - 2L * padding + kernel + outputPadding;
      long w = (in[2] - 1) * stride - 2L * padding + kernel + outputPadding;
      if (h <= 0 || w <= 0) {
        throw new IllegalArgumentException(where + ": conv_transpose2d output would be empty for input "
            + Arrays.toString(in) + " (padding " + padding + " crops it all)");
      }
      return new long[] {filters, h, w};
    }
  }

  /**
   * Layer normalisation along one axis at every position of the others: {@code (x - μ)/√(σ² + eps)·γ
   * + β} with the mean and biased variance over that axis, per sample, and learned {@code γ} (ones)
   * and {@code β} (zeros) as long as the axis; eps 1e-5. {@code axis} counts from the first
   * non-batch axis, {@code -1} is the last (PyTorch's {@code LayerNorm(d)} over the features of a
   * flat input or of {@code [tokens, d]}); {@code 0} on an image normalises its channels at each
   * pixel (ConvNeXt's).
   */
  record LayerNorm(int axis) implements LayerSpec {
    /** The epsilon added to the variance (PyTorch's default). */
    public static final double EPS = 1e-5;

    public LayerNorm {
      if (axis < -1) {
        throw new IllegalArgumentException("layer_norm axis must be >= 0, or -1 for the last axis, got " + axis);
      }
    }

    /** The axis of an input of rank {@code rank}. */
    public int axisOf(int rank) {
      return axis < 0 ? rank - 1 : axis;
    }

    @Override
    public String type() {
      return "layer_norm";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      if (axisOf(in.length) >= in.length) {
        throw new IllegalArgumentException(where + ": layer_norm axis " + axis + " is outside input shape "
            + Arrays.toString(in));
      }
      return in.clone();
    }
  }

  /**
   * L2 normalisation over the channels (image) or features (flat) with a learned scale per channel,
   * as VGG-SSD's conv4_3: {@code y = γ·x / √(Σ_c x² + eps)} at each position, eps 1e-10, {@code γ}
   * initialised to {@code scale} (20 in SSD). SSD adds its eps to the norm instead; inside the root
   * the two agree to 1e-10 relative wherever the norm is not tiny, and the gradient stays finite where
   * every channel is 0 (after a ReLU), where {@code √} of 0 has none.
   */
  record L2Norm(double scale) implements LayerSpec {
    /** SSD's initial scale. */
    public static final double SSD_SCALE = 20;

    /** The epsilon added to the norm. */
    public static final double EPS = 1e-10;

    public L2Norm {
      if (!(scale > 0) || !Double.isFinite(scale)) {
        throw new IllegalArgumentException("l2norm scale must be > 0, got " + scale);
      }
    }

    @Override
    public String type() {
      return "l2norm";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      if (in.length != 1 && in.length != 3) {
        throw new IllegalArgumentException(where + ": l2norm needs a flat or an image input");
      }
      return in.clone();
    }
  }

  /**
   * Upsampling of an image by an integer factor: nearest (each cell repeated, PyTorch's {@code
   * nearest}) or bilinear (PyTorch's {@code bilinear}: half-pixel centres, sources below 0 clamped
   * to the edge, or with {@code alignCorners} the corner cells aligned).
   */
  record Upsample(int scale, boolean bilinear, boolean alignCorners) implements LayerSpec {
    public Upsample {
      if (scale <= 0) {
        throw new IllegalArgumentException("upsample scale must be > 0, got " + scale);
      }
      if (alignCorners && !bilinear) {
        throw new IllegalArgumentException("upsample align_corners applies to mode bilinear only");
      }
    }

    /** The mode's config name. */
    public String mode() {
      return bilinear ? "bilinear" : "nearest";
    }

    @Override
    public String type() {
      return "upsample";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 3, where, "upsample needs an image input [channels, height, width]");
      return new long[] {in[0], in[1] * scale, in[2] * scale};
    }

    /**
     * The interpolation matrix {@code [n·scale, n]} along one axis of {@code n} cells: output cell
     * {@code i} is {@code Σ_j m[i][j]·x[j]} (row-major). Every engine and the reference use these
     * same weights.
     */
    public double[] matrix(int n) {
      int out = n * scale;
      double[] m = new double[out * n];
      for (int i = 0; i < out; i++) {
        if (!bilinear) {
          m[i * n + i / scale] = 1;
          continue;
        }
        double src = alignCorners ? (out == 1 ? 0 : (double) i * (n - 1) / (out - 1))
            : Math.max((i + 0.5) / scale - 0.5, 0);
        int lo = Math.min((int) Math.floor(src), n - 1);
        int hi = Math.min(lo + 1, n - 1);
        double t = src - lo;
        m[i * n + lo] += 1 - t;
        m[i * n + hi] += t;
      }
      return m;
    }
  }

  /**
   * A new shape for the same values in row-major order (the batch dimension stays); one dimension
   * may be {@code -1}, inferred from the others.
   */
  record Reshape(List<Long> shape) implements LayerSpec {
    public Reshape {
      shape = List.copyOf(shape);
      if (shape.isEmpty()) {
        throw new IllegalArgumentException("reshape needs a non-empty shape");
      }
      if (shape.stream().anyMatch(d -> d == 0 || d < -1) || shape.stream().filter(d -> d == -1).count() > 1) {
        throw new IllegalArgumentException("reshape dimensions must be > 0, with at most one -1, got " + shape);
      }
    }

    @Override
    public String type() {
      return "reshape";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      long n = 1;
      for (long d : in) {
        n *= d;
      }
      long known = 1;
      for (long d : shape) {
        known *= d == -1 ? 1 : d;
      }
      long[] out = new long[shape.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = shape.get(i) == -1 ? n / known : shape.get(i);
      }
      long m = 1;
      for (long d : out) {
        m *= d;
      }
      if (m != n || n % known != 0) {
        throw new IllegalArgumentException(where + ": reshape to " + shape + " does not fit input shape "
            + Arrays.toString(in) + " (" + n + " values)");
      }
      return out;
    }
  }

  /**
   * A lookup table: each input value, an integer index in {@code [0, vocab)} (as a float), becomes
   * its row of a learned {@code [vocab, dim]} table (normal(0, 1) initialisation, as PyTorch's);
   * {@code [n] -> [n, dim]}. It reads the model input directly (indices have no gradient).
   */
  record Embedding(int vocab, int dim) implements LayerSpec {
    public Embedding {
      if (vocab <= 0 || dim <= 0) {
        throw new IllegalArgumentException("embedding vocab and dim must be > 0");
      }
    }

    @Override
    public String type() {
      return "embedding";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      long[] out = Arrays.copyOf(in, in.length + 1);
      out[in.length] = dim;
      return out;
    }
  }

  /**
   * Batch normalisation over the channel (image) or feature (flat) axis, with learned scale and
   * shift and running statistics (momentum 0.1, epsilon 1e-5, as PyTorch).
   */
  record BatchNorm() implements LayerSpec {
    @Override
    public String type() {
      return "batchnorm";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      if (in.length != 1 && in.length != 3) {
        throw new IllegalArgumentException(where + ": batchnorm needs a flat or an image input");
      }
      return in.clone();
    }
  }

  /**
   * Max pooling with a square window, stride and padding (padded cells never win), rounding the
   * output size down, or up with {@code ceil} (PyTorch's rule: a last window must start inside the
   * input or its left padding).
   */
  record MaxPool(int kernel, int stride, int padding, boolean ceil) implements LayerSpec {
    public MaxPool {
      checkPool("maxpool", kernel, stride, padding);
    }

    /** No padding, floor rounding. */
    public MaxPool(int kernel, int stride) {
      this(kernel, stride, 0, false);
    }

    @Override
    public String type() {
      return "maxpool";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      return poolShape("maxpool", in, kernel, stride, padding, ceil, where);
    }
  }

  /**
   * Average pooling with a square window, stride and zero padding; each output is the mean of the
   * window's cells inside the input (padding is not counted, PyTorch's {@code
   * count_include_pad=False}); floor or {@code ceil} rounding as {@link MaxPool}.
   */
  record AvgPool(int kernel, int stride, int padding, boolean ceil) implements LayerSpec {
    public AvgPool {
      checkPool("avgpool", kernel, stride, padding);
    }

    @Override
    public String type() {
      return "avgpool";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      return poolShape("avgpool", in, kernel, stride, padding, ceil, where);
    }
  }

  /** The mean of each channel: {@code [c, h, w] -> [c, 1, 1]}. */
  record GlobalAvgPool() implements LayerSpec {
    @Override
    public String type() {
      return "global_avgpool";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 3, where, "global_avgpool needs an image input [channels, height, width]");
      return new long[] {in[0], 1, 1};
    }
  }

  /**
   * Element-wise sum of two or more inputs of one shape, or of shapes that broadcast (same rank,
   * each dimension equal or 1 — a residual connection, a bias map).
   */
  record Add() implements LayerSpec {
    @Override
    public String type() {
      return "add";
    }

    @Override
    public int arity() {
      return -1;
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      throw new IllegalArgumentException(where + ": add takes two or more inputs");
    }

    @Override
    public long[] outputShape(List<long[]> in, String where) {
      return broadcast("add", in, where);
    }
  }

  /**
   * Element-wise product of two or more inputs of broadcastable shapes (same rank, each dimension
   * equal or 1): gating, as squeeze-and-excitation's {@code [c, h, w] · [c, 1, 1]}.
   */
  record Mul() implements LayerSpec {
    @Override
    public String type() {
      return "mul";
    }

    @Override
    public int arity() {
      return -1;
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      throw new IllegalArgumentException(where + ": mul takes two or more inputs");
    }

    @Override
    public long[] outputShape(List<long[]> in, String where) {
      return broadcast("mul", in, where);
    }
  }

  /**
   * Concatenation of two or more inputs along {@code axis} (0: the channels of images, the features
   * of flat inputs, the anchors of {@link Anchors} outputs); all other dimensions must agree.
   */
  record Concat(int axis) implements LayerSpec {
    public Concat {
      if (axis < 0) {
        throw new IllegalArgumentException("concat axis must be >= 0 (0 is the first non-batch axis), got " + axis);
      }
    }

    @Override
    public String type() {
      return "concat";
    }

    @Override
    public int arity() {
      return -1;
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      throw new IllegalArgumentException(where + ": concat takes two or more inputs");
    }

    @Override
    public long[] outputShape(List<long[]> in, String where) {
      if (in.size() < 2) {
        throw new IllegalArgumentException(where + ": concat takes two or more inputs, got " + in.size());
      }
      long[] first = in.get(0);
      if (axis >= first.length) {
        throw new IllegalArgumentException(where + ": concat axis " + axis + " is outside input shape "
            + Arrays.toString(first));
      }
      long[] out = first.clone();
      for (int i = 1; i < in.size(); i++) {
        long[] s = in.get(i);
        boolean fits = s.length == first.length;
        for (int d = 0; fits && d < s.length; d++) {
          fits = d == axis || s[d] == first[d];
        }
        if (!fits) {
          throw new IllegalArgumentException(where + ": concat along axis " + axis + " needs inputs that agree on"
              + " every other axis, got " + Arrays.toString(first) + " and " + Arrays.toString(s));
        }
        out[axis] += s[axis];
      }
      return out;
    }
  }

  /**
   * Per-location predictions to rows, as SSD's heads: {@code [k·units, h, w] -> [h·w·k, units]},
   * channels last, so row {@code (y·w + x)·k + a} holds channels {@code a·units .. a·units + units
   * - 1} at {@code (y, x)}.
   */
  record Anchors(int units) implements LayerSpec {
    public Anchors {
      if (units <= 0) {
        throw new IllegalArgumentException("anchors units must be > 0, got " + units);
      }
    }

    @Override
    public String type() {
      return "anchors";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 3, where, "anchors needs an image input [k·units, height, width]");
      if (in[0] % units != 0) {
        throw new IllegalArgumentException(where + ": anchors of " + units + " units need channels that are a"
            + " multiple of " + units + ", got " + in[0]);
      }
      return new long[] {in[1] * in[2] * (in[0] / units), units};
    }

    /** Anchors per location of an input with {@code channels} channels. */
    public long perLocation(long channels) {
      return channels / units;
    }
  }

  private static void checkPool(String type, int kernel, int stride, int padding) {
    if (kernel <= 0 || stride <= 0) {
      throw new IllegalArgumentException(type + " kernel and stride must be > 0");
    }
    if (padding < 0 || 2 * padding > kernel) {
      throw new IllegalArgumentException(type + " padding must be in [0, kernel/2], got " + padding);
    }
  }

  /** Pooled size along one axis of {@code n} cells (PyTorch's rule, also ONNX's). */
  static long pooledSize(long n, int kernel, int stride, int padding, boolean ceil) {
    long span = n + 2L * padding - kernel;
    if (span < 0) {
      return 0;
    }
    long out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil && (out - 1) * stride >= n + padding) {
      out--;
    }
    return out;
  }

  private static long[] poolShape(String type, long[] in, int kernel, int stride, int padding, boolean ceil,
      String where) {
    requireRank(in, 3, where, type + " needs an image input [channels, height, width]");
    long h = pooledSize(in[1], kernel, stride, padding, ceil);
    long w = pooledSize(in[2], kernel, stride, padding, ceil);
    if (h <= 0 || w <= 0) {
      throw new IllegalArgumentException(where + ": " + type + " output would be empty for input " + Arrays.toString(in));
    }
    return new long[] {in[0], h, w};
  }

  private static long[] broadcast(String type, List<long[]> in, String where) {
    if (in.size() < 2) {
      throw new IllegalArgumentException(where + ": " + type + " takes two or more inputs, got " + in.size());
    }
    long[] out = in.get(0).clone();
    for (int i = 1; i < in.size(); i++) {
      long[] s = in.get(i);
      boolean fits = s.length == out.length;
      for (int d = 0; fits && d < s.length; d++) {
        if (s[d] != out[d] && s[d] != 1 && out[d] != 1) {
          fits = false;
        } else {
          out[d] = Math.max(out[d], s[d]);
        }
      }
      if (!fits) {
        StringBuilder shapes = new StringBuilder();
        for (long[] x : in) {
          shapes.append(shapes.length() == 0 ? "" : " and ").append(Arrays.toString(x));
        }
        throw new IllegalArgumentException(where + ": " + type + " needs inputs of one shape (or dimensions of 1"
            + " that broadcast), got " + shapes);
      }
    }
    return out;
  }

  private static void requireRank(long[] in, int rank, String where, String hint) {
    if (in.length != rank) {
      throw new IllegalArgumentException(where + ": " + hint + " (input shape " + Arrays.toString(in) + ")");
    }
  }
}
