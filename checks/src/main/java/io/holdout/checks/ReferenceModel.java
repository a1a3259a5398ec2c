package io.holdout.checks;

import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * A {@link ModelSpec} evaluated in plain Java, in double precision, with PyTorch's semantics: NCHW
 * activations, dense {@code y = x W^T + b}, OIHW convolution (groups, dilation, zero padding), max and
 * average pooling (padding skipped, floor or ceil rounding), batch norm with batch statistics (biased variance) in training and running
 * statistics in evaluation, dropout as the identity in evaluation, transposed convolution as a
 * scatter of each input cell, layer and L2 norm, upsampling through {@link
 * LayerSpec.Upsample#matrix}, embeddings as row lookups, multi-scale heads as {@link HeadSpec}
 * defines them. It is the oracle for outputs,
 * for batch-norm statistics and, through central finite differences, for gradients.
 *
 * <p>Training passes with a dropout rate above 0 are refused: masks are engine-side randomness.
 */
public final class ReferenceModel {
  /** Batch norm's momentum and epsilon (PyTorch's defaults). */
  public static final double BN_MOMENTUM = 0.1;

  public static final double BN_EPS = 1e-5;

  private final ModelSpec spec;
  private final Map<String, double[]> state = new LinkedHashMap<>();

  /** The model {@code spec} with a double copy of {@code weights}. */
  public ReferenceModel(ModelSpec spec, Weights weights) {
    this.spec = Objects.requireNonNull(spec, "spec is null");
    Objects.requireNonNull(weights, "weights is null");
    weights.checkFits(spec, "reference weights");
    for (ParamInfo p : spec.parameters()) {
      state.put(p.name(), Fixtures.toDoubles(weights.get(p.name()).toFloatArray()));
    }
  }

  /** The current value of a state tensor (a live array: writes change the model). */
  public double[] get(String name) {
    double[] v = state.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no state tensor '" + name + "'");
    }
    return v;
  }

  /**
   * One forward pass.
   *
   * @param outputs each head's output, {@code [B·units]} row-major
   * @param batchMeans per batch-norm layer (by its prefix, e.g. {@code trunk.1.}), the batch mean of
   *     a training pass
   * @param batchVars the biased batch variance per batch-norm layer of a training pass
   * @param counts values per channel each batch-norm layer normalised over
   */
  public record Pass(
      Map<String, double[]> outputs,
      Map<String, double[]> batchMeans,
      Map<String, double[]> batchVars,
      Map<String, Integer> counts) {}

  /** Runs every node of the graph on {@code input} ({@code [B, ...inputShape]} row-major). */
  public Pass forward(double[] input, int batch, boolean training) {
    Objects.requireNonNull(input, "input is null");
    Map<String, double[]> means = new LinkedHashMap<>();
    Map<String, double[]> vars = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, Act> values = new HashMap<>();
    values.put(ModelSpec.INPUT, new Act(input.clone(), spec.inputShape()));
    for (Node n : spec.graph()) {
      List<Act> in = new ArrayList<>();
      for (String i : n.inputs()) {
        in.add(values.get(i));
      }
      values.put(n.name(), layer(n.op(), n.name() + ".", in, batch, training, means, vars, counts));
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    for (HeadSpec h : spec.heads()) {
      out.put(h.name(), values.get(spec.outputNode(h.name())).v);
    }
    return new Pass(Collections.unmodifiableMap(out), means, vars, counts);
  }

  /**
   * The running statistics a training pass leaves: {@code r = (1 - m)·r + m·s} with the batch mean
   * and the unbiased batch variance, keyed by state-tensor name.
   */
  public Map<String, double[]> runningStatsAfter(Pass pass) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : pass.batchMeans().entrySet()) {
      String p = e.getKey();
      double[] mean = e.getValue();
      double[] var = pass.batchVars().get(p);
      int n = pass.counts().get(p);
      double[] rm = get(p + "running_mean").clone();
      double[] rv = get(p + "running_var").clone();
      for (int c = 0; c < rm.length; c++) {
        rm[c] = (1 - BN_MOMENTUM) * rm[c] + BN_MOMENTUM * mean[c];
        rv[c] = (1 - BN_MOMENTUM) * rv[c] + BN_MOMENTUM * var[c] * n / (n - 1);
      }
      out.put(p + "running_mean", rm);
      out.put(p + "running_var", rv);
    }
    return out;
  }

  /**
   * Gradients of {@code loss(outputs of a training pass)} with respect to every trainable
   * parameter, by central finite differences of step {@code h} (in double precision, so {@code
   * 1e-6} gives about 10 correct digits on smooth models).
   */
  public Map<String, double[]> gradients(
      double[] input, int batch, ToDoubleFunction<Map<String, double[]>> loss, double h) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (ParamInfo p : spec.parameters()) {
      if (!p.role().trainable()) {
        continue;
      }
      double[] w = get(p.name());
      double[] g = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        double keep = w[i];
        w[i] = keep + h;
        double up = loss.applyAsDouble(forward(input, batch, true).outputs());
        w[i] = keep - h;
        double down = loss.applyAsDouble(forward(input, batch, true).outputs());
        w[i] = keep;
        g[i] = (up - down) / (2 * h);
      }
      out.put(p.name(), g);
    }
    return out;
  }

  /**
   * Directional derivatives of {@code loss(outputs of a training pass)}: for each trainable
   * parameter tensor {@code w} and its direction {@code v} (same length), {@code (L(w + h·v) -
   * L(w - h·v)) / 2h ≈ ∇_w L · v}, two forward passes per tensor instead of two per element.
   */
  public Map<String, Double> directionalDerivatives(double[] input, int batch,
      ToDoubleFunction<Map<String, double[]>> loss, Map<String, double[]> directions, double h) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> d : directions.entrySet()) {
      double[] w = get(d.getKey());
      double[] v = d.getValue();
      double[] keep = w.clone();
      for (int i = 0; i < w.length; i++) {
        w[i] = keep[i] + h * v[i];
      }
      double up = loss.applyAsDouble(forward(input, batch, true).outputs());
      for (int i = 0; i < w.length; i++) {
        w[i] = keep[i] - h * v[i];
      }
      double down = loss.applyAsDouble(forward(input, batch, true).outputs());
      System.arraycopy(keep, 0, w, 0, w.length);
      out.put(d.getKey(), (up - down) / (2 * h));
    }
    return out;
  }

  /** {@code Σ_heads mean((y - t)²)} with targets {@code t} keyed by head name. */
  public static double mse(Map<String, double[]> outputs, Map<String, float[]> targets) {
    double total = 0;
    for (Map.Entry<String, double[]> e : outputs.entrySet()) {
      double[] y = e.getValue();
      float[] t = targets.get(e.getKey());
      double s = 0;
      for (int i = 0; i < y.length; i++) {
        double d = y[i] - t[i];
        s += d * d;
      }
      total += s / y.length;
    }
    return total;
  }

  private record Act(double[] v, long[] shape) {}

  private Act layer(LayerSpec l, String p, List<Act> ins, int b, boolean training, Map<String, double[]> means,
      Map<String, double[]> vars, Map<String, Integer> counts) {
    List<long[]> shapes = ins.stream().map(Act::shape).toList();
    long[] outShape = l.outputShape(shapes, p);
    Act in = ins.get(0);
    if (l instanceof LayerSpec.Dense) {
      return new Act(dense(in.v, b, (int) in.shape[0], get(p + "weight"), get(p + "bias")), outShape);
    } else if (l instanceof LayerSpec.Conv2d c) {
      double[] bias = c.bias() ? get(p + "bias") : new double[c.filters()];
      return new Act(conv(in.v, b, in.shape, c, get(p + "weight"), bias, outShape), outShape);
    } else if (l instanceof LayerSpec.MaxPool m) {
      return new Act(pool(in.v, b, in.shape, m.kernel(), m.stride(), m.padding(), true, outShape), outShape);
    } else if (l instanceof LayerSpec.AvgPool m) {
      return new Act(pool(in.v, b, in.shape, m.kernel(), m.stride(), m.padding(), false, outShape), outShape);
    } else if (l instanceof LayerSpec.GlobalAvgPool) {
      int per = (int) (in.shape[1] * in.shape[2]);
      double[] y = new double[in.v.length / per];
      for (int i = 0; i < in.v.length; i++) {
        y[i / per] += in.v[i] / per;
      }
      return new Act(y, outShape);
    } else if (l instanceof LayerSpec.BatchNorm) {
      return new Act(batchNorm(in.v, b, in.shape, p, training, means, vars, counts), outShape);
    } else if (l instanceof LayerSpec.Relu) {
      return new Act(map(in.v, x -> Math.max(0, x)), outShape);
    } else if (l instanceof LayerSpec.Activation act) {
      return new Act(activation(act, in.v, b, in.shape), outShape);
    } else if (l instanceof LayerSpec.Flatten) {
      return new Act(in.v, outShape);
    } else if (l instanceof LayerSpec.Dropout d) {
      if (training && d.rate() > 0) {
        throw new IllegalArgumentException(p + ": the reference model has no dropout masks");
      }
      return in;
    } else if (l instanceof LayerSpec.Add || l instanceof LayerSpec.Mul) {
      boolean add = l instanceof LayerSpec.Add;
      double[] y = broadcastTo(in, outShape, b);
      for (int k = 1; k < ins.size(); k++) {
        double[] z = broadcastTo(ins.get(k), outShape, b);
        for (int i = 0; i < y.length; i++) {
          y[i] = add ? y[i] + z[i] : y[i] * z[i];
        }
      }
      return new Act(y, outShape);
    } else if (l instanceof LayerSpec.Concat c) {
      return new Act(concat(ins, c.axis(), b, outShape), outShape);
    } else if (l instanceof LayerSpec.Anchors) {
      return new Act(channelsLast(in.v, b, in.shape), outShape);
    } else if (l instanceof LayerSpec.ConvTranspose2d c) {
      double[] bias = c.bias() ? get(p + "bias") : new double[c.filters()];
      return new Act(convTranspose(in.v, b, in.shape, c, get(p + "weight"), bias, outShape), outShape);
    } else if (l instanceof LayerSpec.LayerNorm ln) {
      return new Act(layerNorm(in.v, b, in.shape, ln.axisOf(in.shape.length), get(p + "weight"), get(p + "bias")),
          outShape);
    } else if (l instanceof LayerSpec.L2Norm) {
      return new Act(l2Norm(in.v, b, in.shape, get(p + "weight")), outShape);
    } else if (l instanceof LayerSpec.Upsample u) {
      return new Act(upsample(in.v, b, in.shape, u), outShape);
    } else if (l instanceof LayerSpec.Reshape) {
      return new Act(in.v, outShape);
    } else if (l instanceof LayerSpec.Embedding e) {
      return new Act(embedding(in.v, e, get(p + "weight"), p), outShape);
    }
    throw new IllegalArgumentException("no reference for layer " + l.type());
  }

  private static double[] map(double[] x, DoubleUnaryOperator f) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = f.applyAsDouble(x[i]);
    }
    return y;
  }

  /** The activation {@code a} on {@code x} ({@code [B, ...shape]}). */
  static double[] activation(LayerSpec.Activation a, double[] x, int b, long[] shape) {
    return switch (a.fn()) {
      case RELU6 -> map(x, v -> Math.min(Math.max(v, 0), 6));
      case LEAKY_RELU -> map(x, v -> v >= 0 ? v : a.alpha() * v);
      case SIGMOID -> map(x, ReferenceModel::sigmoid);
      case TANH -> map(x, Math::tanh);
      case GELU -> map(x, v -> 0.5 * v * (1 + erf(v / Math.sqrt(2))));
      case SILU -> map(x, v -> v * sigmoid(v));
      case HARD_SIGMOID -> map(x, v -> Math.min(Math.max(v + 3, 0), 6) / 6);
      case HARD_SWISH -> map(x, v -> v * Math.min(Math.max(v + 3, 0), 6) / 6);
      case SOFTMAX -> softmax(x, b, shape);
    };
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /**
   * The error function to about 1e-15: its Maclaurin series for {@code |x| < 3}, else {@code 1 -
   * erfc(x)} from erfc's continued fraction (each converges fast on its range).
   */
  static double erf(double x) {
    double ax = Math.abs(x);
    if (ax < 3) {
      // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 200; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      return Math.copySign(2 / Math.sqrt(Math.PI) * sum, x);
    }
    // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
    double f = ax;
    for (int k = 80; k >= 1; k--) {
      f = ax + (k / 2.0) / f;
    }
    double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
    return Math.copySign(1 - erfc, x);
  }

  /** Softmax over axis 0 of each sample's {@code shape} (the features, or the channels per position). */
  private static double[] softmax(double[] x, int b, long[] shape) {
    int c = (int) shape[0];
    int inner = 1;
    for (int d = 1; d < shape.length; d++) {
      inner *= (int) shape[d];
    }
    double[] y = new double[x.length];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < inner; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
          max = Math.max(max, x[(n * c + k) * inner + i]);
        }
        double sum = 0;
        for (int k = 0; k < c; k++) {
          sum += Math.exp(x[(n * c + k) * inner + i] - max);
        }
        for (int k = 0; k < c; k++) {
          y[(n * c + k) * inner + i] = Math.exp(x[(n * c + k) * inner + i] - max) / sum;
        }
      }
    }
    return y;
  }

  /** {@code a}'s values repeated along its dimensions of 1 up to {@code shape} (per sample). */
  private static double[] broadcastTo(Act a, long[] shape, int b) {
    if (Arrays.equals(a.shape, shape)) {
      return a.v.clone();
    }
    int per = 1;
    for (long d : shape) {
      per *= (int) d;
    }
    int aPer = a.v.length / b;
    double[] y = new double[b * per];
    int[] idx = new int[shape.length];
    for (int n = 0; n < b; n++) {
      Arrays.fill(idx, 0);
      for (int i = 0; i < per; i++) {
        int src = 0;
        for (int d = 0; d < shape.length; d++) {
          src = src * (int) a.shape[d] + (a.shape[d] == 1 ? 0 : idx[d]);
        }
        y[n * per + i] = a.v[n * aPer + src];
        for (int d = shape.length - 1; d >= 0; d--) {
          if (++idx[d] < shape[d]) {
            break;
          }
          idx[d] = 0;
        }
      }
    }
    return y;
  }

  private static double[] concat(List<Act> ins, int axis, int b, long[] out) {
    int outer = b;
    for (int d = 0; d < axis; d++) {
      outer *= (int) out[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < out.length; d++) {
      inner *= (int) out[d];
    }
    int total = (int) out[axis];
    double[] y = new double[outer * total * inner];
    int offset = 0;
    for (Act a : ins) {
      int len = (int) a.shape[axis];
      for (int n = 0; n < outer; n++) {
        System.arraycopy(a.v, n * len * inner, y, (n * total + offset) * inner, len * inner);
      }
      offset += len;
    }
    return y;
  }

  /** {@code [B, C, H, W] -> [B, H·W, C]} (channels last), read as {@code [B, H·W·k, units]}. */
  private static double[] channelsLast(double[] x, int b, long[] shape) {
    int c = (int) shape[0];
    int hw = (int) (shape[1] * shape[2]);
    double[] y = new double[x.length];
    for (int n = 0; n < b; n++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < hw; i++) {
          y[(n * hw + i) * c + ch] = x[(n * c + ch) * hw + i];
        }
      }
    }
    return y;
  }

  /**
   * Transposed convolution as the scatter it is: input cell {@code (a, c)} adds {@code x·w[ch][o][u][v]}
   * to output cell {@code (a·stride - padding + u, c·stride - padding + v)} of every filter {@code o}.
   */
  private static double[] convTranspose(double[] x, int b, long[] in, LayerSpec.ConvTranspose2d c, double[] w,
      double[] bias, long[] out) {
    int cin = (int) in[0];
    int h = (int) in[1];
    int wd = (int) in[2];
    int f = (int) out[0];
    int oh = (int) out[1];
    int ow = (int) out[2];
    int k = c.kernel();
    double[] y = new double[b * f * oh * ow];
    for (int n = 0; n < b; n++) {
      for (int o = 0; o < f; o++) {
        for (int i = 0; i < oh * ow; i++) {
          y[(n * f + o) * oh * ow + i] = bias[o];
        }
      }
      for (int ch = 0; ch < cin; ch++) {
        for (int a = 0; a < h; a++) {
          for (int e = 0; e < wd; e++) {
            double v = x[((n * cin + ch) * h + a) * wd + e];
            for (int o = 0; o < f; o++) {
              for (int u = 0; u < k; u++) {
                int yy = a * c.stride() - c.padding() + u;
                if (yy < 0 || yy >= oh) {
                  continue;
                }
                for (int q = 0; q < k; q++) {
                  int xx = e * c.stride() - c.padding() + q;
                  if (xx >= 0 && xx < ow) {
                    y[((n * f + o) * oh + yy) * ow + xx] += v * w[((ch * f + o) * k + u) * k + q];
                  }
                }
              }
            }
          }
        }
      }
    }
    return y;
  }

  /** Normalisation along {@code axis} of each sample's {@code shape} at every other position. */
  private static double[] layerNorm(double[] x, int b, long[] shape, int axis, double[] gamma, double[] beta) {
    int len = (int) shape[axis];
    int outer = b;
    for (int d = 0; d < axis; d++) {
      outer *= (int) shape[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= (int) shape[d];
    }
    double[] y = new double[x.length];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double mean = 0;
        for (int k = 0; k < len; k++) {
          mean += x[(o * len + k) * inner + i] / len;
        }
        double var = 0;
        for (int k = 0; k < len; k++) {
          double d = x[(o * len + k) * inner + i] - mean;
          var += d * d / len;
        }
        double inv = 1 / Math.sqrt(var + LayerSpec.LayerNorm.EPS);
        for (int k = 0; k < len; k++) {
          int at = (o * len + k) * inner + i;
          y[at] = (x[at] - mean) * inv * gamma[k] + beta[k];
        }
      }
    }
    return y;
  }

  /** {@code γ·x / √(Σ x² + eps)} with the sum over axis 0 at each position. */
  private static double[] l2Norm(double[] x, int b, long[] shape, double[] gamma) {
    int c = (int) shape[0];
    int inner = x.length / b / c;
    double[] y = new double[x.length];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < inner; i++) {
        double sq = 0;
        for (int k = 0; k < c; k++) {
          double v = x[(n * c + k) * inner + i];
          sq += v * v;
        }
        double norm = Math.sqrt(sq + LayerSpec.L2Norm.EPS);
        for (int k = 0; k < c; k++) {
          int at = (n * c + k) * inner + i;
          y[at] = x[at] / norm * gamma[k];
        }
      }
    }
    return y;
  }

  /** Each map through {@link LayerSpec.Upsample#matrix} along its rows and its columns. */
  private static double[] upsample(double[] x, int b, long[] shape, LayerSpec.Upsample u) {
    int c = (int) shape[0];
    int h = (int) shape[1];
    int w = (int) shape[2];
    int oh = h * u.scale();
    int ow = w * u.scale();
    double[] mh = u.matrix(h);
    double[] mw = u.matrix(w);
    double[] y = new double[b * c * oh * ow];
    for (int m = 0; m < b * c; m++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          double s = 0;
          for (int a = 0; a < h; a++) {
            double wa = mh[i * h + a];
            if (wa == 0) {
              continue;
            }
            for (int e = 0; e < w; e++) {
              s += wa * mw[j * w + e] * x[(m * h + a) * w + e];
            }
          }
          y[(m * oh + i) * ow + j] = s;
        }
      }
    }
    return y;
  }

  /** Each index's row of the table; an index that is not a whole number in {@code [0, vocab)} fails. */
  private static double[] embedding(double[] x, LayerSpec.Embedding e, double[] table, String p) {
    int dim = e.dim();
    double[] y = new double[x.length * dim];
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      if (v != Math.rint(v) || v < 0 || v >= e.vocab()) {
        throw new IllegalArgumentException(p + ": embedding index " + v + " is not a whole number in [0, "
            + e.vocab() + ")");
      }
      System.arraycopy(table, (int) v * dim, y, i * dim, dim);
    }
    return y;
  }

  private static double[] dense(double[] x, int b, int in, double[] w, double[] bias) {
    int out = bias.length;
    double[] y = new double[b * out];
    for (int n = 0; n < b; n++) {
      for (int o = 0; o < out; o++) {
        double s = bias[o];
        for (int i = 0; i < in; i++) {
          s += w[o * in + i] * x[n * in + i];
        }
        y[n * out + o] = s;
      }
    }
    return y;
  }

  private static double[] conv(double[] x, int b, long[] in, LayerSpec.Conv2d c, double[] w, double[] bias,
      long[] out) {
    int cin = (int) in[0];
    int h = (int) in[1];
    int wd = (int) in[2];
    int f = (int) out[0];
    int oh = (int) out[1];
    int ow = (int) out[2];
    int k = c.kernel();
    int dil = c.dilation();
    int perGroupIn = cin / c.groups();
    int perGroupOut = f / c.groups();
    double[] y = new double[b * f * oh * ow];
    for (int n = 0; n < b; n++) {
      for (int o = 0; o < f; o++) {
        int first = (o / perGroupOut) * perGroupIn;
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double s = bias[o];
            for (int g = 0; g < perGroupIn; g++) {
              int ch = first + g;
              for (int u = 0; u < k; u++) {
                int yy = i * c.stride() - c.padding() + u * dil;
                if (yy < 0 || yy >= h) {
                  continue;
                }
                for (int v = 0; v < k; v++) {
                  int xx = j * c.stride() - c.padding() + v * dil;
                  if (xx >= 0 && xx < wd) {
                    s += w[((o * perGroupIn + g) * k + u) * k + v] * x[((n * cin + ch) * h + yy) * wd + xx];
                  }
                }
              }
            }
            y[((n * f + o) * oh + i) * ow + j] = s;
          }
        }
      }
    }
    return y;
  }

  /**
   * Max or average pooling: windows at {@code i·stride - padding}; cells outside the input are
   * skipped (never the maximum, not counted in the mean).
   */
  private static double[] pool(double[] x, int b, long[] in, int kernel, int stride, int padding, boolean max,
      long[] out) {
    int ch = (int) in[0];
    int h = (int) in[1];
    int w = (int) in[2];
    int oh = (int) out[1];
    int ow = (int) out[2];
    double[] y = new double[b * ch * oh * ow];
    for (int n = 0; n < b; n++) {
      for (int c = 0; c < ch; c++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double best = Double.NEGATIVE_INFINITY;
            double sum = 0;
            int count = 0;
            for (int u = 0; u < kernel; u++) {
              int yy = i * stride - padding + u;
              for (int v = 0; v < kernel; v++) {
                int xx = j * stride - padding + v;
                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                  double val = x[((n * ch + c) * h + yy) * w + xx];
                  best = Math.max(best, val);
                  sum += val;
                  count++;
                }
              }
            }
            y[((n * ch + c) * oh + i) * ow + j] = max ? best : sum / count;
          }
        }
      }
    }
    return y;
  }

  private double[] batchNorm(double[] x, int b, long[] shape, String p, boolean training,
      Map<String, double[]> means, Map<String, double[]> vars, Map<String, Integer> counts) {
    int ch = (int) shape[0];
    int per = 1;
    for (int i = 1; i < shape.length; i++) {
      per *= (int) shape[i];
    }
    double[] mean;
    double[] var;
    if (training) {
      mean = new double[ch];
      var = new double[ch];
      int n = b * per;
      for (int i = 0; i < x.length; i++) {
        mean[(i / per) % ch] += x[i] / n;
      }
      for (int i = 0; i < x.length; i++) {
        double d = x[i] - mean[(i / per) % ch];
        var[(i / per) % ch] += d * d / n;
      }
      means.put(p, mean);
      vars.put(p, var);
      counts.put(p, n);
    } else {
      mean = get(p + "running_mean");
      var = get(p + "running_var");
    }
    double[] gamma = get(p + "weight");
    double[] beta = get(p + "bias");
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = (i / per) % ch;
      y[i] = (x[i] - mean[c]) / Math.sqrt(var[c] + BN_EPS) * gamma[c] + beta[c];
    }
    return y;
  }

  /** The parameter names of {@code spec} whose role is trainable, in order. */
  public static List<String> trainable(ModelSpec spec) {
    return spec.parameters().stream().filter(p -> p.role().trainable()).map(ParamInfo::name).toList();
  }
}
