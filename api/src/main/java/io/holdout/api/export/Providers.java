package io.holdout.api.export;

import io.holdout.api.HoldoutException;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/** Service-provider discovery shared by {@link Exporters} and {@link ModelFiles}. */
final class Providers {
  private Providers() {}

  /** Every provider of {@code type} on the class path, one per name (the first found), sorted by name. */
  static <T> List<T> discover(Class<T> type, Function<T, String> name, String what) {
    TreeMap<String, T> byName = new TreeMap<>();
    Iterator<T> it = ServiceLoader.load(type).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        T p = it.next();
        byName.putIfAbsent(name.apply(p), p);
      } catch (ServiceConfigurationError e) {
        // a broken jar on the class path must not hide the providers that work
        System.err.println("holdout: warning: skipping " + what + " that cannot load: " + e.getMessage());
      }
    }
    return List.copyOf(byName.values());
  }

  /**
   * The provider named {@code format} among {@code all}, or a one-line error listing the formats
   * present and naming the module that usually provides {@code format}.
   */
  static <T> T find(List<T> all, Function<T, String> name, String format, String what) {
    for (T p : all) {
      if (name.apply(p).equals(format)) {
        return p;
      }
    }
    List<String> names = all.stream().map(name).toList();
    throw new HoldoutException((format == null || format.isBlank() ? "no " + what + " named"
        : "unknown " + what + " '" + format + "'") + "; formats present: "
        + (names.isEmpty() ? "none" : String.join(", ", names))
        + (format == null || format.isBlank() ? "" : " (is holdout-engine-" + format + " on the class path?)"));
  }
}
