package io.holdout.api.optim;

import static io.holdout.api.optim.RuleExpression.constant;
import static io.holdout.api.optim.RuleExpression.grad;
import static io.holdout.api.optim.RuleExpression.lr;
import static io.holdout.api.optim.RuleExpression.param;
import static io.holdout.api.optim.RuleExpression.state;
import static io.holdout.api.optim.RuleExpression.step;
import static io.holdout.api.optim.RuleExpression.updated;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in optimizers written as {@link UpdateRule}s, operation for operation as the engines'
 * native paths apply them ({@code torch.optim}'s formulas), with PyTorch's state names: SGD's
 * {@code momentum}, Adam's {@code exp_avg} and {@code exp_avg_sq}. Engines run the built-in names
 * natively; these rules are what the registry hands out for them, and what the conformance suites
 * use to check the generic path against the native one.
 */
public final class StandardRules {
  private StandardRules() {}

  /**
   * SGD: {@code g = grad + wd·p}; with momentum {@code b = μ·b + g}, then {@code g = g + μ·b}
   * (Nesterov) or {@code g = b}; {@code p - g·lr}.
   */
  public static UpdateRule sgd(double momentum, boolean nesterov, double weightDecay) {
    RuleExpression g = weightDecay != 0 ? grad().add(param().mul(weightDecay)) : grad();
    List<UpdateRule.Slot> slots = new ArrayList<>();
    if (momentum != 0) {
      slots.add(UpdateRule.Slot.zeros("momentum", state("momentum").mul(momentum).add(g)));
      g = nesterov ? g.add(updated("momentum").mul(momentum)) : updated("momentum");
    }
    return new UpdateRule(slots, param().sub(g.mul(lr())));
  }

  /**
   * Adam with bias correction; {@code decoupled} (AdamW) decays {@code p·(1 - lr·wd)}, otherwise
   * {@code wd·p} is added to the gradient. {@code m = m + (g - m)(1-β1)}, {@code v = β2·v +
   * (1-β2)·g²}, {@code p - (m / (√v / √(1-β2^t) + eps))·(lr / (1-β1^t))}.
   */
  public static UpdateRule adam(double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    RuleExpression g = weightDecay != 0 && !decoupled ? grad().add(param().mul(weightDecay)) : grad();
    UpdateRule.Slot m = UpdateRule.Slot.zeros("exp_avg", state("exp_avg").add(g.sub(state("exp_avg")).mul(1 - beta1)));
    UpdateRule.Slot v = UpdateRule.Slot.zeros("exp_avg_sq",
        state("exp_avg_sq").mul(beta2).add(g.square().mul(1 - beta2)));
    RuleExpression bc2Sqrt = constant(1).sub(constant(beta2).pow(step())).sqrt();
    RuleExpression stepSize = lr().div(constant(1).sub(constant(beta1).pow(step())));
    RuleExpression denom = updated("exp_avg_sq").sqrt().div(bc2Sqrt).add(eps);
    RuleExpression base = decoupled && weightDecay != 0 ? param().mul(constant(1).sub(lr().mul(weightDecay))) : param();
    return UpdateRule.of(base.sub(updated("exp_avg").div(denom).mul(stepSize)), m, v);
  }

  /** The rule of built-in optimizer {@code spec.type()} ({@code sgd}, {@code adam}, {@code adamw}). */
  public static UpdateRule of(OptimizerSpec spec) {
    return switch (spec.type()) {
      case "sgd" -> sgd(spec.momentum(), spec.nesterov(), spec.weightDecay());
      case "adam" -> adam(spec.beta1(), spec.beta2(), spec.eps(), spec.weightDecay(), false);
      case "adamw" -> adam(spec.beta1(), spec.beta2(), spec.eps(), spec.weightDecay(), true);
      default -> throw new IllegalArgumentException("'" + spec.type() + "' is not a built-in optimizer");
    };
  }
}
