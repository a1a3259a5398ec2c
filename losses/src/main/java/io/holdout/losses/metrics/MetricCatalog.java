package io.holdout.losses.metrics;

import io.holdout.api.HoldoutException;
import io.holdout.api.metrics.Metric;
import java.util.List;
import java.util.Map;

/** Creates metrics by their config name; unknown names fail with the list of known ones. */
public final class MetricCatalog {
  private static final List<String> KNOWN = List.of("accuracy", "mse");

  private MetricCatalog() {}

  public static List<String> known() {
    return KNOWN;
  }

  /**
   * @param type metric name
   * @param output head whose output it reads
   * @param target target it compares with
   * @param params metric parameters (e.g. {@code k} for top-k)
   */
  public static Metric create(String type, String output, String target, Map<String, Object> params) {
    return switch (type) {
      case "accuracy" -> new Accuracy(output, target);
      case "mse" -> new MeanSquaredError(output, target);
      default -> throw new HoldoutException(
          "unknown metric '" + type + "' (known: " + String.join(", ", KNOWN) + ")");
    };
  }
}
