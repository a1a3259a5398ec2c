package io.holdout.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.holdout.api.HoldoutException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run is: its resolved config, the hash of the data's content and the hash of its split.
 * Every {@code last} checkpoint records it; resume recomputes it and refuses, with one line naming
 * the key or file, when anything but the keys in {@link #MAY_CHANGE} differs.
 *
 * @param configHash SHA-256 prefix of the resolved config
 * @param configYaml the resolved config itself, so that a difference can be named key by key
 * @param splitHash the split manifest's hash
 * @param dataHash the content hash of every file the experiment reads ({@link DataHash})
 */
record RunIdentity(String configHash, String configYaml, String splitHash, String dataHash) {
  /**
   * Keys a resume may change: more epochs, how progress is shown, where runs go, and the engine
   * (weights and optimizer state carry the same names on every training backend).
   */
  static final Set<String> MAY_CHANGE = Set.of("trainer.epochs", "trainer.progress", "trainer.progressSeconds", "trainer.callbacks",
      "runs", "backend", "trainer.dataParallel.master");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * Refuses when {@code now} differs from the run's config {@code then} outside {@link #MAY_CHANGE}.
   *
   * @param where the file named in the error (the run's config.yaml)
   */
  static void requireSameConfig(String then, String now, String where) {
    Map<String, String> a = flatten(then, where);
    Map<String, String> b = flatten(now, where);
    List<String> keys = new ArrayList<>(a.keySet());
    b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(keys::add);
    for (String k : keys) {
      if (mayChange(k)) {
        continue;
      }
      String x = a.get(k);
      String y = b.get(k);
      if (x == null ? y != null : !x.equals(y)) {
        throw new HoldoutException(where + ": " + k + " is " + show(y) + " but the run started with " + show(x)
            + "; a resume may change only " + String.join(", ", MAY_CHANGE.stream().sorted().toList())
            + " (start a new run to change anything else)");
      }
    }
  }

  /**
   * Refuses when a resume would switch a default callback on or off ({@code -NAME} in {@code
   * trainer.callbacks}): the callbacks a run may add or drop on resume are the ones it lists, not
   * the writers of its own files (metrics.csv, checkpoints, ...).
   *
   * @param where the file named in the error (the run's config.yaml)
   */
  static void requireSameSwitchedOff(String then, String now, String where) {
    java.util.Set<String> a = switchedOff(then, where);
    java.util.Set<String> b = switchedOff(now, where);
    if (!a.equals(b)) {
      throw new HoldoutException(where + ": trainer.callbacks switches off " + (b.isEmpty() ? "no default callback"
          : String.join(", ", b)) + " but the run started with " + (a.isEmpty() ? "every default callback on"
          : String.join(", ", a) + " off") + "; a resume may add or drop only the callbacks it lists");
    }
  }

  private static java.util.Set<String> switchedOff(String yaml, String where) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    flatten(yaml, where).forEach((k, v) -> {
      if (k.startsWith("trainer.callbacks.") && v.startsWith("-")) {
        out.add(v.substring(1));
      }
    });
    return out;
  }

  /** The keys that differ (may-change ones included), for telling the user what a resume changed. */
  static List<String> changedKeys(String then, String now) {
    Map<String, String> a = flatten(then, "config");
    Map<String, String> b = flatten(now, "config");
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : b.entrySet()) {
      if (!e.getValue().equals(a.get(e.getKey()))) {
        out.add(e.getKey() + "=" + e.getValue());
      }
    }
    return out;
  }

  private static boolean mayChange(String key) {
    return MAY_CHANGE.stream().anyMatch(m -> key.equals(m) || key.startsWith(m + "."));
  }

  private static String show(String v) {
    return v == null ? "unset" : v;
  }

  /** Leaf values of a YAML document by dotted path ({@code loss.0.weight}). */
  static Map<String, String> flatten(String yaml, String where) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new HoldoutException(where + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    Map<String, String> out = new LinkedHashMap<>();
    flatten(root, "", out);
    return out;
  }

  private static void flatten(JsonNode n, String prefix, Map<String, String> out) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return;
    }
    if (n.isObject()) {
      n.fields().forEachRemaining(e -> flatten(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          out));
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        flatten(n.get(i), prefix + "." + i, out);
      }
      if (n.isEmpty()) {
        out.put(prefix, "[]");
      }
    } else {
      out.put(prefix, n.asText());
    }
  }
}
