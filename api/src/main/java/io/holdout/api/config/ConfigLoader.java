package io.holdout.api.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Reads an experiment from YAML, applies {@code key.path=value} overrides, binds it strictly to
 * {@link ExperimentConfig}, fills defaults and validates it. Every failure is a {@link
 * ConfigException} with one line naming the file and the key or line.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  private ConfigLoader() {}

  /** Loads {@code file} with {@code overrides} of the form {@code a.b.c=value}. */
  public static LoadedConfig load(Path file, List<String> overrides) {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(name + ": config file not found");
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read config file (" + e.getMessage() + ")");
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, name, dir, overrides);
  }

  /** Parses YAML {@code text}; {@code name} is used in messages, {@code baseDir} for data paths. */
  public static LoadedConfig parse(String text, String name, Path baseDir, List<String> overrides) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(name + where(e.getLocation()) + ": invalid YAML: " + firstLine(e.getOriginalMessage()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(name + ": config file is empty");
    }
    if (!root.isObject()) {
      throw new ConfigException(name + ": a config must be a mapping of keys (name, data, model, ...)");
    }
    ObjectNode tree = (ObjectNode) root;
    for (String o : overrides) {
      applyOverride(tree, o, name);
    }
    optimizerParams(tree, name);
    ExperimentConfig raw = bind(tree, name, overrides.isEmpty() ? "" : " (after --set overrides)");
    ExperimentConfig resolved = Defaults.apply(raw, name);
    ConfigValidator.validate(resolved, name);
    String yaml;
    try {
      yaml = YAML.writeValueAsString(resolved);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return new LoadedConfig(resolved, Path.of(name), baseDir, yaml, sha256(yaml).substring(0, 16));
  }

  /**
   * Moves the keys of {@code optimizer:} that have no field of their own into its {@code params:}
   * map, where a plugin's optimizer reads them ({@code {type: lion, lr: 1e-4, beta2: 0.99}}).
   */
  private static void optimizerParams(ObjectNode tree, String name) {
    if (!(tree.get("optimizer") instanceof ObjectNode o)) {
      return;
    }
    List<String> extra = new ArrayList<>();
    o.fieldNames().forEachRemaining(k -> {
      if (!OptimizerConfig.FIELDS.contains(k)) {
        extra.add(k);
      }
    });
    if (extra.isEmpty()) {
      return;
    }
    JsonNode existing = o.get("params");
    if (existing != null && !existing.isObject() && !existing.isNull()) {
      throw new ConfigException(name + ": key 'optimizer.params' expects a mapping of keys");
    }
    ObjectNode params = existing instanceof ObjectNode p ? p : o.putObject("params");
    for (String k : extra) {
      if (params.has(k)) {
        throw new ConfigException(name + ": 'optimizer." + k + "' is given twice (also as 'optimizer.params." + k + "')");
      }
      params.set(k, o.remove(k));
    }
  }

  /** Serialises a config to YAML (used for the resolved copy in run folders). */
  public static String toYaml(ExperimentConfig config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ExperimentConfig bind(ObjectNode tree, String name, String suffix) {
    try {
      return YAML.treeToValue(tree, ExperimentConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String path = path(e);
      TreeSet<String> known = new TreeSet<>();
      if (e.getKnownPropertyIds() != null) {
        e.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      }
      throw new ConfigException(name + ": unknown key '" + path + "'" + suffix + " (known here: " + String.join(", ", known) + ")");
    } catch (InvalidFormatException e) {
      throw new ConfigException(name + ": key '" + path(e) + "' expects " + typeName(e.getTargetType())
          + ", got '" + e.getValue() + "'" + suffix);
    } catch (MismatchedInputException e) {
      throw new ConfigException(name + ": key '" + path(e) + "' expects " + typeName(e.getTargetType()) + suffix);
    } catch (JsonProcessingException e) {
      throw new ConfigException(name + ": " + firstLine(e.getOriginalMessage()) + suffix);
    }
  }

  private static String typeName(Class<?> t) {
    if (t == null) {
      return "another type";
    }
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
      return "a whole number";
    }
    if (t == Double.class || t == double.class) {
      return "a number";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "a text value";
    }
    if (List.class.isAssignableFrom(t)) {
      return "a list";
    }
    if (java.util.Map.class.isAssignableFrom(t) || t.isRecord()) {
      return "a mapping of keys";
    }
    return "a " + t.getSimpleName();
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
    }
    return sb.toString();
  }

  private static String where(JsonLocation loc) {
    if (loc == null || loc.getLineNr() <= 0) {
      return "";
    }
    return ":" + loc.getLineNr() + ":" + loc.getColumnNr();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    String line = s.strip().split("\\R", 2)[0];
    return line.endsWith(":") ? line.substring(0, line.length() - 1) : line;
  }

  /** Applies {@code a.b.0.c=value}; the value is read as YAML (numbers, booleans, lists). */
  static void applyOverride(ObjectNode root, String override, String name) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set " + override + ": expected key=value, e.g. trainer.epochs=5");
    }
    String key = override.substring(0, eq).strip();
    String valueText = override.substring(eq + 1);
    JsonNode value;
    try {
      value = valueText.isBlank() ? JsonNodeFactory.instance.nullNode() : YAML.readTree(valueText);
      if (value == null || value.isMissingNode()) {
        value = JsonNodeFactory.instance.textNode(valueText);
      }
    } catch (JsonProcessingException e) {
      value = JsonNodeFactory.instance.textNode(valueText);
    }
    String[] parts = key.split("\\.");
    JsonNode node = root;
    List<String> walked = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      boolean last = i == parts.length - 1;
      walked.add(p);
      if (node instanceof ObjectNode obj) {
        if (last) {
          obj.set(p, value);
        } else {
          JsonNode child = obj.get(p);
          if (child == null || child.isNull()) {
            child = isIndex(parts[i + 1]) ? obj.putArray(p) : obj.putObject(p);
          }
          node = child;
        }
      } else if (node instanceof ArrayNode arr && isIndex(p)) {
        int idx = Integer.parseInt(p);
        if (idx >= arr.size()) {
          throw new ConfigException("--set " + override + ": '" + String.join(".", walked)
              + "' is beyond the end of the list (" + arr.size() + " entries)");
        }
        if (last) {
          arr.set(idx, value);
        } else {
          node = arr.get(idx);
        }
      } else {
        throw new ConfigException("--set " + override + ": '" + String.join(".", walked.subList(0, walked.size() - 1))
            + "' is a value, not a section, in " + name);
      }
    }
  }

  private static boolean isIndex(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  static String sha256(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
