package io.holdout.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.extension.Extensions;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.optim.RuleExpression;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code optimizer:} section: registered types, extra keys for plugins, one-line errors. */
class OptimizerConfigTest {
  static LoadedConfig parse(String optimizer, String... overrides) {
    return ConfigLoaderTest.parse(ConfigLoaderTest.MINIMAL + "optimizer: " + optimizer + "\n", overrides);
  }

  @Test
  void builtInsAreRegisteredByTheCorePlugin() {
    assertThat(Extensions.installed().owners(Extensions.OPTIMIZER)).containsEntry("sgd", "core")
        .containsEntry("adam", "core").containsEntry("adamw", "core").containsEntry("sign_descent", "api-test-optimizer");
    OptimizerSpec adamw = Specs.optimizer(parse("{type: adamw, lr: 0.01, weightDecay: 0.1}").config().optimizer());
    assertThat(adamw.usesRule()).isFalse();
    assertThat(adamw.weightDecay()).isEqualTo(0.1);
    // the rule the registry gives for a built-in reads the decoupled decay 1 - lr·wd as a step scalar
    assertThat(adamw.rule().stepScalars()).extracting(e -> e.scalarValue(0.01, 1))
        .anySatisfy(v -> assertThat(v).isEqualTo(1 - 0.01 * 0.1));
  }

  @Test
  void extraKeysReachThePluginAndSurviveTheResolvedCopy() {
    LoadedConfig c = parse("{type: sign_descent, lr: 0.02, beta: 0.25}");
    assertThat(c.config().optimizer().params()).isEqualTo(Map.of("beta", 0.25));
    OptimizerSpec o = Specs.optimizer(c.config().optimizer());
    assertThat(o.usesRule()).isTrue();
    assertThat(o.lr()).isEqualTo(0.02);
    assertThat(o.rule().slot("m").update().toString()).isEqualTo("add(mul(state(m), 0.25), grad)");
    LoadedConfig again = ConfigLoaderTest.parse(c.resolvedYaml());
    assertThat(again.config().optimizer()).isEqualTo(c.config().optimizer());
    assertThat(parse("{type: sign_descent, params: {beta: 0.5}}").config().optimizer().params())
        .isEqualTo(Map.of("beta", 0.5));
    assertThat(parse("{type: sign_descent}", "optimizer.beta=0.75").config().optimizer().params())
        .isEqualTo(Map.of("beta", 0.75));
  }

  @Test
  void withoutExtraKeysTheResolvedCopyHasNoParams() {
    String yaml = parse("{type: adam}").resolvedYaml();
    String section = yaml.substring(yaml.indexOf("\noptimizer:"));
    section = section.substring(0, section.indexOf("\n", section.indexOf("clipNorm")));
    assertThat(section).contains("type: adam").doesNotContain("params");
  }

  @Test
  void badSectionsFailOnOneLineNamingTheKey() {
    assertThatThrownBy(() -> parse("{type: lion}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("exp.yaml: 'optimizer.type' 'lion' is not a registered optimizer "
            + "(registered: adam, adamw, sgd, sign_descent)");
    assertThatThrownBy(() -> parse("{type: sign_descent, beta: 2}"))
        .hasMessage("exp.yaml: 'optimizer.beta' must be in [0, 1), got 2.0");
    assertThatThrownBy(() -> parse("{type: sign_descent, beta: fast}"))
        .hasMessage("exp.yaml: 'optimizer.beta' must be a number, got 'fast'");
    assertThatThrownBy(() -> parse("{type: sign_descent, gamma: 2}"))
        .hasMessage("exp.yaml: 'optimizer.gamma' is not a setting of optimizer 'sign_descent' (settings: beta, clipNorm, lr)");
    assertThatThrownBy(() -> parse("{type: adam, weight_decay: 0.1}"))
        .hasMessage("exp.yaml: 'optimizer.weight_decay' is not a setting of optimizer 'adam' "
            + "(settings: beta1, beta2, clipNorm, eps, lr, weightDecay)");
    assertThatThrownBy(() -> parse("{type: sgd, nesterov: true}"))
        .hasMessage("exp.yaml: 'optimizer.nesterov' needs 'optimizer.momentum' > 0");
    assertThatThrownBy(() -> parse("{type: adam, beta2: 1.0}"))
        .hasMessage("exp.yaml: 'optimizer.beta2' must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> parse("{type: sign_descent, beta: 0.1, params: {beta: 0.2}}"))
        .hasMessage("exp.yaml: 'optimizer.beta' is given twice (also as 'optimizer.params.beta')");
  }

  @Test
  void ruleExpressionsPrintAsTheyAreBuilt() {
    assertThat(RuleExpression.constant(0.9).pow(RuleExpression.step()).isScalar()).isTrue();
    assertThat(RuleExpression.grad().abs().isScalar()).isFalse();
  }
}
