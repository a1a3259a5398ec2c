package io.holdout.checks;

import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * A {@link ModelSpec} evaluated in plain Java, in double precision, with PyTorch's semantics: NCHW
 * activations, dense {@code y = x W^T + b}, OIHW convolution with zero padding, max pooling with
 * floor rounding, batch norm with batch statistics (biased variance) in training and running
 * statistics in evaluation, dropout as the identity in evaluation, multi-scale heads as {@link
 * HeadSpec} defines them. It is the oracle for outputs,
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

  /** Runs the trunk and every head on {@code input} ({@code [B, ...inputShape]} row-major). */
  public Pass forward(double[] input, int batch, boolean training) {
    Objects.requireNonNull(input, "input is null");
    Map<String, double[]> means = new LinkedHashMap<>();
    Map<String, double[]> vars = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    Act a = new Act(input.clone(), spec.inputShape());
    Act[] taps = new Act[spec.trunk().size()];
    for (int i = 0; i < spec.trunk().size(); i++) {
      a = layer(spec.trunk().get(i), "trunk." + i + ".", a, batch, training, means, vars, counts);
      taps[i] = a;
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    for (HeadSpec h : spec.heads()) {
      if (h.isMultiScale()) {
        out.put(h.name(), multiScale(h, taps, batch));
        continue;
      }
      Act y = a;
      for (int j = 0; j < h.layers().size(); j++) {
        y = layer(h.layers().get(j), "heads." + h.name() + "." + j + ".", y, batch, training, means,
            vars, counts);
      }
      out.put(h.name(), y.v);
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

  private Act layer(LayerSpec l, String p, Act in, int b, boolean training, Map<String, double[]> means,
      Map<String, double[]> vars, Map<String, Integer> counts) {
    long[] outShape = l.outputShape(in.shape, p);
    if (l instanceof LayerSpec.Dense) {
      return new Act(dense(in.v, b, (int) in.shape[0], get(p + "weight"), get(p + "bias")), outShape);
    } else if (l instanceof LayerSpec.Conv2d c) {
      return new Act(conv(in.v, b, in.shape, c, get(p + "weight"), get(p + "bias"), outShape), outShape);
    } else if (l instanceof LayerSpec.MaxPool m) {
      return new Act(maxPool(in.v, b, in.shape, m, outShape), outShape);
    } else if (l instanceof LayerSpec.BatchNorm) {
      return new Act(batchNorm(in.v, b, in.shape, p, training, means, vars, counts), outShape);
    } else if (l instanceof LayerSpec.Relu) {
      double[] y = in.v.clone();
      for (int i = 0; i < y.length; i++) {
        y[i] = Math.max(0, y[i]);
      }
      return new Act(y, outShape);
    } else if (l instanceof LayerSpec.Flatten) {
      return new Act(in.v, outShape);
    } else if (l instanceof LayerSpec.Dropout d) {
      if (training && d.rate() > 0) {
        throw new IllegalArgumentException(p + ": the reference model has no dropout masks");
      }
      return in;
    }
    throw new IllegalArgumentException("no reference for layer " + l.type());
  }

  /**
   * A multi-scale head: per tap a 3×3 convolution (stride 1, padding 1) to {@code k·units}
   * channels, permuted to {@code [B, H, W, k·units]} and read as {@code [B, H·W·k, units]}; the
   * taps concatenated along the anchors.
   */
  private double[] multiScale(HeadSpec h, Act[] taps, int b) {
    int filters = h.anchorsPerLocation() * h.units();
    List<double[]> parts = new java.util.ArrayList<>();
    int[] perImage = new int[h.taps().size()];
    for (int j = 0; j < h.taps().size(); j++) {
      Act f = taps[h.taps().get(j)];
      String p = "heads." + h.name() + "." + j + ".";
      LayerSpec.Conv2d c = new LayerSpec.Conv2d(filters, 3, 1, 1);
      long[] outShape = c.outputShape(f.shape, p);
      double[] y = conv(f.v, b, f.shape, c, get(p + "weight"), get(p + "bias"), outShape);
      int hw = (int) (outShape[1] * outShape[2]);
      double[] permuted = new double[y.length];
      for (int n = 0; n < b; n++) {
        for (int ch = 0; ch < filters; ch++) {
          for (int i = 0; i < hw; i++) {
            permuted[(n * hw + i) * filters + ch] = y[(n * filters + ch) * hw + i];
          }
        }
      }
      parts.add(permuted);
      perImage[j] = hw * filters;
    }
    int total = 0;
    for (int v : perImage) {
      total += v;
    }
    double[] out = new double[b * total];
    for (int n = 0; n < b; n++) {
      int offset = 0;
      for (int j = 0; j < parts.size(); j++) {
        System.arraycopy(parts.get(j), n * perImage[j], out, n * total + offset, perImage[j]);
        offset += perImage[j];
      }
    }
    return out;
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
    double[] y = new double[b * f * oh * ow];
    for (int n = 0; n < b; n++) {
      for (int o = 0; o < f; o++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double s = bias[o];
            for (int ch = 0; ch < cin; ch++) {
              for (int u = 0; u < k; u++) {
                int yy = i * c.stride() - c.padding() + u;
                if (yy < 0 || yy >= h) {
                  continue;
                }
                for (int v = 0; v < k; v++) {
                  int xx = j * c.stride() - c.padding() + v;
                  if (xx >= 0 && xx < wd) {
                    s += w[((o * cin + ch) * k + u) * k + v] * x[((n * cin + ch) * h + yy) * wd + xx];
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

  private static double[] maxPool(double[] x, int b, long[] in, LayerSpec.MaxPool m, long[] out) {
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
            for (int u = 0; u < m.kernel(); u++) {
              for (int v = 0; v < m.kernel(); v++) {
                best = Math.max(best, x[((n * ch + c) * h + i * m.stride() + u) * w + j * m.stride() + v]);
              }
            }
            y[((n * ch + c) * oh + i) * ow + j] = best;
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
