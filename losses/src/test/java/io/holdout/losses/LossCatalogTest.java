package io.holdout.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LossCatalogTest {
  private static LossSpec spec(String type, Map<String, Object> params) {
    return new LossSpec(List.of(new LossComponentSpec("part", type, 1, "out", "y", params)));
  }

  @Test
  void listsEveryLossWithTargetKindDefaultsAndNormalisation() {
    assertThat(LossCatalog.types().keySet()).containsExactly("mse", "mae", "smooth_l1", "huber",
        "cross_entropy", "binary_cross_entropy", "focal", "multibox_loc", "multibox_conf");
    assertThat(LossCatalog.get("cross_entropy").target()).isEqualTo(TargetKind.CLASS);
    assertThat(LossCatalog.get("multibox_conf").target()).isEqualTo(TargetKind.DETECTION);
    assertThat(LossCatalog.get("cross_entropy").parameters())
        .containsExactly("class_weights", "ignore_index", "label_smoothing", "reduction");
    assertThat(LossCatalog.get("smooth_l1").defaults()).containsEntry("beta", 1.0);
    assertThat(LossCatalog.get("huber").defaults()).containsEntry("delta", 1.0);
    assertThat(LossCatalog.get("focal").defaults()).containsEntry("gamma", 2.0).containsEntry("alpha", List.of());
    assertThat(LossCatalog.get("binary_cross_entropy").defaults()).containsEntry("pos_weight", 1.0);
    assertThat(LossCatalog.get("multibox_loc").defaults()).containsEntry("labels", "labels");
    assertThat(LossCatalog.get("multibox_conf").defaults()).containsEntry("neg_pos_ratio", 3);
    for (LossType t : LossCatalog.types().values()) {
      assertThat(t.defaults()).containsEntry("reduction", "mean");
      assertThat(t.normalisation()).isNotBlank();
    }
  }

  @Test
  void unknownTypeFailsWithTheKnownList() {
    assertThatThrownBy(() -> LossCatalog.validate(spec("msse", Map.of()), "exp.yaml"))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith("exp.yaml: loss 'part': unknown loss type 'msse'")
        .hasMessageContaining("known: mse, mae, smooth_l1, huber, cross_entropy, binary_cross_entropy,"
            + " focal, multibox_loc, multibox_conf");
  }

  @Test
  void unknownParameterFailsWithTheKnownList() {
    assertThatThrownBy(() -> LossCatalog.validate(spec("cross_entropy", Map.of("smoothing", 0.1)), "exp.yaml"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("exp.yaml: loss 'part' (cross_entropy) has no parameter 'smoothing'"
            + " (known: class_weights, ignore_index, label_smoothing, reduction)");
  }

  @Test
  void badValuesFailAtStart() {
    assertThatThrownBy(() -> LossCatalog.validate(spec("mse", Map.of("reduction", "avg")), "x"))
        .hasMessageContaining("parameter 'reduction' must be mean or sum, got 'avg'");
    assertThatThrownBy(() -> LossCatalog.validate(spec("cross_entropy", Map.of("label_smoothing", 1.5)), "x"))
        .hasMessageContaining("'label_smoothing' must be a number in [0, 1], got 1.5");
    assertThatThrownBy(() -> LossCatalog.validate(
        spec("cross_entropy", Map.of("class_weights", List.of(1, -2))), "x"))
        .hasMessageContaining("'class_weights' must be a list of numbers >= 0");
    assertThatThrownBy(() -> LossCatalog.validate(spec("smooth_l1", Map.of("beta", "one")), "x"))
        .hasMessageContaining("'beta' must be a finite number, got 'one'");
    assertThatThrownBy(() -> LossCatalog.validate(spec("focal", Map.of("gamma", -1)), "x"))
        .hasMessageContaining("'gamma' must be a number >= 0, got -1");
    assertThatThrownBy(() -> LossCatalog.validate(spec("huber", Map.of("delta", 0)), "x"))
        .hasMessageContaining("'delta' must be a number > 0");
    assertThatThrownBy(() -> LossCatalog.validate(spec("cross_entropy", Map.of("ignore_index", 1.5)), "x"))
        .hasMessageContaining("'ignore_index' must be a whole number");
    assertThatThrownBy(() -> LossCatalog.validate(spec("multibox_loc", Map.of("labels", " ")), "x"))
        .hasMessageContaining("'labels' must be a name");
  }

  @Test
  void goodSpecsPass() {
    assertThatCode(() -> LossCatalog.validate(new LossSpec(List.of(
        new LossComponentSpec("regression", "smooth_l1", 1, "box", "box", Map.of("beta", 0.5)),
        new LossComponentSpec("classification", "cross_entropy", 2, "cls", "cls",
            Map.of("class_weights", List.of(1, 2.5), "label_smoothing", 0.1, "ignore_index", -1)),
        new LossComponentSpec("focal", "focal", 1, "cls", "cls", Map.of("alpha", List.of(0.25, 0.75))),
        new LossComponentSpec("conf", "multibox_conf", 1, "conf", "labels", Map.of("neg_pos_ratio", 3)))),
        "exp.yaml")).doesNotThrowAnyException();
  }

  @Test
  void paramsGiveTypedValuesWithDefaults() {
    LossParams p = LossParams.of(new LossComponentSpec("c", "cross_entropy", 1, "o", "t",
        Map.of("class_weights", List.of(1, 2.5), "reduction", "sum")));
    assertThat(p.reduction()).isEqualTo(Reduction.SUM);
    assertThat(p.numbers("class_weights")).containsExactly(1.0, 2.5);
    assertThat(p.number("label_smoothing")).isZero();
    assertThat(p.integer("ignore_index")).isEqualTo(-100);
    LossParams defaults = LossParams.of(LossComponentSpec.of("c", "focal", 1, "o", "t"));
    assertThat(defaults.numbers("alpha")).as("empty list means all 1").isNull();
    assertThat(defaults.reduction()).isEqualTo(Reduction.MEAN);
  }
}
