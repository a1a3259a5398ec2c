package io.holdout.checks;

import static io.holdout.api.optim.RuleExpression.constant;
import static io.holdout.api.optim.RuleExpression.grad;
import static io.holdout.api.optim.RuleExpression.lr;
import static io.holdout.api.optim.RuleExpression.param;
import static io.holdout.api.optim.RuleExpression.state;
import static io.holdout.api.optim.RuleExpression.step;
import static io.holdout.api.optim.RuleExpression.updated;

import io.holdout.api.optim.RuleExpression;
import io.holdout.api.optim.UpdateRule;
import io.holdout.api.optim.UpdateRule.Slot;

/** Update rules of the conformance suites: a Lion-style sign rule and one that uses every operation. */
public final class TestRules {
  private TestRules() {}

  /**
   * Lion (sign of interpolated momentum, decoupled decay): {@code p - lr·(sign(β1·m + (1-β1)·g) +
   * wd·p)}, then {@code m = β2·m + (1-β2)·g}; the parameter reads the slot before its update.
   */
  public static UpdateRule lion(double beta1, double beta2, double weightDecay) {
    RuleExpression direction = state("exp_avg").mul(beta1).add(grad().mul(1 - beta1)).sign();
    return UpdateRule.of(param().sub(direction.add(param().mul(weightDecay)).mul(lr())),
        Slot.zeros("exp_avg", state("exp_avg").mul(beta2).add(grad().mul(1 - beta2))));
  }

  /**
   * Every operation: slots starting at constants other than 0, a slot reading one updated before it
   * ({@code updated}), one read before its update ({@code state}) by the parameter, clamping ({@code
   * min}, {@code max}), {@code pow} with a tensor base and with the step as exponent, and scalars of
   * the learning rate and step.
   */
  public static UpdateRule everyOp() {
    Slot v = new Slot("v", 0.5, state("v").mul(0.95).add(grad().square().mul(0.05)));
    Slot m = Slot.zeros("m", state("m").mul(0.9).add(grad().mul(0.1)).max(-1).min(constant(1)));
    Slot a = new Slot("a", 0.25, grad().abs().pow(1.5).add(updated("m").abs().mul(0.1)).sub(state("a").neg().mul(0.5)));
    RuleExpression warm = lr().mul(constant(1).sub(constant(0.5).pow(step())));
    RuleExpression adaptive = updated("m").div(updated("v").sqrt().add(1e-3)).mul(warm);
    RuleExpression decay = param().sign().mul(state("a")).neg().mul(lr().div(100));
    return UpdateRule.of(param().sub(adaptive).add(decay), v, m, a);
  }
}
