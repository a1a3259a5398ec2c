package io.holdout.testbackend;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A second backend, in test scope only: a pure-Java multilayer perceptron (dense + ReLU, MSE and
 * cross-entropy, SGD and Adam) discovered through the same ServiceLoader entry as real engines. It
 * shows that switching {@code backend:} needs no code change, and is an independent reference.
 */
public final class JavaReferenceBackend implements Backend {
  public static final String NAME = "java-reference";

  /** Labels of this value count in no loss (PyTorch's default {@code ignore_index}). */
  static final long IGNORE = -100;

  /** Its ServiceLoader entry. */
  public static final class Provider implements BackendProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public String artifact() {
      return "holdout-cli (test scope)";
    }

    @Override
    public Module module() {
      return new AbstractModule() {
        @Override
        protected void configure() {
          bind(Backend.class).to(JavaReferenceBackend.class);
          bind(JavaReferenceBackend.class).toInstance(new JavaReferenceBackend());
        }
      };
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, String> versions() {
    return Map.of("java", System.getProperty("java.version"));
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, false, Set.of("dense", "relu"), Set.of("mse", "cross_entropy"),
        Set.of("sgd", "adam"), Map.of());
  }

  @Override
  public TrainingSession open(SessionSpec spec) {
    capabilities().check(NAME, spec);
    for (LossComponentSpec c : spec.loss().components()) {
      if (!c.params().isEmpty()) {
        throw new HoldoutException("backend '" + NAME + "' implements its losses with default parameters only ("
            + c.name() + " sets " + new java.util.TreeSet<>(c.params().keySet()) + ")");
      }
    }
    return new Session(spec);
  }

  static final class Session implements TrainingSession {
    final SessionSpec spec;
    final Map<String, float[]> p = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    final Map<String, double[]> m1 = new HashMap<>();
    final Map<String, double[]> m2 = new HashMap<>();
    double lr;
    int t;

    Session(SessionSpec spec) {
      this.spec = spec;
      this.lr = spec.optimizer() == null ? 0 : spec.optimizer().lr();
      loadWeights(spec.initialWeights());
    }

    /** Activations of one layer chain: inputs to each layer and the final output, [B, width]. */
    record Chain(List<float[]> inputs, List<Integer> widths, float[] out, int width) {}

    Chain run(String prefix, List<LayerSpec> layers, float[] x, int width, int b) {
      List<float[]> inputs = new ArrayList<>();
      List<Integer> widths = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        inputs.add(x);
        widths.add(width);
        LayerSpec l = layers.get(i);
        if (l instanceof LayerSpec.Dense d) {
          float[] w = p.get(prefix + i + ".weight");
          float[] bias = p.get(prefix + i + ".bias");
          float[] y = new float[b * d.units()];
          for (int r = 0; r < b; r++) {
            for (int o = 0; o < d.units(); o++) {
              double s = bias[o];
              for (int k = 0; k < width; k++) {
                s += (double) x[r * width + k] * w[o * width + k];
              }
              y[r * d.units() + o] = (float) s;
            }
          }
          x = y;
          width = d.units();
        } else {
          float[] y = new float[x.length];
          for (int k = 0; k < x.length; k++) {
            y[k] = Math.max(0, x[k]);
          }
          x = y;
        }
      }
      return new Chain(inputs, widths, x, width);
    }

