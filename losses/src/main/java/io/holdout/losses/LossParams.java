package io.holdout.losses;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import java.util.List;
import java.util.Objects;

/**
 * Typed access to one loss component's parameters, with the catalogue's defaults filled in.
 *
 * <p>Every problem (a value of the wrong type or out of range) is a {@link HoldoutException} naming
 * the component, its type and the parameter. List parameters ({@code class_weights}, {@code alpha})
 * default to the empty list, which means "1 for every class".
 */
public final class LossParams {
  private final LossComponentSpec spec;
  private final LossType type;

  private LossParams(LossComponentSpec spec, LossType type) {
    this.spec = spec;
    this.type = type;
  }

  /**
   * The parameters of {@code c}; its type must be in the catalogue and every key known to it.
   *
   * @throws HoldoutException for an unknown type or parameter
   */
  public static LossParams of(LossComponentSpec c) {
    Objects.requireNonNull(c, "loss component is null");
    LossType t = LossCatalog.get(c.type());
    for (String key : c.params().keySet()) {
      if (!t.defaults().containsKey(key)) {
        throw new HoldoutException("loss '" + c.name() + "' (" + c.type() + ") has no parameter '"
            + key + "' (known: " + String.join(", ", t.parameters()) + ")");
      }
    }
    return new LossParams(c, t);
  }

  public LossType type() {
    return type;
  }

  /** {@code reduction}: mean (default) or sum. */
  public Reduction reduction() {
    Object v = raw("reduction");
    if (!(v instanceof String s)) {
      throw bad("reduction", v, "mean or sum");
    }
    try {
      return Reduction.of(s);
    } catch (HoldoutException e) {
      throw bad("reduction", v, "mean or sum");
    }
  }

  /** A number parameter. */
  public double number(String key) {
    Object v = raw(key);
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw bad(key, v, "a finite number");
    }
    return n.doubleValue();
  }

  /** A number parameter that must lie in {@code [min, max]}. */
  public double number(String key, double min, double max) {
    double d = number(key);
    if (d < min || d > max) {
      throw bad(key, raw(key), max == Double.MAX_VALUE ? "a number >= " + trim(min)
          : "a number in [" + trim(min) + ", " + trim(max) + "]");
    }
    return d;
  }

  /** An integer parameter (a whole number). */
  public long integer(String key) {
    Object v = raw(key);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Double.isFinite(n.doubleValue())) {
      return n.longValue();
    }
    throw bad(key, v, "a whole number");
  }

  /** A text parameter, not blank. */
  public String string(String key) {
    Object v = raw(key);
    if (!(v instanceof String s) || s.isBlank()) {
      throw bad(key, v, "a name");
    }
    return s;
  }

  /**
   * A list of non-negative numbers, or null when the list is empty (the default: 1 for every class).
   * Accepts a {@link List} of numbers or a {@code double[]}, {@code float[]} or {@code int[]}.
   */
  public double[] numbers(String key) {
    Object v = raw(key);
    double[] out;
    if (v instanceof List<?> list) {
      out = new double[list.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(list.get(i) instanceof Number n)) {
          throw bad(key, v, "a list of numbers >= 0");
        }
        out[i] = n.doubleValue();
      }
    } else if (v instanceof double[] d) {
      out = d.clone();
    } else if (v instanceof float[] f) {
      out = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        out[i] = f[i];
      }
    } else if (v instanceof int[] n) {
      out = new double[n.length];
      for (int i = 0; i < n.length; i++) {
        out[i] = n[i];
      }
    } else {
      throw bad(key, v, "a list of numbers >= 0");
    }
    for (double d : out) {
      if (!(d >= 0) || Double.isInfinite(d)) {
        throw bad(key, v, "a list of numbers >= 0");
      }
    }
    return out.length == 0 ? null : out;
  }

  /**
   * A plugin type's loss for this component: its factory on the component's parameters over the
   * type's defaults ({@code reduction} left out); null for a built-in type.
   *
   * @throws HoldoutException {@code loss 'NAME' (TYPE): ...} with the factory's complaint, or when
   *     the loss compares with another kind of target than the type's
   */
  public io.holdout.api.loss.CustomLoss custom() {
    if (type.plugin() == null) {
      return null;
    }
    java.util.Map<String, Object> own = new java.util.LinkedHashMap<>(spec.params());
    own.remove("reduction");
    io.holdout.api.loss.CustomLoss c;
    try {
      c = type.plugin().create(own);
    } catch (HoldoutException e) {
      throw new HoldoutException("loss '" + spec.name() + "' (" + spec.type() + "): " + e.getMessage(), e);
    }
    if (c.target() != type.target()) {
      throw new HoldoutException("loss '" + spec.name() + "' (" + spec.type() + "): with " + own + " it compares"
          + " with " + c.target() + " targets, at its defaults with " + type.target());
    }
    return c;
  }

  /** Parses every parameter the type has, so that a bad value fails at start, not mid-epoch. */
  void checkAll() {
    reduction();
    if (type.plugin() != null) {
      custom();
      return;
    }
    for (String key : type.parameters()) {
      switch (key) {
        case "reduction" -> { }
        case "beta", "gamma", "neg_pos_ratio" -> number(key, 0, Double.MAX_VALUE);
        case "delta" -> {
          if (number(key) <= 0) {
            throw bad(key, raw(key), "a number > 0");
          }
        }
        case "pos_weight" -> {
          if (number(key) <= 0) {
            throw bad(key, raw(key), "a number > 0");
          }
        }
        case "label_smoothing" -> number(key, 0, 1);
        case "ignore_index" -> integer(key);
        case "class_weights", "alpha" -> numbers(key);
        case "labels" -> string(key);
        default -> throw new IllegalStateException("no check for loss parameter " + key);
      }
    }
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private Object raw(String key) {
    if (!type.defaults().containsKey(key)) {
      throw new IllegalArgumentException(type.name() + " has no parameter '" + key + "'");
    }
    Object v = spec.params().get(key);
    return v == null ? type.defaults().get(key) : v;
  }

  private HoldoutException bad(String key, Object value, String expected) {
    String shown = value instanceof String ? "'" + value + "'" : String.valueOf(value);
    if (value instanceof double[] || value instanceof float[] || value instanceof int[]) {
      shown = "an array";
    }
    return new HoldoutException("loss '" + spec.name() + "' (" + spec.type() + "): parameter '"
        + key + "' must be " + expected + ", got " + shown);
  }
}
