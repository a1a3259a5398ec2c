package io.holdout.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.holdout.api.HoldoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the report and compare commands read from a run folder, and nothing else: the resolved
 * config, {@code metrics.csv}, {@code test-report.json}, {@code split.json}, {@code
 * preprocessing.json}, {@code baselines.json} and {@code test-predictions.csv}. A file that is
 * missing reads as empty where the reader can do without it; one that is there but unreadable is a
 * one-line error naming it.
 */
final class RunFiles {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The file with the untrained baselines of each loss component, per split. */
  static final String BASELINES = "baselines.json";

  final Path dir;
  final JsonNode config;
  final JsonNode report;
  final JsonNode preprocessing;
  final JsonNode baselines;
  final Csv metrics;
  final Map<String, Integer> splitSizes;

  private RunFiles(Path dir) {
    this.dir = dir;
    this.config = yaml(dir.resolve(RunFolder.CONFIG), true);
    this.report = json(dir.resolve(RunFolder.TEST_REPORT));
    this.preprocessing = json(dir.resolve(SavedRun.PREPROCESSING));
    this.baselines = json(dir.resolve(BASELINES));
    this.metrics = Csv.read(dir.resolve(RunFolder.METRICS_CSV));
    this.splitSizes = new LinkedHashMap<>();
    json(dir.resolve(RunFolder.SPLIT)).path("parts").fields()
        .forEachRemaining(e -> splitSizes.put(e.getKey(), e.getValue().path("indices").size()));
  }

  /** Reads {@code dir}; refuses a folder that is not a run folder. */
  static RunFiles open(Path dir) {
    RunFolder.open(dir);
    return new RunFiles(dir);
  }

  /** Refuses a run that has not finished (no {@code test-report.json}). */
  RunFiles requireFinished() {
    if (report.isMissingNode()) {
      throw new HoldoutException(dir + ": not a finished run (no " + RunFolder.TEST_REPORT
          + "): train or resume it first");
    }
    return this;
  }

  /** The run's name as its folder gives it. */
  String name() {
    return dir.getFileName().toString();
  }

  /** The resolved config as {@code key.sub.0.x -> value} (lists by index), in file order. */
  Map<String, String> flatConfig() {
    Map<String, String> out = new LinkedHashMap<>();
    flatten("", config, out);
    return out;
  }

