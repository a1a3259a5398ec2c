package io.holdout.losses.metrics;

import io.holdout.api.HoldoutException;
import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Creates metrics by their config name; unknown names, unknown parameters and bad parameter values
 * fail with a {@link HoldoutException} naming the known ones.
 *
 * <p>Detection mAP ({@link DetectionMap}) is not in the catalogue yet: it reads decoded detections,
 * not batches.
 */
public final class MetricCatalog {
  private static final Map<String, Object> IGNORE = Map.of("ignore_index", -100);
  private static final Map<String, MetricType> TYPES;

  static {
    Map<String, MetricType> m = new LinkedHashMap<>();
    add(m, new MetricType("accuracy", Direction.MAX, IGNORE,
        "fraction of samples whose arg-max logit is the label"));
    add(m, new MetricType("top_k_accuracy", Direction.MAX, Map.of("k", 5, "ignore_index", -100),
        "fraction of samples whose label is among the k highest logits"));
    add(m, new MetricType("confusion_matrix", Direction.MAX, IGNORE,
        "counts of (label, arg-max prediction) pairs; its value is the accuracy"));
    for (String s : List.of("precision", "recall", "f1")) {
      add(m, new MetricType(s, Direction.MAX,
          Map.of("average", "macro", "class", -1, "ignore_index", -100),
          s + " of arg-max predictions, averaged over classes (macro, micro or weighted) or of one"
              + " class"));
    }
    add(m, new MetricType("roc_auc", Direction.MAX, Map.of("class", -1, "ignore_index", -100),
        "area under the ROC curve: binary, or one-vs-rest macro average over classes"));
    add(m, new MetricType("pr_auc", Direction.MAX, Map.of("class", -1, "ignore_index", -100),
        "average precision (area under the precision-recall curve): binary, or one-vs-rest macro"));
    add(m, new MetricType("mse", Direction.MIN, Map.of(), "mean squared error over every element"));
    add(m, new MetricType("rmse", Direction.MIN, Map.of(), "square root of the mean squared error"));
    add(m, new MetricType("mae", Direction.MIN, Map.of(), "mean absolute error over every element"));
    add(m, new MetricType("r2", Direction.MAX, Map.of(),
        "coefficient of determination 1 - SS_res/SS_tot, averaged over output columns"));
    TYPES = Collections.unmodifiableMap(m);
  }

  private MetricCatalog() {}

  private static void add(Map<String, MetricType> m, MetricType t) {
    m.put(t.name(), t);
  }

  /** The known metric names, in catalogue order. */
  public static List<String> known() {
    return List.copyOf(TYPES.keySet());
  }

  /** Every metric type, in catalogue order. */
  public static Map<String, MetricType> types() {
    return TYPES;
  }

  /**
   * The type called {@code name}.
   *
   * @throws HoldoutException naming the known types when there is none
   */
  public static MetricType get(String name) {
    Objects.requireNonNull(name, "metric type is null");
    MetricType t = TYPES.get(name);
    if (t == null) {
      throw new HoldoutException(
          "unknown metric '" + name + "' (known: " + String.join(", ", TYPES.keySet()) + ")");
    }
    return t;
  }

  /**
   * Checks a metric's name and parameters without creating it.
   *
   * @throws HoldoutException on an unknown type, an unknown parameter or a bad value
   */
  public static void validate(String type, Map<String, Object> params) {
    new Params(get(type), params).checkAll();
  }

  /**
   * @param type metric name
   * @param output head whose output it reads
   * @param target target it compares with
   * @param params metric parameters (e.g. {@code k} for top-k); null for none
   */
  public static Metric create(String type, String output, String target, Map<String, Object> params) {
    MetricType t = get(type);
    Params p = new Params(t, params);
    p.checkAll();
    return switch (type) {
      case "accuracy" -> new Accuracy(output, target, p.integer("ignore_index"));
      case "top_k_accuracy" -> new TopKAccuracy(output, target, (int) p.integer("k"), p.integer("ignore_index"));
      case "confusion_matrix" -> new ClassificationMetric(ClassificationMetric.Score.CONFUSION_MATRIX,
          output, target, ClassificationMetric.Average.MACRO, -1, p.integer("ignore_index"));
      case "precision", "recall", "f1" -> new ClassificationMetric(
          ClassificationMetric.Score.valueOf(type.toUpperCase(Locale.ROOT)), output, target,
          p.average(), (int) p.integer("class"), p.integer("ignore_index"));
      case "roc_auc" -> new AreaUnderCurve(AreaUnderCurve.Curve.ROC, output, target,
          (int) p.integer("class"), p.integer("ignore_index"));
      case "pr_auc" -> new AreaUnderCurve(AreaUnderCurve.Curve.PR, output, target,
          (int) p.integer("class"), p.integer("ignore_index"));
      case "mse" -> new MeanSquaredError(output, target);
      case "rmse" -> new RegressionMetric(RegressionMetric.Kind.RMSE, output, target);
      case "mae" -> new RegressionMetric(RegressionMetric.Kind.MAE, output, target);
      case "r2" -> new RegressionMetric(RegressionMetric.Kind.R2, output, target);
      default -> throw new IllegalStateException("metric " + type + " has no factory");
    };
  }

  /** A metric's parameters with the defaults filled in. */
  private static final class Params {
    private final MetricType type;
    private final Map<String, Object> params;

    Params(MetricType type, Map<String, Object> params) {
      this.type = type;
      this.params = params == null ? Map.of() : params;
    }

    void checkAll() {
      for (String key : params.keySet()) {
        if (!type.defaults().containsKey(key)) {
          throw new HoldoutException("metric '" + type.name() + "' has no parameter '" + key + "' (known: "
              + (type.defaults().isEmpty() ? "none" : String.join(", ", type.parameters())) + ")");
        }
      }
      for (String key : type.parameters()) {
        switch (key) {
          case "k" -> {
            if (integer(key) < 1) {
              throw bad(key, "a whole number >= 1");
            }
          }
          case "class" -> {
            if (integer(key) < -1) {
              throw bad(key, "a class index >= 0 (or -1 for an average)");
            }
          }
          case "ignore_index" -> integer(key);
          case "average" -> average();
          default -> throw new IllegalStateException("no check for metric parameter " + key);
        }
      }
    }

    long integer(String key) {
      Object v = raw(key);
      if (v instanceof Number n && Double.isFinite(n.doubleValue())
          && n.doubleValue() == Math.rint(n.doubleValue())) {
        return n.longValue();
      }
      throw bad(key, "a whole number");
    }

    ClassificationMetric.Average average() {
      Object v = raw("average");
      if (v instanceof String s) {
        for (ClassificationMetric.Average a : ClassificationMetric.Average.values()) {
          if (a.name().toLowerCase(Locale.ROOT).equals(s)) {
            return a;
          }
        }
      }
      throw bad("average", "macro, micro or weighted");
    }

    private Object raw(String key) {
      Object v = params.get(key);
      return v == null ? type.defaults().get(key) : v;
    }

    private HoldoutException bad(String key, String expected) {
      Object v = raw(key);
      return new HoldoutException("metric '" + type.name() + "': parameter '" + key + "' must be "
          + expected + ", got " + (v instanceof String ? "'" + v + "'" : v));
    }
  }
}
