package io.holdout.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.holdout.api.HoldoutException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A sweep file: a base experiment, axes over config keys (a grid, random picks with a seed, or
 * explicit points), {@code derived:} keys computed from each trial's values, a trial budget, the
 * val figure to rank by and the sweep folder. {@link #trials()} expands it into trials with stable
 * ids. Every mistake is one line naming the file and key.
 */
final class SweepSpec {
  static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build());
  private static final Set<String> KEYS = Set.of("name", "base", "axes", "mode", "seed", "trials", "points",
      "derived", "budget", "rank", "runs");

  /** One trial: its id, the config keys it sets (axes, then derived) and its full config tree. */
  record Trial(String id, Map<String, JsonNode> values, ObjectNode config) {}

  final String file;
  final String name;
  final Path baseDir;
  final ObjectNode base;
  final ObjectNode resolved;
  final String rankKey;
  final boolean maximise;
  final Path folder;
  /** {@code runs:} as written: a local path or a URI ({@code hdfs://...}, see {@link io.holdout.api.sweep.RemoteFolders}). */
  final String runs;
  private final List<Trial> trials;

  private SweepSpec(String file, ObjectNode tree, Path baseDir, String defaultName) {
    this.file = file;
    for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        throw err("unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
    }
    this.resolved = tree;
    this.name = tree.hasNonNull("name") ? tree.get("name").asText() : defaultName;
    this.baseDir = baseDir;
    this.base = (ObjectNode) tree.get("base");
    JsonNode rank = tree.path("rank");
    if (!rank.isMissingNode() && !rank.isObject()) {
      throw err("key 'rank' expects a mapping {metric: val.KEY, goal: min|max}");
    }
    String metric = rank.path("metric").asText("val.total");
    if (!metric.startsWith("val.")) {
      throw err("key 'rank.metric' must name a val figure (val.total, val.<loss component>, val.<metric>), got '"
          + metric + "': trials are ranked on validation only, the test split stays sealed");
    }
    this.rankKey = metric.substring(4);
    if (!rank.has("goal") && !rankKey.equals("total")) {
      throw err("key 'rank.goal' is missing: min or max (is a higher " + metric + " better?)");
    }
    String goal = rank.path("goal").asText("min");
    if (!goal.equals("min") && !goal.equals("max")) {
      throw err("key 'rank.goal' must be min or max, got '" + goal + "'");
    }
    this.maximise = goal.equals("max");
    this.runs = tree.hasNonNull("runs") ? tree.get("runs").asText() : "runs/sweeps/" + name;
    this.folder = io.holdout.api.sweep.RemoteFolders.isUri(runs) ? null : Path.of(runs);
    this.trials = expand(tree);
  }

  /** Loads {@code file} and applies {@code overrides} ({@code base.trainer.epochs=1}, {@code budget=3}). */
  static SweepSpec load(Path file, List<String> overrides) {
    String name = file.toString();
    ObjectNode tree = readMapping(file, name);
    Path dir = file.toAbsolutePath().getParent();
    Path baseDir = dir;
    JsonNode base = tree.get("base");
    if (base == null || base.isNull()) {
      throw new HoldoutException(name + ": key 'base' is missing: the path of an experiment config, or one inline");
    }
    if (base.isTextual()) {
      Path baseFile = dir.resolve(base.asText()).normalize();
      if (!Files.isRegularFile(baseFile)) {
        throw new HoldoutException(name + ": key 'base': " + baseFile + ": config file not found");
      }
      tree.set("base", readMapping(baseFile, baseFile.toString()));
      baseDir = baseFile.getParent();
    } else if (!base.isObject()) {
      throw new HoldoutException(name + ": key 'base' expects the path of an experiment config or a mapping");
    }
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new HoldoutException("--set " + o + ": expected key=value, e.g. base.trainer.epochs=1");
      }
      set(tree, o.substring(0, eq).strip(), yamlValue(o.substring(eq + 1)), "--set " + o);
    }
    String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    return new SweepSpec(name, tree, baseDir, stem);
  }

  List<Trial> trials() {
    return trials;
  }

  private List<Trial> expand(ObjectNode tree) {
    List<Map<String, JsonNode>> points = new ArrayList<>();
    JsonNode axes = tree.path("axes");
    JsonNode explicit = tree.path("points");
    String mode = tree.path("mode").asText(explicit.isMissingNode() ? "grid" : "points");
    if (!explicit.isMissingNode()) {
      if (!axes.isMissingNode()) {
        throw err("give either 'axes' or 'points', not both");
      }
      if (!explicit.isArray() || explicit.isEmpty()) {
        throw err("key 'points' expects a list of mappings {config.key: value, ...}");
      }
      for (int i = 0; i < explicit.size(); i++) {
        JsonNode p = explicit.get(i);
        if (!p.isObject() || p.isEmpty()) {
          throw err("key 'points." + i + "' expects a mapping {config.key: value, ...}");
        }
        Map<String, JsonNode> m = new LinkedHashMap<>();
        p.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        points.add(m);
      }
    } else {
      if (!axes.isObject() || axes.isEmpty()) {
        throw err("key 'axes' expects a mapping of config keys to lists of values, e.g. loader.batchSize: [16, 32]");
      }
      List<String> names = new ArrayList<>();
      List<List<JsonNode>> values = new ArrayList<>();
      axes.fields().forEachRemaining(e -> {
        if (!e.getValue().isArray() || e.getValue().isEmpty()) {
          throw err("axis '" + e.getKey() + "' expects a non-empty list of values");
        }
        names.add(e.getKey());
        List<JsonNode> vs = new ArrayList<>();
        e.getValue().forEach(vs::add);
        values.add(vs);
      });
      switch (mode) {
        case "grid" -> grid(names, values, 0, new int[names.size()], points);
        case "random" -> random(names, values, tree, points);
        default -> throw err("key 'mode' must be grid or random (or give points:), got '" + mode + "'");
      }
    }
    int budget = tree.has("budget") ? positive(tree, "budget") : Integer.MAX_VALUE;
    JsonNode derived = tree.path("derived");
    if (!derived.isMissingNode() && !derived.isObject()) {
      throw err("key 'derived' expects a mapping of config keys to expressions, e.g. optimizer.lr: "
          + "base.optimizer.lr * loader.batchSize / 32");
    }
    List<Trial> out = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (Map<String, JsonNode> axisValues : points) {
      if (out.size() >= budget) {
        break;
      }
      Map<String, JsonNode> values = flatten(axisValues);
      String id = id(values);
      if (!ids.add(id)) {
        continue; // the same trial twice (random picks, repeated points): run once
      }
      ObjectNode config = base.deepCopy();
      values.forEach((k, v) -> set(config, k, v, file + ": trial " + id));
      Map<String, JsonNode> all = new LinkedHashMap<>(values);
      derived.fields().forEachRemaining(e -> {
        String where = file + ": derived." + e.getKey();
        double v = Derived.evaluate(e.getValue().asText(), where,
            k -> k.startsWith("base.") ? get(base, k.substring(5)) : get(config, k));
        JsonNode n = number(v);
        set(config, e.getKey(), n, where);
        all.put(e.getKey(), n);
      });
      out.add(new Trial(id, all, config));
    }
    return List.copyOf(out);
  }

  private static void grid(List<String> names, List<List<JsonNode>> values, int axis, int[] at,
      List<Map<String, JsonNode>> out) {
    if (axis == names.size()) {
      Map<String, JsonNode> m = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        m.put(names.get(i), values.get(i).get(at[i]));
      }
      out.add(m);
      return;
    }
    for (int i = 0; i < values.get(axis).size(); i++) {
      at[axis] = i;
      grid(names, values, axis + 1, at, out);
    }
  }

  private void random(List<String> names, List<List<JsonNode>> values, ObjectNode tree,
      List<Map<String, JsonNode>> out) {
    if (!tree.has("trials")) {
      throw err("mode: random needs 'trials' (how many to draw) and 'seed'");
    }
    int n = positive(tree, "trials");
    Random rnd = new Random(tree.path("seed").asLong(0));
    long combos = 1;
    for (List<JsonNode> v : values) {
      combos = Math.min(Long.MAX_VALUE / 1024, combos * v.size());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (int tries = 0; out.size() < Math.min(n, combos) && tries < 1000 * n; tries++) {
      Map<String, JsonNode> m = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        m.put(names.get(i), values.get(i).get(rnd.nextInt(values.get(i).size())));
      }
      if (seen.add(m.toString())) {
        out.add(m);
      }
    }
  }

  /** Axis values that are mappings set several keys together; the rest set their axis's key. */
  private Map<String, JsonNode> flatten(Map<String, JsonNode> axisValues) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    axisValues.forEach((axis, v) -> {
      if (v.isObject()) {
        v.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
      } else {
        out.put(axis, v);
      }
    });
    return out;
  }

  /**
   * A stable, readable id from the values: {@code batchSize-8_numWorkers-0} (the keys' last parts;
   * whole keys where two share a last part), shortened with a hash when long.
   */
  static String id(Map<String, JsonNode> values) {
    Map<String, Integer> lastParts = new LinkedHashMap<>();
    values.keySet().forEach(k -> lastParts.merge(last(k), 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    values.forEach((k, v) -> parts.add((lastParts.get(last(k)) > 1 ? k : last(k)) + "-" + text(v)));
    String id = String.join("_", parts).replaceAll("[^A-Za-z0-9.@-]+", "_").replaceAll("_+", "_");
    if (id.length() > 80) {
      id = id.substring(0, 70) + "-" + sha(String.join("|", values.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).toList())).substring(0, 8);
    }
    return id;
  }

  private static String last(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }

  /** A value as trials.csv and ids show it: numbers plainly, text as is, the rest as JSON. */
  static String text(JsonNode v) {
    if (v.isNumber()) {
      if (v.isIntegralNumber()) {
        return v.asText();
      }
      return new BigDecimal(v.asText()).stripTrailingZeros().toPlainString();
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }

  private static JsonNode number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? JsonNodeFactory.instance.numberNode((long) v)
        : JsonNodeFactory.instance.numberNode(Double.parseDouble(String.format(Locale.ROOT, "%.10g", v)));
  }

  private int positive(ObjectNode tree, String key) {
    JsonNode v = tree.get(key);
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
      throw err("key '" + key + "' expects a whole number >= 1, got '" + v.asText() + "'");
    }
    return v.asInt();
  }

  private HoldoutException err(String what) {
    return new HoldoutException(file + ": " + what);
  }

  /** The value at a dotted path ({@code loss.0.weight}), or null. */
  static JsonNode get(JsonNode root, String path) {
    JsonNode n = root;
    for (String p : path.split("\\.")) {
      n = n.isArray() && p.chars().allMatch(Character::isDigit) && !p.isEmpty() ? n.path(Integer.parseInt(p))
          : n.path(p);
    }
    return n.isMissingNode() ? null : n;
  }

  /** Sets a dotted path, creating sections on the way; {@code where} names the setting in messages. */
  static void set(ObjectNode root, String path, JsonNode value, String where) {
    String[] parts = path.split("\\.");
    JsonNode node = root;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      boolean lastPart = i == parts.length - 1;
      if (node instanceof ObjectNode obj) {
        if (lastPart) {
          obj.set(p, value);
          return;
        }
        JsonNode child = obj.get(p);
        if (child == null || child.isNull()) {
          child = obj.putObject(p);
        }
        node = child;
      } else if (node instanceof ArrayNode arr && !p.isEmpty() && p.chars().allMatch(Character::isDigit)) {
        int idx = Integer.parseInt(p);
        if (idx >= arr.size()) {
          throw new HoldoutException(where + ": '" + path + "' is beyond the end of a list (" + arr.size()
              + " entries)");
        }
        if (lastPart) {
          arr.set(idx, value);
          return;
        }
        node = arr.get(idx);
      } else {
        throw new HoldoutException(where + ": '" + path + "': '" + String.join(".", List.of(parts).subList(0, i))
            + "' is a value, not a section");
      }
    }
  }

  static JsonNode yamlValue(String text) {
    if (text.isBlank()) {
      return JsonNodeFactory.instance.nullNode();
    }
    try {
      JsonNode v = YAML.readTree(text);
      return v == null || v.isMissingNode() ? JsonNodeFactory.instance.textNode(text) : v;
    } catch (JsonProcessingException e) {
      return JsonNodeFactory.instance.textNode(text);
    }
  }

  private static ObjectNode readMapping(Path file, String name) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new HoldoutException(name + ": file not found");
    } catch (IOException e) {
      throw new HoldoutException(name + ": cannot read (" + e.getMessage() + ")");
    }
    JsonNode n;
    try {
      n = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().strip().split("\\R", 2)[0];
      throw new HoldoutException(name + (e.getLocation() != null && e.getLocation().getLineNr() > 0
          ? ":" + e.getLocation().getLineNr() : "") + ": invalid YAML: " + msg);
    }
    if (!(n instanceof ObjectNode o)) {
      throw new HoldoutException(name + ": expected a mapping of keys");
    }
    return o;
  }

  static String yaml(JsonNode n) {
    try {
      return YAML.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