  private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
    if (n.isObject()) {
      if (n.isEmpty()) {
        out.put(prefix, "{}");
      }
      n.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          e.getValue(), out));
    } else if (n.isArray()) {
      if (n.isEmpty()) {
        out.put(prefix, "[]");
      }
      for (int i = 0; i < n.size(); i++) {
        flatten(prefix + "." + i, n.get(i), out);
      }
    } else {
      out.put(prefix, n.isNull() ? "null" : n.asText());
    }
  }

  /** The config value at a dotted path, or null. */
  String configValue(String path) {
    JsonNode n = config;
    for (String p : path.split("\\.")) {
      n = n.isArray() && p.matches("\\d+") ? n.path(Integer.parseInt(p)) : n.path(p);
    }
    return n.isMissingNode() || n.isNull() ? null : n.asText();
  }

  /** The loss components in config order. */
  List<String> components() {
    List<String> out = new ArrayList<>();
    config.path("loss").forEach(c -> out.add(c.path("name").asText()));
    return out;
  }

  /** The test figures of the report: {@code metrics} in order, each with its interval if any. */
  Map<String, Figure> testFigures() {
    Map<String, Figure> out = new LinkedHashMap<>();
    report.path("metrics").fields().forEachRemaining(e -> {
      JsonNode ci = report.path("intervals").path(e.getKey());
      out.put(e.getKey(), new Figure(number(e.getValue()), ci.isMissingNode() ? Double.NaN : number(ci.path("low")),
          ci.isMissingNode() ? Double.NaN : number(ci.path("high")), ci.path("level").asDouble(Double.NaN)));
    });
    return out;
  }

  /** The test loss breakdown: total first, then each component (raw). */
  Map<String, Double> testLoss() {
    Map<String, Double> out = new LinkedHashMap<>();
    report.path("loss").fields().forEachRemaining(e -> out.put(e.getKey(), number(e.getValue())));
    return out;
  }

  /** A figure with its interval (NaN bounds without one). */
  record Figure(double value, double low, double high, double level) {
    boolean hasInterval() {
      return !Double.isNaN(low) && !Double.isNaN(high);
    }
  }

  static double number(JsonNode n) {
    return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
  }

  /** A CSV file read whole: its header and rows of strings (quoted cells unquoted). */
  record Csv(List<String> header, List<List<String>> rows) {
    static Csv read(Path file) {
      if (!Files.isRegularFile(file)) {
        return new Csv(List.of(), List.of());
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new HoldoutException(file + ": cannot read (" + e.getMessage() + ")");
      }
      if (lines.isEmpty()) {
        return new Csv(List.of(), List.of());
      }
      List<List<String>> rows = new ArrayList<>();
      for (String l : lines.subList(1, lines.size())) {
        if (!l.isEmpty()) {
          rows.add(cells(l));
        }
      }
      return new Csv(cells(lines.get(0)), rows);
    }

    int column(String name) {
      return header.indexOf(name);
    }

    /** The cell, or "" when the row is short or the column absent. */
    String cell(List<String> row, String name) {
      int i = column(name);
      return i < 0 || i >= row.size() ? "" : row.get(i);
    }

    double number(List<String> row, String name) {
      String v = cell(row, name);
      if (v.isEmpty()) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }

    /** The rows whose {@code split} column is {@code split}, in file order. */
    List<List<String>> split(String split) {
      return rows.stream().filter(r -> cell(r, "split").equals(split)).toList();
    }

    private static List<String> cells(String line) {
      List<String> out = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char ch = line.charAt(i);
        if (quoted) {
          if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else if (ch == '"') {
            quoted = false;
          } else {
            cur.append(ch);
          }
        } else if (ch == '"') {
          quoted = true;
        } else if (ch == ',') {
          out.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(ch);
        }
      }
      out.add(cur.toString());
      return out;
    }
  }

  /** Per epoch (train, val) the values of one metrics.csv column; NaN where a row lacks it. */
  TreeMap<Integer, Double> series(String split, String column) {
    TreeMap<Integer, Double> out = new TreeMap<>();
    for (List<String> r : metrics.split(split)) {
      out.put((int) metrics.number(r, "epoch"), metrics.number(r, column));
    }
    return out;
  }

  /** The metric columns of metrics.csv (those after the fixed ones). */
  List<String> metricColumns() {
    List<String> h = metrics.header();
    int i = h.indexOf("data_wait_s");
    return i < 0 ? List.of() : h.subList(i + 1, h.size());
  }

  private static JsonNode json(Path file) {
    if (!Files.isRegularFile(file)) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new HoldoutException(file + ": not valid JSON (" + firstLine(e) + ")");
    }
  }

  private static JsonNode yaml(Path file, boolean required) {
    if (!Files.isRegularFile(file)) {
      if (required) {
        throw new HoldoutException(file + ": missing");
      }
      return MissingNode.getInstance();
    }
    try {
      JsonNode n = YAML.readTree(file.toFile());
      return n == null ? MissingNode.getInstance() : n;
    } catch (IOException e) {
      throw new HoldoutException(file + ": not valid YAML (" + firstLine(e) + ")");
    }
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** Reads a JSON array of numbers. */
  static double[] numbers(JsonNode a) {
    double[] out = new double[a.size()];
    Iterator<JsonNode> it = a.elements();
    for (int i = 0; it.hasNext(); i++) {
      out[i] = number(it.next());
    }
    return out;
  }

  static String list(double[] v) {
    return String.join(" ", Arrays.stream(v).mapToObj(RunFiles::exact).toList());
  }

  /** A figure at full precision for data attributes ({@code NaN} as such). */
  static String exact(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "NaN";
  }
}
