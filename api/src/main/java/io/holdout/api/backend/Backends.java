package io.holdout.api.backend;

import io.holdout.api.HoldoutException;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Discovers backend modules on the class path through {@link ServiceLoader}. */
public final class Backends {
  private Backends() {}

  /** Every provider present, sorted by name. */
  public static List<BackendProvider> discover() {
    TreeMap<String, BackendProvider> byName = new TreeMap<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      byName.putIfAbsent(p.name(), p);
    }
    return List.copyOf(byName.values());
  }

  /** The provider named {@code name}, or an error listing the backends present. */
  public static BackendProvider find(String name) {
    List<BackendProvider> all = discover();
    for (BackendProvider p : all) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    List<String> names = all.stream().map(BackendProvider::name).toList();
    String hint = name == null || name.isBlank()
        ? "no backend named in config (key 'backend')"
        : "unknown backend '" + name + "'";
    return failWith(hint + "; backends present: " + (names.isEmpty() ? "none" : String.join(", ", names))
        + (name == null || name.isBlank() ? "" : " (is holdout-engine-" + name + " on the class path?)"));
  }

  private static BackendProvider failWith(String message) {
    throw new HoldoutException(message);
  }
}