    /** Backpropagates {@code grad} (w.r.t. the chain's output) and returns the gradient of its input. */
    float[] back(String prefix, List<LayerSpec> layers, Chain c, float[] grad, int b, Map<String, double[]> g) {
      for (int i = layers.size() - 1; i >= 0; i--) {
        float[] in = c.inputs().get(i);
        int width = c.widths().get(i);
        LayerSpec l = layers.get(i);
        if (l instanceof LayerSpec.Dense d) {
          float[] w = p.get(prefix + i + ".weight");
          double[] gw = g.computeIfAbsent(prefix + i + ".weight", k -> new double[w.length]);
          double[] gb = g.computeIfAbsent(prefix + i + ".bias", k -> new double[d.units()]);
          float[] gin = new float[b * width];
          for (int r = 0; r < b; r++) {
            for (int o = 0; o < d.units(); o++) {
              double go = grad[r * d.units() + o];
              gb[o] += go;
              for (int k = 0; k < width; k++) {
                gw[o * width + k] += go * in[r * width + k];
                gin[r * width + k] += (float) (go * w[o * width + k]);
              }
            }
          }
          grad = gin;
        } else {
          float[] gin = new float[grad.length];
          for (int k = 0; k < grad.length; k++) {
            gin[k] = in[k] > 0 ? grad[k] : 0;
          }
          grad = gin;
        }
      }
      return grad;
    }

    /**
     * One pass: each component's value, numerator (summed terms) and count (elements for MSE,
     * labels not ignored for cross-entropy), head outputs, gradients and per-sample values.
     */
    record Pass(double[] raw, double[] numerators, double[] counts, Map<String, float[]> outputs,
        Map<String, double[]> grads, Map<String, float[]> perSample) {
      LossBreakdown breakdown(SessionSpec spec, int samples) {
        return LossBreakdown.of(spec.loss(), raw, numerators, counts, samples);
      }
    }

    Pass pass(Batch batch, boolean backward) {
      int b = batch.size();
      float[] x = batch.input().toFloatArray();
      int width = (int) (x.length / b);
      Chain trunk = run("trunk.", spec.model().trunk(), x, width, b);
      Map<String, Chain> heads = new LinkedHashMap<>();
      for (HeadSpec h : spec.model().heads()) {
        heads.put(h.name(), run("heads." + h.name() + ".", h.layers(), trunk.out(), trunk.width(), b));
      }
      List<LossComponentSpec> comps = spec.loss().components();
      double[] raw = new double[comps.size()];
      double[] numerators = new double[comps.size()];
      double[] counts = new double[comps.size()];
      Map<String, float[]> headGrad = new HashMap<>();
      Map<String, float[]> perSample = new LinkedHashMap<>();
      for (int ci = 0; ci < comps.size(); ci++) {
        LossComponentSpec c = comps.get(ci);
        Chain h = heads.get(c.output());
        float[] out = h.out();
        float[] grad = headGrad.computeIfAbsent(c.output(), k -> new float[out.length]);
        float[] ps = new float[b];
        if (c.type().equals("mse")) {
          float[] y = floats(batch.get(c.target()));
          double s = 0;
          for (int k = 0; k < out.length; k++) {
            double d = out[k] - y[k];
            s += d * d;
            ps[k / h.width()] += (float) (d * d / h.width());
            grad[k] += (float) (c.weight() * 2 * d / out.length);
          }
          raw[ci] = s / out.length;
          numerators[ci] = s;
          counts[ci] = out.length;
        } else {
          long[] y = longs(batch.get(c.target()));
          int cl = h.width();
          double s = 0;
          int counted = 0;
          for (long label : y) {
            counted += label == IGNORE ? 0 : 1;
          }
          for (int r = 0; r < b; r++) {
            if (y[r] == IGNORE) {
              continue; // PyTorch's default ignore_index: no loss, no gradient
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < cl; k++) {
              max = Math.max(max, out[r * cl + k]);
            }
            double z = 0;
            for (int k = 0; k < cl; k++) {
              z += Math.exp(out[r * cl + k] - max);
            }
            double nll = -(out[r * cl + (int) y[r]] - max - Math.log(z));
            s += nll;
            ps[r] = (float) nll;
            for (int k = 0; k < cl; k++) {
              double pk = Math.exp(out[r * cl + k] - max) / z;
              grad[r * cl + k] += (float) (c.weight() * (pk - (k == y[r] ? 1 : 0)) / counted);
            }
          }
          raw[ci] = counted == 0 ? 0 : s / counted;
          numerators[ci] = s;
          counts[ci] = counted;
        }
        perSample.put(c.name(), ps);
      }
      Map<String, double[]> g = new HashMap<>();
      if (backward) {
        float[] trunkGrad = new float[trunk.out().length];
        for (HeadSpec hs : spec.model().heads()) {
          float[] hg = headGrad.get(hs.name());
          if (hg == null) {
            continue;
          }
          float[] gi = back("heads." + hs.name() + ".", hs.layers(), heads.get(hs.name()), hg, b, g);
          for (int k = 0; k < gi.length; k++) {
            trunkGrad[k] += gi[k];
          }
        }
        back("trunk.", spec.model().trunk(), trunk, trunkGrad, b, g);
      }
      Map<String, float[]> outs = new LinkedHashMap<>();
      heads.forEach((k, v) -> outs.put(k, v.out()));
      return new Pass(raw, numerators, counts, outs, g, perSample);
    }

