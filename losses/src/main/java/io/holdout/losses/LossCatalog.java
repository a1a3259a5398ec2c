package io.holdout.losses;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.TargetKind;
import io.holdout.api.extension.Extensions;
import io.holdout.api.extension.PluginLoss;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The names a config may use in {@code loss[].type}, with their parameters. Unknown names and
 * unknown parameters fail at start with the list of known ones; so do parameter values of the wrong
 * type or out of range.
 *
 * <p>Besides the built-in types here, a config may name the loss types that plugins register
 * ({@link io.holdout.api.extension.Registry#loss}): element-wise expressions that every backend
 * compiles. A plugin may not reuse a built-in name.
 *
 * <p>Every type takes {@code reduction} ({@code mean}, the default, or {@code sum}). The exact math
 * of each type is in {@link io.holdout.losses.reference.ReferenceLosses}.
 */
public final class LossCatalog {
  private static final Map<String, LossType> TYPES;

  static {
    Map<String, LossType> m = new LinkedHashMap<>();
    add(m, new LossType("mse", TargetKind.NUMBER, Map.of("reduction", "mean"),
        "mean of (prediction - target)² over every element of the batch (samples × outputs)"));
    add(m, new LossType("mae", TargetKind.NUMBER, Map.of("reduction", "mean"),
        "mean of |prediction - target| over every element of the batch (samples × outputs)"));
    add(m, new LossType("smooth_l1", TargetKind.NUMBER, Map.of("reduction", "mean", "beta", 1.0),
        "mean over every element of 0.5·d²/beta where |d| < beta, else |d| - 0.5·beta"));
    add(m, new LossType("huber", TargetKind.NUMBER, Map.of("reduction", "mean", "delta", 1.0),
        "mean over every element of 0.5·d² where |d| <= delta, else delta·(|d| - 0.5·delta)"));
    add(m, new LossType("cross_entropy", TargetKind.CLASS,
        Map.of("reduction", "mean", "class_weights", List.of(), "label_smoothing", 0.0,
            "ignore_index", -100),
        "mean over samples of -log softmax(logits)[label]; with class weights, the weighted sum"
            + " divided by the sum of the labels' weights; ignored labels are left out"));
    add(m, new LossType("binary_cross_entropy", TargetKind.NUMBER,
        Map.of("reduction", "mean", "pos_weight", 1.0),
        "mean over every element (samples × labels) of the sigmoid cross-entropy of a logit"));
    add(m, new LossType("focal", TargetKind.CLASS,
        Map.of("reduction", "mean", "gamma", 2.0, "alpha", List.of()),
        "mean over samples of -alpha[label]·(1 - p)^gamma·log p, p = softmax(logits)[label]"));
    add(m, new LossType("multibox_loc", TargetKind.DETECTION,
        Map.of("reduction", "mean", "labels", "labels"),
        "smooth L1 summed over the 4 box coordinates of every positive anchor, divided by the"
            + " number of positive anchors in the batch"));
    add(m, new LossType("multibox_conf", TargetKind.DETECTION,
        Map.of("reduction", "mean", "neg_pos_ratio", 3),
        "cross-entropy summed over positive anchors and hard-mined negatives (neg_pos_ratio per"
            + " positive, per image), divided by the number of positive anchors in the batch"));
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

  /**
   * The type called {@code name}.
   *
   * @throws HoldoutException naming the known types when there is none
   */
  public static LossType get(String name) {
    Objects.requireNonNull(name, "loss type is null");
    LossType t = TYPES.get(name);
    Map<String, PluginLoss> custom = Extensions.installed().losses();
    if (t != null) {
      if (custom.containsKey(name)) {
        throw new HoldoutException("plugin '" + Extensions.installed().owners(Extensions.LOSS).get(name)
            + "' registers the loss type '" + name + "', which is built in: give it another name");
      }
      return t;
    }
    PluginLoss c = custom.get(name);
    if (c == null) {
      java.util.List<String> known = new java.util.ArrayList<>(TYPES.keySet());
      known.addAll(custom.keySet());
      throw new HoldoutException("unknown loss type '" + name + "' (known: " + String.join(", ", known) + ")");
    }
    return LossType.of(name, c);
  }

  /**
   * Checks every component's type, parameter names and parameter values, without a model ({@link
   * ResolvedLoss#resolve} also checks them against the model's heads).
   *
   * @param where what to name in messages, e.g. the config file
   * @throws HoldoutException on the first problem, naming {@code where}, the component and the
   *     known types or parameters
   */
  public static void validate(LossSpec spec, String where) {
    Objects.requireNonNull(spec, "loss spec is null");
    for (LossComponentSpec c : spec.components()) {
      validate(c, where);
    }
  }

  /** Checks one component; see {@link #validate(LossSpec, String)}. */
  public static void validate(LossComponentSpec c, String where) {
    Objects.requireNonNull(c, "loss component is null");
    try {
      LossParams.of(c).checkAll();
    } catch (HoldoutException e) {
      String msg = e.getMessage().startsWith("unknown loss type")
          ? "loss '" + c.name() + "': " + e.getMessage()
          : e.getMessage();
      throw new HoldoutException(where + ": " + msg, e);
    }
  }
}
