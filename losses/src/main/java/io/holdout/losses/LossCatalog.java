package io.holdout.losses;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The names a config may use in {@code loss[].type}, with their parameters. Unknown names and
 * unknown parameters fail at start with the list of known ones.
 */
public final class LossCatalog {
  private static final Map<String, LossType> TYPES;

  static {
    Map<String, LossType> m = new LinkedHashMap<>();
    add(m, new LossType("mse", TargetKind.NUMBER, Map.of("reduction", "mean"),
        "mean of squared errors over all elements of the batch"));
    add(m, new LossType("cross_entropy", TargetKind.CLASS,
        Map.of("reduction", "mean", "label_smoothing", 0.0, "ignore_index", -100),
        "mean over samples of -log softmax(logits)[label]; with class weights, a weighted mean"));
    TYPES = Collections.unmodifiableMap(m);
  }

  private LossCatalog() {}

  private static void add(Map<String, LossType> m, LossType t) {
    m.put(t.name(), t);
  }

  /** Every loss type, in catalogue order. */
  public static Map<String, LossType> types() {
    return TYPES;
  }

  public static LossType get(String name) {
    LossType t = TYPES.get(name);
    if (t == null) {
      throw new HoldoutException(
          "unknown loss type '" + name + "' (known: " + String.join(", ", TYPES.keySet()) + ")");
    }
    return t;
  }

  /**
   * Checks every component's type and parameter names.
   *
   * @param where what to name in messages, e.g. the config file
   */
  public static void validate(LossSpec spec, String where) {
    for (LossComponentSpec c : spec.components()) {
      LossType t;
      try {
        t = get(c.type());
      } catch (HoldoutException e) {
        throw new HoldoutException(where + ": loss '" + c.name() + "': " + e.getMessage());
      }
      for (String key : c.params().keySet()) {
        if (!t.defaults().containsKey(key) && !key.equals("class_weights")) {
          throw new HoldoutException(where + ": loss '" + c.name() + "' (" + c.type()
              + ") has no parameter '" + key + "' (known: " + new TreeSet<>(t.defaults().keySet()) + ")");
        }
      }
    }
  }
}
