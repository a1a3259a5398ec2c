package io.holdout.api.config;

import static io.holdout.api.optim.RuleExpression.grad;
import static io.holdout.api.optim.RuleExpression.lr;
import static io.holdout.api.optim.RuleExpression.param;
import static io.holdout.api.optim.RuleExpression.state;

import io.holdout.api.HoldoutException;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.api.optim.UpdateRule;
import java.util.List;

/** A test optimizer: sign descent on a momentum slot, with its own setting {@code beta}. */
public final class SignOptimizerPlugin implements Plugin {
  @Override
  public String name() {
    return "api-test-optimizer";
  }

  @Override
  public void register(Registry r) {
    r.optimizer("sign_descent", c -> {
      c.requireOnly(List.of("lr", "beta", "clipNorm"));
      double beta = c.number("beta", 0.5);
      if (!(beta >= 0 && beta < 1)) {
        throw new HoldoutException("'optimizer.beta' must be in [0, 1), got " + beta);
      }
      return UpdateRule.of(param().sub(state("m").mul(beta).add(grad()).sign().mul(lr())),
          UpdateRule.Slot.zeros("m", state("m").mul(beta).add(grad())));
    });
  }
}
