package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.holdout.api.HoldoutException;
import io.holdout.api.optim.OptimizerSpec;
import java.util.List;

/**
 * {@code torch.optim}'s update rules (single-tensor code path), applied in place to parameter
 * arrays with gradient recording off. State arrays are created zero-filled up front, owned by the
 * session's manager, so a step allocates nothing that outlives it.
 */
abstract sealed class TorchOptimizer permits TorchOptimizer.Sgd, TorchOptimizer.Adam {

  /** Updates {@code params[i]} from {@code grads[i]} at learning rate {@code lr}. */
  abstract void step(NDArray[] params, NDArray[] grads, double lr);

  /** Every state array (momentum buffers, moments). */
  abstract List<NDArray> state();

  /**
   * The state arrays by portable name ({@code <kind>.<parameter name>}), for checkpoints; {@code
   * names[i]} names {@code params[i]}.
   */
  abstract java.util.Map<String, NDArray> named(String[] names);

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
    require(
        spec.weightDecay() >= 0, where + ": weight_decay must be >= 0, got " + spec.weightDecay());
    return switch (spec.type()) {
      case "sgd" -> {
        require(spec.momentum() >= 0, where + ": momentum must be >= 0, got " + spec.momentum());
        require(!spec.nesterov() || spec.momentum() > 0, where + ": nesterov needs momentum > 0");
        yield new Sgd(spec, params, owner);
      }
      case "adam", "adamw" -> {
        require(
            spec.beta1() >= 0 && spec.beta1() < 1,
            where + ": beta1 must be in [0, 1), got " + spec.beta1());
        require(
            spec.beta2() >= 0 && spec.beta2() < 1,
            where + ": beta2 must be in [0, 1), got " + spec.beta2());
        require(spec.eps() >= 0, where + ": eps must be >= 0, got " + spec.eps());
        yield new Adam(spec, params, owner, spec.type().equals("adamw"));
      }
      default ->
          throw new HoldoutException(
              "backend 'pytorch' does not support "
                  + where
                  + ": use one of "
                  + String.join(", ", OptimizerSpec.TYPES));
    };
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new HoldoutException(message);
    }
  }

  private static NDArray[] zerosLike(NDArray[] params, NDManager owner) {
    NDArray[] out = new NDArray[params.length];
    for (int i = 0; i < params.length; i++) {
      out[i] = owner.zeros(params[i].getShape(), params[i].getDataType());
    }
    return out;
  }

  /**
   * SGD: {@code g = grad + wd·p}; with momentum {@code b = μ·b + g} (the first step gives {@code b
   * = g}, as PyTorch), then {@code g = g + μ·b} (Nesterov) or {@code g = b}; {@code p -= lr·g}.
   */
  static final class Sgd extends TorchOptimizer {
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final NDArray[] buffers;

    Sgd(OptimizerSpec spec, NDArray[] params, NDManager owner) {
      this.momentum = spec.momentum();
      this.nesterov = spec.nesterov();
      this.weightDecay = spec.weightDecay();
      // zero buffers make the first update b = μ·0 + g = g exactly
      this.buffers = momentum == 0 ? new NDArray[0] : zerosLike(params, owner);
    }

    @Override
    void step(NDArray[] params, NDArray[] grads, double lr) {
      steps++;
      for (int i = 0; i < params.length; i++) {
        NDArray p = params[i];
        NDArray g = grads[i];
        if (weightDecay != 0) {
          g = g.add(p.mul((float) weightDecay));
        }
        if (momentum != 0) {
          NDArray b = buffers[i].muli((float) momentum).addi(g);
          g = nesterov ? g.add(b.mul((float) momentum)) : b;
        }
        p.subi(g.mul((float) lr));
      }
    }

    private long steps;

    @Override
    List<NDArray> state() {
      return List.of(buffers);
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
    private final NDArray[] m;
    private final NDArray[] v;
    private long t;

    Adam(OptimizerSpec spec, NDArray[] params, NDManager owner, boolean decoupled) {
      this.beta1 = spec.beta1();
      this.beta2 = spec.beta2();
      this.eps = spec.eps();
      this.weightDecay = spec.weightDecay();
      this.decoupled = decoupled;
      this.m = zerosLike(params, owner);
      this.v = zerosLike(params, owner);
    }

    @Override
    void step(NDArray[] params, NDArray[] grads, double lr) {
      t++;
      double bc1 = 1 - Math.pow(beta1, t);
      double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
      double stepSize = lr / bc1;
      for (int i = 0; i < params.length; i++) {
        NDArray p = params[i];
        NDArray g = grads[i];
        if (weightDecay != 0) {
          if (decoupled) {
            p.muli((float) (1 - lr * weightDecay));
          } else {
            g = g.add(p.mul((float) weightDecay));
          }
        }
        m[i].addi(g.sub(m[i]).muli((float) (1 - beta1)));
        v[i].muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
        NDArray denom = v[i].sqrt().divi((float) bc2Sqrt).addi((float) eps);
        p.subi(m[i].div(denom).muli((float) stepSize));
      }
    }

    @Override
    List<NDArray> state() {
      List<NDArray> all = new java.util.ArrayList<>(List.of(m));
      all.addAll(List.of(v));
      return all;
    }

    @Override
    java.util.Map<String, NDArray> named(String[] names) {
      java.util.Map<String, NDArray> out = new java.util.LinkedHashMap<>();
      for (int i = 0; i < m.length; i++) {
        out.put("exp_avg." + names[i], m[i]);
        out.put("exp_avg_sq." + names[i], v[i]);
      }
      return out;
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
