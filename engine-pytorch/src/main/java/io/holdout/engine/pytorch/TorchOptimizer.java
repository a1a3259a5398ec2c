package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.holdout.api.HoldoutException;
import io.holdout.api.optim.OptimizerSpec;
import java.util.List;

/**
 * {@code torch.optim}'s update rules, applied in place to parameter arrays with gradient recording
 * off, over all parameters at once ({@link Layout}). State arrays are created zero-filled up front
 * as one array each, owned by the session's manager, with a view per parameter for checkpoints, so a
 * step allocates nothing that outlives it. An optimizer that is not built in runs its update rule
 * ({@link TorchRule}).
 */
abstract sealed class TorchOptimizer permits TorchOptimizer.Sgd, TorchOptimizer.Adam, TorchRule {

  /** Updates {@code params[i]} from {@code grads[i]} at learning rate {@code lr}. */
  abstract void step(NDArray[] params, NDArray[] grads, double lr);

  /** Every state array (momentum buffers, moments). */
  abstract List<NDArray> state();

  /**
   * The state arrays by portable name ({@code <kind>.<parameter name>}), for checkpoints; {@code
   * names[i]} names {@code params[i]}.
   */
  abstract java.util.Map<String, NDArray> named(String[] names);

  /**
   * Sets the state arrays to {@code state}'s tensors of the names {@link #named} gives (checked by
   * the caller to be present and of the right shapes).
   */
  abstract void load(java.util.Map<String, io.holdout.api.tensor.Tensor> state, String[] names);

  /** Steps taken (Adam's bias correction needs it; SGD's momentum buffers start at the first). */
  abstract long steps();

  abstract void setSteps(long steps);

  /**
   * The optimizer {@code spec} names, for the trainable {@code params}.
   *
   * @throws HoldoutException for an unknown type or an invalid hyper-parameter
   */
  static TorchOptimizer create(OptimizerSpec spec, NDArray[] params, NDManager owner) {
    String where = "optimizer '" + spec.type() + "'";
    if (spec.usesRule()) {
      return new TorchRule(spec.rule(), params, owner);
    }
    spec.checkHyperParameters();
    return switch (spec.type()) {
      case "sgd" -> new Sgd(spec, params, owner);
      case "adam", "adamw" -> new Adam(spec, params, owner, spec.type().equals("adamw"));
      default ->
          throw new HoldoutException(
              "backend 'pytorch' does not support "
                  + where
                  + ": use one of "
                  + String.join(", ", OptimizerSpec.TYPES));
    };
  }

  /**
   * The parameters laid end to end: each update rule runs as a few operations over every element at
   * once (what {@code torch.optim}'s multi-tensor path does) instead of a dozen per parameter, and
   * the result goes back with one in-place operation per parameter. Element-wise arithmetic gives
   * every element the same value either way, so this changes speed, not numbers.
   */
  static final class Layout {
    private final Shape[] shapes;
    private final long[] splits;
    final long total;

    Layout(NDArray[] params) {
      shapes = new Shape[params.length];
      splits = new long[Math.max(params.length - 1, 0)];
      long at = 0;
      for (int i = 0; i < params.length; i++) {
        shapes[i] = params[i].getShape();
        at += shapes[i].size();
        if (i < splits.length) {
          splits[i] = at;
        }
      }
      total = at;
    }

    /** The arrays flattened and concatenated (a new array of the first one's manager). */
    NDArray flat(NDArray[] arrays) {
      NDList parts = new NDList(arrays.length);
      for (NDArray a : arrays) {
        parts.add(a.reshape(-1));
      }
      return parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(parts);
    }

    /** Views of {@code flat}'s pieces in the parameters' shapes. */
    NDArray[] pieces(NDArray flat) {
      NDList parts = shapes.length == 1 ? new NDList(flat) : flat.split(splits);
      NDArray[] out = new NDArray[shapes.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = parts.get(i).reshape(shapes[i]);
        if (parts.get(i) != flat) {
          parts.get(i).close(); // the reshaped view keeps the storage
        }
      }
      return out;
    }

    /**
     * Sets {@code flat} to the tensors named {@code prefix + names[i]} end to end and returns new views
     * of it ({@code set} gives the array new storage, so the old views are closed).
     */
    NDArray[] load(NDArray flat, NDArray[] views, java.util.Map<String, io.holdout.api.tensor.Tensor> state,
        String prefix, String[] names) {
      float[] all = new float[Math.toIntExact(total)];
      int at = 0;
      for (String n : names) {
        float[] v = state.get(prefix + n).toFloatArray();
        System.arraycopy(v, 0, all, at, v.length);
        at += v.length;
      }
      if (flat.getDataType() == DataType.FLOAT64) {
        double[] wide = new double[all.length];
        for (int i = 0; i < all.length; i++) {
          wide[i] = all[i];
        }
        flat.set(java.nio.DoubleBuffer.wrap(wide));
      } else {
        flat.set(java.nio.FloatBuffer.wrap(all));
      }
      for (NDArray v : views) {
        v.close();
      }
      return pieces(flat);
    }
  }

  /**
   * SGD: {@code g = grad + wd·p}; with momentum {@code b = μ·b + g} (the first step gives {@code b
   * = g}, as PyTorch), then {@code g = g + μ·b} (Nesterov) or {@code g = b}; {@code p -= lr·g}.
   */
  static final class Sgd extends TorchOptimizer {
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final Layout layout;
    private final NDArray buffer;
    private NDArray[] buffers;
    private long steps;

