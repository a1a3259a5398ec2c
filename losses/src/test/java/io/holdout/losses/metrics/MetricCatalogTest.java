package io.holdout.losses.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricCatalogTest {
  @Test
  void createsEveryKnownMetric() {
    assertThat(MetricCatalog.known()).containsExactly("accuracy", "top_k_accuracy", "confusion_matrix",
        "precision", "recall", "f1", "roc_auc", "pr_auc", "mse", "rmse", "mae", "r2");
    for (String type : MetricCatalog.known()) {
      Metric m = MetricCatalog.create(type, "out", "y", Map.of());
      assertThat(m.name()).startsWith("out.");
      assertThat(m.direction()).isEqualTo(MetricCatalog.get(type).direction());
      assertThat(m.value()).as("nothing added yet").isNaN();
    }
    assertThat(MetricCatalog.create("accuracy", "out", "y", null)).isInstanceOf(Accuracy.class);
    assertThat(MetricCatalog.create("mse", "out", "y", Map.of())).isInstanceOf(MeanSquaredError.class);
    assertThat(MetricCatalog.create("mse", "out", "y", Map.of()).direction()).isEqualTo(Direction.MIN);
    assertThat(MetricCatalog.create("top_k_accuracy", "out", "y", Map.of("k", 3)).name()).isEqualTo("out.top_3_accuracy");
    assertThat(MetricCatalog.create("f1", "out", "y", Map.of("average", "micro")).name()).isEqualTo("out.f1_micro");
    assertThat(MetricCatalog.create("precision", "out", "y", Map.of("class", 1)).name()).isEqualTo("out.precision_class_1");
  }

  @Test
  void unknownNamesAndParametersFailWithTheKnownOnes() {
    assertThatThrownBy(() -> MetricCatalog.create("acuracy", "out", "y", Map.of()))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("unknown metric 'acuracy' (known: accuracy, top_k_accuracy, confusion_matrix, precision,"
            + " recall, f1, roc_auc, pr_auc, mse, rmse, mae, r2)");
    assertThatThrownBy(() -> MetricCatalog.create("f1", "out", "y", Map.of("avg", "macro")))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("metric 'f1' has no parameter 'avg' (known: average, class, ignore_index)");
    assertThatThrownBy(() -> MetricCatalog.validate("mse", Map.of("k", 1)))
        .hasMessage("metric 'mse' has no parameter 'k' (known: none)");
    assertThatThrownBy(() -> MetricCatalog.validate("f1", Map.of("average", "samples")))
        .hasMessage("metric 'f1': parameter 'average' must be macro, micro or weighted, got 'samples'");
    assertThatThrownBy(() -> MetricCatalog.validate("top_k_accuracy", Map.of("k", 0)))
        .hasMessage("metric 'top_k_accuracy': parameter 'k' must be a whole number >= 1, got 0");
  }
}
