package io.holdout.engine.tensorflow;

import static io.holdout.engine.tensorflow.GraphMath.add;
import static io.holdout.engine.tensorflow.GraphMath.mul;
import static io.holdout.engine.tensorflow.GraphMath.sub;

import io.holdout.api.HoldoutException;
import io.holdout.api.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * {@code torch.optim}'s update rules written as graph operations, so that a training step is one
 * run. State (momentum buffers, moments) lives in resource variables, zeroed when the session
 * opens. Scalars that change between steps (the learning rate, Adam's bias corrections) are
 * computed in Java in double precision, rounded to float as the PyTorch backend rounds them, and
 * fed per run. An optimizer that is not built in runs its update rule ({@link TfRule}).
 */
abstract sealed class TfOptimizer permits TfOptimizer.Sgd, TfOptimizer.Adam, TfRule {
  private final List<Op> init = new ArrayList<>();
  private final Map<String, List<StateVariable>> state = new LinkedHashMap<>();
  long steps;

  /**
   * Builds the update of every {@code params[i]} from {@code grads[i]}; returns the assignments.
   */
  abstract List<Op> build(Ops tf, StateVariable[] params, Operand<TFloating>[] grads);

  /**
   * Feeds the scalars of the next step at learning rate {@code lr}; the native tensors created go
   * to {@code owned}.
   */
  abstract void feed(Session.Runner runner, double lr, List<AutoCloseable> owned);

  /** Records that the step fed last has run. */
  final void advance() {
    steps++;
  }

  /** Assignments that zero the optimizer state (run once when the session opens). */
  final List<Op> initializers() {
    return init;
  }

  /**
   * The state by portable name, as the PyTorch backend names it: {@code momentum.<param>} (SGD with
   * momentum), {@code exp_avg.<param>} and {@code exp_avg_sq.<param>} (Adam, AdamW).
   */
  final Map<String, StateVariable> named(String[] paramNames) {
    Map<String, StateVariable> out = new LinkedHashMap<>();
    for (int i = 0; i < paramNames.length; i++) {
      for (Map.Entry<String, List<StateVariable>> e : state.entrySet()) {
        out.put(e.getKey() + "." + paramNames[i], e.getValue().get(i));
      }
    }
    return out;
  }

  /** Zero-initialised state variables {@code <kind>.<i>} shaped like {@code params}. */
  final List<StateVariable> stateLike(Ops tf, String kind, StateVariable[] params) {
    return stateLike(tf, kind, kind, params, 0);
  }

  /**
   * State variables {@code <variable>_<i>} shaped like {@code params}, set to {@code value} when the
   * session opens, saved as {@code <kind>.<param>}.
   */
  final List<StateVariable> stateLike(Ops tf, String kind, String variable, StateVariable[] params, double value) {
    List<StateVariable> vars = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      StateVariable v = StateVariable.create(tf, variable + "_" + i, params[i].read().shape());
      Operand<TFloating> zeros = tf.zerosLike(params[i].read());
      init.add(v.assign(tf, value == 0 ? zeros : tf.math.add(zeros, GraphMath.f(tf, value))));
      vars.add(v);
    }
    state.put(kind, vars);
    return vars;
  }

  /**
   * The optimizer {@code spec} names.
   *
   * @throws HoldoutException for an unknown type or an invalid hyper-parameter
   */
  static TfOptimizer create(Ops tf, OptimizerSpec spec) {
    String where = "optimizer '" + spec.type() + "'";
    spec.checkHyperParameters();
    Ops scope = tf.withSubScope("optimizer");
    if (spec.usesRule()) {
      return new TfRule(scope, spec.rule());
    }
    return switch (spec.type()) {
      case "sgd" -> new Sgd(scope, spec);
      case "adam", "adamw" -> new Adam(scope, spec, spec.type().equals("adamw"));
      default -> throw new HoldoutException("backend 'tensorflow' does not support " + where
          + ": use one of " + String.join(", ", OptimizerSpec.TYPES));
    };
  }

  /**
   * A scalar computed in Java each run: fed as float64, cast to the graph's float type where it is
   * used (in float32 rounded once, as {@code (float) v}).
   */
  record Scalar(Placeholder<TFloat64> feed, Operand<TFloating> value) {}

  static Scalar scalar(Ops tf, String name) {
    Placeholder<TFloat64> p = tf.withName(name).placeholder(TFloat64.class, Placeholder.shape(Shape.scalar()));
    return new Scalar(p, GraphMath.toFloat(tf, p));
  }

  static void feedScalar(Session.Runner r, Scalar s, double v, List<AutoCloseable> owned) {
    TFloat64 t = TFloat64.scalarOf(v);
    owned.add(t);
    r.feed(s.feed(), t);
  }

  /**
   * SGD: {@code g = grad + wd·p}; with momentum {@code b = μ·b + g} (zero buffers make the first
   * step {@code b = g}, as PyTorch), then {@code g = g + μ·b} (Nesterov) or {@code g = b}; {@code p
   * -= lr·g}.
   */
  static final class Sgd extends TfOptimizer {
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final Scalar lr;

    Sgd(Ops tf, OptimizerSpec spec) {
      this.momentum = spec.momentum();
      this.nesterov = spec.nesterov();
      this.weightDecay = spec.weightDecay();
      this.lr = scalar(tf, "opt_lr");
    }

    @Override
    List<Op> build(Ops tf, StateVariable[] params, Operand<TFloating>[] grads) {
      List<StateVariable> buffers = momentum == 0 ? List.of() : stateLike(tf, "momentum", params);
      List<Op> out = new ArrayList<>();
      for (int i = 0; i < params.length; i++) {
        Operand<TFloating> p = params[i].read();
        Operand<TFloating> g = grads[i];
        if (weightDecay != 0) {
          g = add(tf, g, mul(tf, p, weightDecay));
        }
        if (momentum != 0) {
          Operand<TFloating> b = add(tf, mul(tf, buffers.get(i).read(), momentum), g);
          out.add(buffers.get(i).assign(tf, b));
          g = nesterov ? add(tf, g, mul(tf, b, momentum)) : b;
        }
        out.add(params[i].assign(tf, sub(tf, p, mul(tf, g, lr.value()))));
      }
      return out;
    }

    @Override
    void feed(Session.Runner runner, double lrValue, List<AutoCloseable> owned) {
      feedScalar(runner, lr, lrValue, owned);
    }
  }

  /**
   * Adam with bias correction; {@code adam} adds {@code wd·p} to the gradient (L2), {@code adamw}
   * first decays {@code p *= 1 - lr·wd} (decoupled). Then {@code m = m + (1-β1)(g - m)}, {@code v =
   * β2·v + (1-β2)·g²}, {@code p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps)}.
   */
  static final class Adam extends TfOptimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final Scalar stepSize;
    private final Scalar bc2Sqrt;
    private final Scalar decay;

    Adam(Ops tf, OptimizerSpec spec, boolean decoupled) {
      this.beta1 = spec.beta1();
      this.beta2 = spec.beta2();
      this.eps = spec.eps();
      this.weightDecay = spec.weightDecay();
      this.decoupled = decoupled;
      this.stepSize = scalar(tf, "opt_step_size");
      this.bc2Sqrt = scalar(tf, "opt_bc2_sqrt");
      this.decay = scalar(tf, "opt_decay");
    }

    @Override
    List<Op> build(Ops tf, StateVariable[] params, Operand<TFloating>[] grads) {
      List<StateVariable> m = stateLike(tf, "exp_avg", params);
      List<StateVariable> v = stateLike(tf, "exp_avg_sq", params);
      List<Op> out = new ArrayList<>();
      for (int i = 0; i < params.length; i++) {
        Operand<TFloating> p = params[i].read();
        Operand<TFloating> g = grads[i];
        if (weightDecay != 0) {
          if (decoupled) {
            p = mul(tf, p, decay.value());
          } else {
            g = add(tf, g, mul(tf, p, weightDecay));
          }
        }
        Operand<TFloating> nm = add(tf, m.get(i).read(), mul(tf, sub(tf, g, m.get(i).read()), 1 - beta1));
        Operand<TFloating> nv = add(tf, mul(tf, v.get(i).read(), beta2), mul(tf, tf.math.square(g), 1 - beta2));
        out.add(m.get(i).assign(tf, nm));
        out.add(v.get(i).assign(tf, nv));
        Operand<TFloating> denom = add(tf, tf.math.div(tf.math.sqrt(nv), bc2Sqrt.value()), GraphMath.f(tf, eps));
        out.add(params[i].assign(tf, sub(tf, p, mul(tf, tf.math.div(nm, denom), stepSize.value()))));
      }
      return out;
    }

    @Override
    void feed(Session.Runner runner, double lr, List<AutoCloseable> owned) {
      long t = steps + 1;
      feedScalar(runner, stepSize, lr / (1 - Math.pow(beta1, t)), owned);
      feedScalar(runner, bc2Sqrt, Math.sqrt(1 - Math.pow(beta2, t)), owned);
      if (decoupled && weightDecay != 0) {
        feedScalar(runner, decay, 1 - lr * weightDecay, owned);
      }
    }
  }
}
