package io.holdout.examples.plugin;

import static io.holdout.api.optim.RuleExpression.constant;
import static io.holdout.api.optim.RuleExpression.grad;
import static io.holdout.api.optim.RuleExpression.lr;
import static io.holdout.api.optim.RuleExpression.param;
import static io.holdout.api.optim.RuleExpression.state;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.OptimizerConfig;
import io.holdout.api.optim.RuleExpression;
import io.holdout.api.optim.UpdateRule;
import java.util.List;

/**
 * The optimizer {@code lion} (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"):
 * every element moves by exactly the learning rate, in the direction of the sign of an
 * interpolation between the momentum and the gradient; the momentum is then updated with a second,
 * slower rate. Weight decay is decoupled, as in AdamW:
 *
 * <pre>
 *   c = sign(β1·m + (1 - β1)·g)
 *   p = p·(1 - lr·wd) - lr·c
 *   m = β2·m + (1 - β2)·g          (saved as exp_avg.&lt;param&gt;)
 * </pre>
 *
 * Settings: {@code lr}, {@code beta1}, {@code beta2}, {@code weightDecay} and {@code clipNorm} of the
 * {@code optimizer:} section (absent betas take the section's defaults, 0.9 and 0.999; the paper
 * suggests 0.9 and 0.99, and a learning rate 3-10 times smaller than Adam's).
 */
public final class Lion {
  public static final String TYPE = "lion";
  /** The momentum slot, named as PyTorch's Lion implementations name it. */
  public static final String SLOT = "exp_avg";

  private Lion() {}

  /** The rule for {@code beta1}, {@code beta2} and decoupled weight decay {@code weightDecay}. */
  public static UpdateRule rule(double beta1, double beta2, double weightDecay) {
    RuleExpression c = state(SLOT).mul(beta1).add(grad().mul(1 - beta1)).sign();
    RuleExpression decayed = weightDecay == 0 ? param() : param().mul(constant(1).sub(lr().mul(weightDecay)));
    return UpdateRule.of(decayed.sub(c.mul(lr())),
        UpdateRule.Slot.zeros(SLOT, state(SLOT).mul(beta2).add(grad().mul(1 - beta2))));
  }

  /** The registered factory: checks the section's settings, one line naming a bad key. */
  public static UpdateRule fromConfig(OptimizerConfig c) {
    c.requireOnly(List.of("lr", "beta1", "beta2", "weightDecay", "clipNorm"));
    for (String k : List.of("beta1", "beta2")) {
      double b = k.equals("beta1") ? c.beta1() : c.beta2();
      if (!(b >= 0 && b < 1)) {
        throw new HoldoutException("'optimizer." + k + "' must be in [0, 1) for lion, got " + b);
      }
    }
    if (!(c.weightDecay() >= 0)) {
      throw new HoldoutException("'optimizer.weightDecay' must be >= 0, got " + c.weightDecay());
    }
    if (c.momentum() != null && c.momentum() != 0 || Boolean.TRUE.equals(c.nesterov())) {
      throw new HoldoutException("'optimizer.momentum' and 'optimizer.nesterov' are sgd's: lion's momentum is beta2");
    }
    return rule(c.beta1(), c.beta2(), c.weightDecay());
  }
}
