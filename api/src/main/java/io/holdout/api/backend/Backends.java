package io.holdout.api.backend;

import io.holdout.api.HoldoutException;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Discovers backend modules on the class path through {@link ServiceLoader}. */
public final class Backends {
  private Backends() {}

  /** Every provider present, sorted by name. */
  public static List<BackendProvider> discover() {
    TreeMap<String, BackendProvider> byName = new TreeMap<>();
    Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        BackendProvider p = it.next();
        byName.putIfAbsent(p.name(), p);
      } catch (ServiceConfigurationError e) {
        // a broken jar on the class path must not hide the backends that work
        System.err.println("holdout: warning: skipping a backend that cannot load: " + e.getMessage());
      }
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
    throw notFound(name, all.stream().map(BackendProvider::name).toList());
  }

  /** The one-line error for a backend {@code name} that is not among {@code present}. */
  public static HoldoutException notFound(String name, java.util.Collection<String> present) {
    String hint = name == null || name.isBlank()
        ? "no backend named in config (key 'backend')"
        : "unknown backend '" + name + "'";
    return new HoldoutException(hint + "; backends present: " + (present.isEmpty() ? "none"
        : String.join(", ", new java.util.TreeSet<>(present)))
        + (name == null || name.isBlank() ? "" : " (is holdout-engine-" + name + " on the class path?)"));
  }
}
