package io.holdout.api.optim;

import static io.holdout.api.optim.RuleExpression.constant;
import static io.holdout.api.optim.RuleExpression.grad;
import static io.holdout.api.optim.RuleExpression.lr;
import static io.holdout.api.optim.RuleExpression.param;
import static io.holdout.api.optim.RuleExpression.state;
import static io.holdout.api.optim.RuleExpression.step;
import static io.holdout.api.optim.RuleExpression.updated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.optim.UpdateRule.Slot;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdateRuleTest {
  @Test
  void slotsAreCheckedWhenTheRuleIsBuilt() {
    assertThatThrownBy(() -> UpdateRule.of(param().sub(state("v")), Slot.zeros("m", grad())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("update rule the parameter's expression reads state(v), which is not a slot (slots: m)");
    assertThatThrownBy(() -> UpdateRule.of(param(), Slot.zeros("a", updated("b")), Slot.zeros("b", grad())))
        .hasMessage("update rule slot 'a' reads updated(b), which is not a slot updated before it (before it: none)");
    assertThatThrownBy(() -> UpdateRule.of(param(), Slot.zeros("a", grad()), Slot.zeros("a", grad())))
        .hasMessage("update rule slot 'a' is declared twice");
    assertThatThrownBy(() -> UpdateRule.of(lr().mul(2)))
        .hasMessageStartingWith("update rule the parameter's expression must read the parameter, its gradient or a slot");
    assertThatThrownBy(() -> Slot.zeros("Exp.Avg", grad())).hasMessageContaining("lower case letters");
    assertThatThrownBy(() -> grad().pow(grad())).hasMessageStartingWith("pow takes a scalar exponent");
    assertThatThrownBy(() -> constant(Double.NaN)).hasMessageContaining("finite");
    // a slot may read the new value of one listed before it
    UpdateRule ok = UpdateRule.of(param().sub(updated("b")), Slot.zeros("a", grad()), Slot.zeros("b", updated("a").mul(2)));
    assertThat(ok.slots()).extracting(Slot::name).containsExactly("a", "b");
  }

  @Test
  void stepScalarsAreTheLargestScalarSubtreesOfLrAndStepOnce() {
    UpdateRule adamw = StandardRules.adam(0.9, 0.999, 1e-8, 0.1, true);
    List<RuleExpression> s = adamw.stepScalars();
    // √(1 - β2^t), 1 - lr·wd, lr / (1 - β1^t): constants (1 - β1, ...) are not among them
    assertThat(s).hasSize(3);
    // in the order they occur: the decay of the base, then the denominator's, then the step size
    assertThat(s.get(0).scalarValue(0.01, 2)).isEqualTo(1 - 0.01 * 0.1);
    assertThat(s.get(1).scalarValue(0.01, 2)).isCloseTo(Math.sqrt(1 - Math.pow(0.999, 2)), within(1e-15));
    assertThat(s.get(2).scalarValue(0.01, 2)).isEqualTo(0.01 / (1 - Math.pow(0.9, 2)));
    assertThat(constant(0.5).pow(step()).scalarValue(1, 3)).isEqualTo(0.125);
    assertThat(StandardRules.sgd(0, false, 0).stepScalars()).containsExactly(lr());
    assertThat(StandardRules.sgd(0.9, true, 0).slots()).extracting(Slot::name).containsExactly("momentum");
  }
}
