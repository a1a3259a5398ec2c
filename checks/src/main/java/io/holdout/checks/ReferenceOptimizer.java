package io.holdout.checks;

import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.optim.RuleExpression;
import io.holdout.api.optim.UpdateRule;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code torch.optim}'s update rules in double precision, the oracle for optimizer steps: global-norm
 * clipping ({@code clip_grad_norm_}: scale by {@code max / (norm + 1e-6)} when the norm exceeds
 * {@code max}), SGD with PyTorch's momentum buffer ({@code b = g} on the first step, then {@code b
 * = μ·b + g}), Nesterov and L2 weight decay added to the gradient, Adam with bias correction and L2
 * decay, AdamW with decoupled decay; and any other optimizer by evaluating its {@link UpdateRule}
 * element by element ({@link #evaluate}).
 */
public final class ReferenceOptimizer {
  private final OptimizerSpec spec;
  private final Map<String, double[]> first = new HashMap<>();
  private final Map<String, double[]> second = new HashMap<>();
  /** A rule's slots: parameter name, then slot name. */
  private final Map<String, Map<String, double[]>> slots = new HashMap<>();
  private double lr;
  private int t;

  public ReferenceOptimizer(OptimizerSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec is null");
    this.lr = spec.lr();
  }

  public void setLearningRate(double lr) {
    this.lr = lr;
  }

  /**
   * One step: clips {@code grads} (in place) if the spec asks, then updates every parameter of
   * {@code grads} in {@code params} (in place).
   *
   * @return whether the gradients were clipped
   */
  public boolean step(Map<String, double[]> params, Map<String, double[]> grads) {
    boolean clipped = false;
    if (spec.clipNorm() > 0) {
      double sq = 0;
      for (double[] g : grads.values()) {
        for (double v : g) {
          sq += v * v;
        }
      }
      double norm = Math.sqrt(sq);
      if (norm > spec.clipNorm()) {
        clipped = true;
        double scale = spec.clipNorm() / (norm + 1e-6);
        for (double[] g : grads.values()) {
          for (int i = 0; i < g.length; i++) {
            g[i] *= scale;
          }
        }
      }
    }
    t++;
    if (spec.usesRule()) {
      UpdateRule rule = spec.rule();
      for (Map.Entry<String, double[]> e : grads.entrySet()) {
        double[] p = params.get(e.getKey());
        double[] g = e.getValue();
        Map<String, double[]> state = state(e.getKey(), p.length);
        Map<String, Double> old = new HashMap<>();
        Map<String, Double> fresh = new HashMap<>();
        for (int i = 0; i < p.length; i++) {
          for (UpdateRule.Slot s : rule.slots()) {
            old.put(s.name(), state.get(s.name())[i]);
          }
          fresh.clear();
          for (UpdateRule.Slot s : rule.slots()) {
            fresh.put(s.name(), evaluate(s.update(), p[i], g[i], old, fresh, lr, t));
          }
          p[i] = evaluate(rule.param(), p[i], g[i], old, fresh, lr, t);
          for (UpdateRule.Slot s : rule.slots()) {
            state.get(s.name())[i] = fresh.get(s.name());
          }
        }
      }
      return clipped;
    }
    for (Map.Entry<String, double[]> e : grads.entrySet()) {
      double[] p = params.get(e.getKey());
      double[] g = e.getValue();
      double[] m = first.computeIfAbsent(e.getKey(), k -> new double[g.length]);
      double[] v = second.computeIfAbsent(e.getKey(), k -> new double[g.length]);
      for (int i = 0; i < p.length; i++) {
        update(p, g[i], m, v, i);
      }
    }
    return clipped;
  }

  /** The rule's slots of parameter {@code name}, at their initial values on first use. */
  private Map<String, double[]> state(String name, int n) {
    return slots.computeIfAbsent(name, k -> {
      Map<String, double[]> m = new LinkedHashMap<>();
      for (UpdateRule.Slot s : spec.rule().slots()) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, s.init());
        m.put(s.name(), v);
      }
      return m;
    });
  }

  /**
   * A rule's slot values after the steps so far, by {@code <slot>.<parameter>} (the checkpoint
   * names); empty for the built-in types.
   */
  public Map<String, double[]> ruleState() {
    Map<String, double[]> out = new LinkedHashMap<>();
    slots.forEach((param, m) -> m.forEach((slot, v) -> out.put(slot + "." + param, v.clone())));
    return out;
  }

  /**
   * {@code e} for one element in double precision: {@code p} the parameter, {@code g} its gradient,
   * {@code old} the slots before the step, {@code fresh} those updated so far.
   */
  public static double evaluate(RuleExpression e, double p, double g, Map<String, Double> old,
      Map<String, Double> fresh, double lr, long t) {
    List<RuleExpression> a = e.args();
    return switch (e.op()) {
      case PARAM -> p;
      case GRAD -> g;
      case STATE -> old.get(e.slot());
      case UPDATED -> fresh.get(e.slot());
      case LR -> lr;
      case STEP -> t;
      case CONSTANT -> e.value();
      default -> RuleExpression.apply(e.op(), evaluate(a.get(0), p, g, old, fresh, lr, t),
          a.size() > 1 ? evaluate(a.get(1), p, g, old, fresh, lr, t) : 0);
    };
  }

  private void update(double[] p, double grad, double[] m, double[] v, int i) {
    switch (spec.type()) {
      case "sgd" -> {
        grad += spec.weightDecay() * p[i];
        if (spec.momentum() != 0) {
          m[i] = t == 1 ? grad : spec.momentum() * m[i] + grad;
          grad = spec.nesterov() ? grad + spec.momentum() * m[i] : m[i];
        }
        p[i] -= lr * grad;
      }
      case "adam", "adamw" -> {
        if (spec.type().equals("adamw")) {
          p[i] *= 1 - lr * spec.weightDecay();
        } else {
          grad += spec.weightDecay() * p[i];
        }
        m[i] = spec.beta1() * m[i] + (1 - spec.beta1()) * grad;
        v[i] = spec.beta2() * v[i] + (1 - spec.beta2()) * grad * grad;
        double mHat = m[i] / (1 - Math.pow(spec.beta1(), t));
        double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(spec.beta2(), t)) + spec.eps();
        p[i] -= lr * mHat / denom;
      }
      default -> throw new IllegalArgumentException("no reference for optimizer " + spec.type());
    }
  }
}
