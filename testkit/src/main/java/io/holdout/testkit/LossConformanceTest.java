package io.holdout.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.loss.LossSpec;
import io.holdout.checks.CheckResult;
import io.holdout.checks.CheckSettings;
import io.holdout.checks.LossCases;
import io.holdout.checks.LossCases.LossCase;
import io.holdout.checks.LossCheck;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss case of {@link LossCases} the backend declares (every type, reduction and option)
 * through {@link LossCheck}, the check {@code holdout doctor} runs: the value, each sample's value
 * and the gradient with respect to the prediction against the pure-Java reference.
 */
public abstract class LossConformanceTest extends ConformanceBase {
  static Stream<LossCase> cases() {
    return LossCases.all().stream();
  }

  /** The plugin losses on the test class path (see {@link ExpressionOpsPlugin}) have cases, and use every op. */
  @org.junit.jupiter.api.Test
  void pluginLossesOfEveryOperationAreAmongTheCases() {
    assertThat(cases().map(LossCase::title).toList()).contains("expr_log_cosh (plugin) mean",
        "expr_smooth_ops (plugin) sum", "expr_kinks (plugin) mean", "expr_class_nll (plugin) sum");
    java.util.Set<io.holdout.api.loss.LossExpression.Op> used = java.util.EnumSet.noneOf(
        io.holdout.api.loss.LossExpression.Op.class);
    io.holdout.api.extension.Extensions.installed().losses().values()
        .forEach(l -> l.atDefaults().expression().postOrder().forEach(e -> used.add(e.op())));
    assertThat(used).containsExactlyInAnyOrder(io.holdout.api.loss.LossExpression.Op.values());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.holdout.testkit.LossConformanceTest#cases")
  void matchesTheReference(LossCase c) {
    assumeLosses(new LossSpec(List.of(c.spec())));
    CheckResult r = LossCheck.run(backend(), c, CheckSettings.SINGLE_THREAD);
    assertThat(r.status()).as("%s: %s", r.check(), r.verdict()).isEqualTo(CheckResult.Status.OK);
  }
}