    @Override
    public LossBreakdown trainStep(Batch batch) {
      Pass pass = pass(batch, true);
      t++;
      var o = spec.optimizer();
      for (Map.Entry<String, double[]> e : pass.grads().entrySet()) {
        float[] w = p.get(e.getKey());
        double[] g = e.getValue();
        double[] a = m1.computeIfAbsent(e.getKey(), k -> new double[w.length]);
        double[] v = m2.computeIfAbsent(e.getKey(), k -> new double[w.length]);
        for (int i = 0; i < w.length; i++) {
          if (o.type().equals("sgd")) {
            a[i] = t == 1 ? g[i] : o.momentum() * a[i] + g[i];
            w[i] -= (float) (lr * (o.momentum() > 0 ? a[i] : g[i]));
          } else {
            a[i] = o.beta1() * a[i] + (1 - o.beta1()) * g[i];
            v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g[i] * g[i];
            double mh = a[i] / (1 - Math.pow(o.beta1(), t));
            double vh = v[i] / (1 - Math.pow(o.beta2(), t));
            w[i] -= (float) (lr * mh / (Math.sqrt(vh) + o.eps()));
          }
        }
      }
      return pass.breakdown(spec, batch.size());
    }

    @Override
    public EvalResult evalStep(Batch batch) {
      Pass pass = pass(batch, false);
      Map<String, Tensor> outs = new LinkedHashMap<>();
      pass.outputs().forEach((k, v) -> outs.put(k, Tensor.ofFloats(new long[] {batch.size(), v.length / batch.size()}, v)));
      return new EvalResult(pass.breakdown(spec, batch.size()), outs, pass.perSample());
    }

    @Override
    public Weights weights() {
      Map<String, Tensor> out = new LinkedHashMap<>();
      p.forEach((k, v) -> out.put(k, Tensor.ofFloats(shapes.get(k), v.clone())));
      return new Weights(out);
    }

    @Override
    public void loadWeights(Weights weights) {
      weights.checkFits(spec.model(), "weights");
      for (ParamInfo info : spec.model().parameters()) {
        p.put(info.name(), weights.get(info.name()).toFloatArray());
        shapes.put(info.name(), info.shape());
      }
    }

    @Override
    public double learningRate() {
      return lr;
    }

    @Override
    public void setLearningRate(double lr) {
      this.lr = lr;
    }

    @Override
    public String device() {
      return "cpu(java)";
    }

    @Override
    public void close() {}
  }

  /** Targets of any numeric type as floats. */
  static float[] floats(Tensor t) {
    if (t.dtype() == io.holdout.api.tensor.DType.FLOAT32) {
      return t.toFloatArray();
    }
    long[] v = longs(t);
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    return f;
  }

  /** Integer labels of either width. */
  static long[] longs(Tensor t) {
    if (t.dtype() == io.holdout.api.tensor.DType.INT32) {
      int[] v = t.toIntArray();
      long[] l = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        l[i] = v[i];
      }
      return l;
    }
    return t.toLongArray();
  }
}
