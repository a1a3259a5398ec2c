package io.holdout.api.model;

import java.util.Arrays;

/**
 * One layer of a neutral model. Every backend compiles these same records; the parameter names and
 * shapes they imply are fixed by {@link ModelSpec#parameters()} so weights move between engines.
 *
 * <p>Layouts follow PyTorch: a dense weight is {@code [out, in]}, a convolution weight {@code [out,
 * in, kh, kw]}, images are {@code [channels, height, width]}.
 */
public sealed interface LayerSpec {

  /** Short type name as used in config files ("dense", "relu", ...). */
  String type();

  /** Output shape (without the batch dimension) for the given input shape. */
  long[] outputShape(long[] in, String where);

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

  /** 2-D convolution over {@code [c, h, w]} with square kernel, stride and zero padding. */
  record Conv2d(int filters, int kernel, int stride, int padding) implements LayerSpec {
    public Conv2d {
      if (filters <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
        throw new IllegalArgumentException(
            "conv2d needs filters, kernel, stride > 0 and padding >= 0");
      }
    }

    @Override
    public String type() {
      return "conv2d";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 3, where, "conv2d needs an image input [channels, height, width]");
      long h = (in[1] + 2L * padding - kernel) / stride + 1;
      long w = (in[2] + 2L * padding - kernel) / stride + 1;
      if (h <= 0 || w <= 0) {
        throw new IllegalArgumentException(where + ": conv2d output would be empty for input " + Arrays.toString(in));
      }
      return new long[] {filters, h, w};
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

  /** Max pooling with a square window, no padding, floor rounding. */
  record MaxPool(int kernel, int stride) implements LayerSpec {
    public MaxPool {
      if (kernel <= 0 || stride <= 0) {
        throw new IllegalArgumentException("maxpool kernel and stride must be > 0");
      }
    }

    @Override
    public String type() {
      return "maxpool";
    }

    @Override
    public long[] outputShape(long[] in, String where) {
      requireRank(in, 3, where, "maxpool needs an image input [channels, height, width]");
      long h = (in[1] - kernel) / stride + 1;
      long w = (in[2] - kernel) / stride + 1;
      if (h <= 0 || w <= 0) {
        throw new IllegalArgumentException(where + ": maxpool output would be empty for input " + Arrays.toString(in));
      }
      return new long[] {in[0], h, w};
    }
  }

  private static void requireRank(long[] in, int rank, String where, String hint) {
    if (in.length != rank) {
      throw new IllegalArgumentException(where + ": " + hint + " (input shape " + Arrays.toString(in) + ")");
    }
  }
}
