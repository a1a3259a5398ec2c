package io.holdout.api.extension;

import io.holdout.api.HoldoutException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, checked reading of a part's {@code params} (a transform's, a loss factory's): every
 * problem is a {@link HoldoutException} with one line naming the parameter, which holdout prefixes
 * with the config file and the entry.
 */
public final class Params {
  private final Map<String, Object> values;

  private Params(Map<String, Object> values) {
    this.values = values;
  }

  /**
   * The parameters {@code values}, of which only {@code known} may appear.
   *
   * @throws HoldoutException {@code has no parameter 'k' (known: a, b)} for any other key
   */
  public static Params of(Map<String, Object> values, String... known) {
    Objects.requireNonNull(values, "values is null");
    Set<String> allowed = new TreeSet<>(Set.of(known));
    for (String key : new TreeSet<>(values.keySet())) {
      if (!allowed.contains(key)) {
        throw new HoldoutException("has no parameter '" + key + "' (known: "
            + (allowed.isEmpty() ? "none" : String.join(", ", allowed)) + ")");
      }
    }
    return new Params(values);
  }

  /** Whether {@code key} was given. */
  public boolean has(String key) {
    return values.get(key) != null;
  }

  /** A finite number in {@code [min, max]}, {@code fallback} when absent. */
  public double number(String key, double fallback, double min, double max) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < min
        || n.doubleValue() > max) {
      throw new HoldoutException("parameter '" + key + "' must be a number in [" + show(min) + ", " + show(max)
          + "], got " + (v instanceof String ? "'" + v + "'" : v));
    }
    return n.doubleValue();
  }

  private static String show(double d) {
    if (d == Double.MAX_VALUE) {
      return "∞";
    }
    if (d == -Double.MAX_VALUE) {
      return "-∞";
    }
    return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%s", d);
  }
}