    Sgd(OptimizerSpec spec, NDArray[] params, NDManager owner) {
      this.momentum = spec.momentum();
      this.nesterov = spec.nesterov();
      this.weightDecay = spec.weightDecay();
      this.layout = new Layout(params);
      // zero buffers make the first update b = μ·0 + g = g exactly
      this.buffer = momentum == 0 ? null : owner.zeros(new Shape(layout.total), Tensors.floatType());
      this.buffers = buffer == null ? new NDArray[0] : layout.pieces(buffer);
    }

    @Override
    void step(NDArray[] params, NDArray[] grads, double lr) {
      steps++;
      NDArray g = layout.flat(grads);
      if (weightDecay != 0) {
        g = g.add(layout.flat(params).muli(Tensors.num(weightDecay)));
      }
      if (momentum != 0) {
        NDArray b = buffer.muli(Tensors.num(momentum)).addi(g);
        g = nesterov ? g.add(b.mul(Tensors.num(momentum))) : b;
      }
      NDArray[] update = layout.pieces(g.mul(Tensors.num(lr)));
      for (int i = 0; i < params.length; i++) {
        params[i].subi(update[i]);
      }
    }

    @Override
    List<NDArray> state() {
      List<NDArray> all = new java.util.ArrayList<>(List.of(buffers));
      if (buffer != null) {
        all.add(buffer);
      }
      return all;
    }

    @Override
    java.util.Map<String, NDArray> named(String[] names) {
      java.util.Map<String, NDArray> out = new java.util.LinkedHashMap<>();
      for (int i = 0; i < buffers.length; i++) {
        out.put("momentum." + names[i], buffers[i]);
      }
      return out;
    }

    @Override
    void load(java.util.Map<String, io.holdout.api.tensor.Tensor> state, String[] names) {
      if (buffer != null) {
        buffers = layout.load(buffer, buffers, state, "momentum.", names);
      }
    }

    @Override
    long steps() {
      return steps;
    }

    @Override
    void setSteps(long steps) {
      this.steps = steps;
    }
  }

  /**
   * Adam with bias correction; {@code adam} adds {@code wd·p} to the gradient (L2), {@code adamw}
   * first decays {@code p *= 1 - lr·wd} (decoupled). Then {@code m = m + (1-β1)(g - m)}, {@code v =
   * β2·v + (1-β2)·g²}, {@code p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps)}.
   */
  static final class Adam extends TorchOptimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final Layout layout;
    private final NDArray m;
    private final NDArray v;
    private NDArray[] ms;
    private NDArray[] vs;
    private long t;

    Adam(OptimizerSpec spec, NDArray[] params, NDManager owner, boolean decoupled) {
      this.beta1 = spec.beta1();
      this.beta2 = spec.beta2();
      this.eps = spec.eps();
      this.weightDecay = spec.weightDecay();
      this.decoupled = decoupled;
      this.layout = new Layout(params);
      this.m = owner.zeros(new Shape(layout.total), Tensors.floatType());
      this.v = owner.zeros(new Shape(layout.total), Tensors.floatType());
      this.ms = layout.pieces(m);
      this.vs = layout.pieces(v);
    }

    @Override
    void step(NDArray[] params, NDArray[] grads, double lr) {
      t++;
      double bc1 = 1 - Math.pow(beta1, t);
      double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
      double stepSize = lr / bc1;
      NDArray g = layout.flat(grads);
      if (weightDecay != 0 && !decoupled) {
        g = g.add(layout.flat(params).muli(Tensors.num(weightDecay)));
      }
      m.addi(g.sub(m).muli(Tensors.num(1 - beta1)));
      v.muli(Tensors.num(beta2)).addi(g.square().muli(Tensors.num(1 - beta2)));
      NDArray denom = v.sqrt().divi(Tensors.num(bc2Sqrt)).addi(Tensors.num(eps));
      NDArray[] update = layout.pieces(m.div(denom).muli(Tensors.num(stepSize)));
      for (int i = 0; i < params.length; i++) {
        if (weightDecay != 0 && decoupled) {
          params[i].muli(Tensors.num(1 - lr * weightDecay));
        }
        params[i].subi(update[i]);
      }
    }

    @Override
    List<NDArray> state() {
      List<NDArray> all = new java.util.ArrayList<>(List.of(ms));
      all.addAll(List.of(vs));
      all.add(m);
      all.add(v);
      return all;
    }

    @Override
    java.util.Map<String, NDArray> named(String[] names) {
      java.util.Map<String, NDArray> out = new java.util.LinkedHashMap<>();
      for (int i = 0; i < ms.length; i++) {
        out.put("exp_avg." + names[i], ms[i]);
        out.put("exp_avg_sq." + names[i], vs[i]);
      }
      return out;
    }

    @Override
    void load(java.util.Map<String, io.holdout.api.tensor.Tensor> state, String[] names) {
      ms = layout.load(m, ms, state, "exp_avg.", names);
      vs = layout.load(v, vs, state, "exp_avg_sq.", names);
    }

    @Override
    long steps() {
      return t;
    }

    @Override
    void setSteps(long steps) {
      this.t = steps;
    }
  }
}
