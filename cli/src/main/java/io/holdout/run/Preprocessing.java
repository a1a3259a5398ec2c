package io.holdout.run;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.config.DetectionConfig;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.HeadConfig;
import io.holdout.api.config.TargetConfig;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.datasets.transform.Standardizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code preprocessing.json}: what turns a raw input into what the model reads and its outputs
 * back into answers, fitted or fixed when the run started, so a run folder needs no training data
 * to evaluate, predict or export. It is also the document to hand on with the model:
 *
 * <ul>
 *   <li>{@code input}: a table's feature columns in the order the model reads them (found by name
 *       in a CSV header) and the delimiter, or an image's size, channels and pixel scaling; and the
 *       standardisation fitted on the training split ({@code (x - mean) / std} per input value, or
 *       null);
 *   <li>{@code targets}: each target's kind, column and class list (the vocabulary: class {@code i}
 *       is {@code classes[i]});
 *   <li>{@code heads}: each head's target, its classes (a detector's class head: the background
 *       first) or the units of its values;
 *   <li>{@code detection}: a detector's anchors, box encoding and NMS settings (also in {@code
 *       config.yaml}), for programs that decode the raw head outputs themselves.
 * </ul>
 */
public record Preprocessing(String source, Input input, Map<String, Target> targets, Map<String, Head> heads,
    JsonNode detection) {
  /** The value of the {@code format} field. */
  public static final String FORMAT = "holdout-preprocessing/1";

  /** A table of features. */
  public static final String TABLE = "table";

  /** An image. */
  public static final String IMAGE = "image";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param type {@link #TABLE} or {@link #IMAGE}
   * @param shape the model's input shape (without the batch)
   * @param features a table's feature columns in order (empty for an image)
   * @param delimiter a table's CSV delimiter (null for an image)
   * @param standardizer statistics of the training split, or null
   */
  public record Input(String type, long[] shape, List<String> features, String delimiter,
      Standardizer standardizer) {
    public Input {
      shape = shape.clone();
      features = List.copyOf(features);
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    public boolean isImage() {
      return IMAGE.equals(type);
    }
  }

  /** One target: kind, per-sample shape, classes in index order, and its CSV column (or null). */
  public record Target(TargetKind kind, long[] shape, List<String> classes, String column) {
    public Target {
      shape = shape.clone();
      classes = List.copyOf(classes);
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    TargetInfo info() {
      return new TargetInfo(kind, shape, classes);
    }
  }

  /** One head: what it predicts, and its classes in output order (empty for a regression head). */
  public record Head(HeadKind kind, String target, List<String> classes) {
    public Head {
      classes = List.copyOf(classes);
    }
  }

  public Preprocessing {
    targets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(targets));
    heads = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(heads));
  }

  /** The record of a run as it starts: its config, the data's schema, the fitted standardiser, the model. */
  public static Preprocessing of(ExperimentConfig c, DatasetSchema schema, Standardizer std, ModelSpec model,
      DetectionSetup detection) {
    long[] shape = model.inputShape();
    boolean image = shape.length == 3 && !"csv".equals(c.data().source());
    Input input = new Input(image ? IMAGE : TABLE, shape, image ? List.of() : schema.inputNames(),
        image ? null : c.data().delimiter(), std);
    Map<String, Target> targets = new LinkedHashMap<>();
    for (Map.Entry<String, TargetInfo> e : schema.targets().entrySet()) {
      TargetInfo t = e.getValue();
      TargetConfig tc = c.data().targets() == null ? null : c.data().targets().get(e.getKey());
      String column = tc == null ? null : tc.column() != null ? tc.column() : e.getKey();
      targets.put(e.getKey(), new Target(t.kind(), t.shape(), t.classes(), column));
    }
    Map<String, Head> heads = new LinkedHashMap<>();
    for (HeadSpec h : model.heads()) {
      HeadConfig hc = c.model().heads().get(h.name());
      String target = hc != null && hc.target() != null ? hc.target() : h.name();
      List<String> classes = List.of();
      TargetInfo t = schema.targets().get(target);
      if (h.kind() == HeadKind.CLASSIFICATION && t != null) {
        if (h.isMultiScale()) {
          List<String> withBackground = new ArrayList<>(List.of("background"));
          withBackground.addAll(t.classes());
          classes = withBackground;
        } else {
          classes = t.classes();
        }
      }
      heads.put(h.name(), new Head(h.kind(), target, classes));
    }
    return new Preprocessing(c.data().source(), input, targets, heads,
        detection == null ? null : detectionTree(detection, model));
  }

  private static JsonNode detectionTree(DetectionSetup d, ModelSpec model) {
    DetectionConfig c = d.config();
    ObjectNode o = JSON.createObjectNode();
    o.put("loc", c.loc());
    o.put("conf", c.conf());
    o.put("boxes", "the " + c.loc() + " head's 4 offsets per anchor decode to corners (xmin, ymin, xmax, ymax)"
        + " normalised to [0, 1]: cx = ax + tx*v0*aw, cy = ay + ty*v0*ah, w = aw*exp(min(tw*v1, ln(1000/16))),"
        + " h = ah*exp(min(th*v1, ln(1000/16))), corners clipped to [0, 1]; anchors (ax, ay, aw, ah) per feature map,"
        + " row, column, then per_location boxes");
    ObjectNode a = o.putObject("anchors");
    a.put("count", d.anchors().size());
    a.put("per_location", d.anchors().perLocation());
    ArrayNode maps = a.putArray("feature_maps");
    model.tapShapes(c.loc()).forEach(t -> maps.add(t[1] + "x" + t[2]));
    ArrayNode sizes = a.putArray("sizes");
    c.anchors().sizes().forEach(sizes::add);
    ArrayNode ratios = a.putArray("ratios");
    c.anchors().ratios().forEach(ratios::add);
    ArrayNode v = o.putArray("variances");
    c.variances().forEach(v::add);
    o.put("match_iou", c.matchIou());
    ObjectNode nms = o.putObject("nms");
    nms.put("iou", c.nms().iou());
    nms.put("score", c.nms().score());
    nms.put("pre_top_k", c.nms().preTopK());
    nms.put("top_k", c.nms().topK());
    return o;
  }

  /** The schema of the data the run was trained on (input shape, feature names, targets). */
  public DatasetSchema schema() {
    Map<String, TargetInfo> t = new LinkedHashMap<>();
    targets.forEach((k, v) -> t.put(k, v.info()));
    return new DatasetSchema(input.shape(), input.features(), t);
  }

  /** Whether head {@code name} outputs class logits. */
  public boolean classifies(String head) {
    Head h = heads.get(head);
    return h != null && h.kind() == HeadKind.CLASSIFICATION;
  }

  /** A detector's class names in label order (label 1 is the first), or empty. */
  public List<String> detectionClasses() {
    return targets.values().stream().filter(t -> t.kind() == TargetKind.DETECTION && !t.classes().isEmpty())
        .findFirst().map(Target::classes).orElse(List.of());
  }

  /**
   * Checks that {@code model} is the one this record describes: its input shape, and an entry for
   * every head.
   */
  public void checkFits(ModelSpec model, String where) {
    if (!Arrays.equals(model.inputShape(), input.shape())) {
      throw new HoldoutException(where + ": input.shape " + Arrays.toString(input.shape()) + " does not match the"
          + " model's input " + Arrays.toString(model.inputShape()));
    }
    for (HeadSpec h : model.heads()) {
      if (!heads.containsKey(h.name())) {
        throw new HoldoutException(where + ": no entry in 'heads' for the model's head '" + h.name() + "'");
      }
    }
  }

  // ------------------------------------------------------------------ JSON

  /** The record as a JSON tree. */
  public ObjectNode toTree() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("source", source);
    ObjectNode in = o.putObject("input");
    in.put("type", input.type());
    ArrayNode shape = in.putArray("shape");
    for (long d : input.shape()) {
      shape.add(d);
    }
    if (input.isImage()) {
      long[] s = input.shape();
      in.put("channels", s[0]);
      in.put("height", s[1]);
      in.put("width", s[2]);
      in.put("layout", "[channels, height, width], float32");
      in.put("pixels", s[0] == 3 ? "R, G, B bytes / 255, in [0, 1]"
          : "luma (0.299 R + 0.587 G + 0.114 B) / 255, in [0, 1]");
      in.put("resize", "bilinear with half-pixel centres to " + s[1] + "x" + s[2] + " (height x width), after"
          + " the scaling");
    } else {
      ArrayNode f = in.putArray("features");
      input.features().forEach(f::add);
      in.put("delimiter", input.delimiter());
      in.put("values", "raw numbers as in the training CSV, read by column name");
    }
    if (input.standardizer() == null) {
      in.putNull("standardize");
    } else {
      in.set("standardize", parse(input.standardizer().toJson(), "standardizer"));
    }
    ObjectNode ts = o.putObject("targets");
    targets.forEach((name, t) -> {
      ObjectNode x = ts.putObject(name);
      x.put("kind", t.kind().name().toLowerCase(Locale.ROOT));
      ArrayNode s = x.putArray("shape");
      for (long d : t.shape()) {
        s.add(d);
      }
      if (t.column() != null) {
        x.put("column", t.column());
      }
      if (!t.classes().isEmpty()) {
        ArrayNode cl = x.putArray("classes");
        t.classes().forEach(cl::add);
      }
    });
    ObjectNode hs = o.putObject("heads");
    heads.forEach((name, h) -> {
      ObjectNode x = hs.putObject(name);
      x.put("type", h.kind() == HeadKind.CLASSIFICATION ? "classification" : "regression");
      x.put("target", h.target());
      if (h.kind() == HeadKind.CLASSIFICATION) {
        ArrayNode cl = x.putArray("classes");
        h.classes().forEach(cl::add);
        x.put("outputs", "logits in class order; softmax gives the probabilities");
      } else {
        Target t = targets.get(h.target());
        x.put("outputs", t != null && t.kind() == TargetKind.DETECTION ? "box offsets (see detection.boxes)"
            : "values in the units of " + (t != null && t.column() != null ? "column '" + t.column() + "'"
            : "target '" + h.target() + "'") + " (targets are not scaled)");
      }
    });
    if (detection != null) {
      o.set("detection", detection);
    }
    return o;
  }

  /** Writes the record to {@code file}, atomically. */
  public void write(Path file) {
    try {
      AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toTree()) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a file written by {@link #write}; every problem is one line naming the file and key. */
  public static Preprocessing read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": file not found");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read: " + e.getMessage(), e);
    }
    return fromTree(parse(text, file.toString()), file.toString());
  }

  static Preprocessing fromTree(JsonNode o, String where) {
    if (o == null || !o.isObject() || !FORMAT.equals(o.path("format").asText())) {
      throw new HoldoutException(where + ": not a preprocessing record (format must be '" + FORMAT + "')");
    }
    String source = text(o, "source", "", where);
    JsonNode in = object(o, "input", where);
    String type = text(in, "type", "input.", where);
    if (!type.equals(TABLE) && !type.equals(IMAGE)) {
      throw new HoldoutException(where + ": input.type must be '" + TABLE + "' or '" + IMAGE + "', got '" + type + "'");
    }
    long[] shape = longs(in.get("shape"), "input.shape", where, false);
    List<String> features = new ArrayList<>();
    String delimiter = null;
    if (type.equals(TABLE)) {
      features = strings(in.get("features"), "input.features", where);
      delimiter = text(in, "delimiter", "input.", where);
      if (delimiter.length() != 1) {
        throw new HoldoutException(where + ": input.delimiter must be one character, got '" + delimiter + "'");
      }
      if (shape.length != 1 || shape[0] != features.size()) {
        throw new HoldoutException(where + ": input.shape " + Arrays.toString(shape) + " does not fit the "
            + features.size() + " input.features");
      }
    } else if (shape.length != 3) {
      throw new HoldoutException(where + ": input.shape of an image must be [channels, height, width], got "
          + Arrays.toString(shape));
    }
    Standardizer std = null;
    JsonNode s = in.get("standardize");
    if (s != null && !s.isNull()) {
      std = Standardizer.fromJson(s.toString(), where + ": input.standardize");
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (std.mean().length != n) {
        throw new HoldoutException(where + ": input.standardize has " + std.mean().length + " means but the input "
            + Arrays.toString(shape) + " has " + n + " values");
      }
    }
    Map<String, Target> targets = new LinkedHashMap<>();
    JsonNode ts = object(o, "targets", where);
    for (var it = ts.fields(); it.hasNext(); ) {
      var e = it.next();
      String at = "targets." + e.getKey();
      JsonNode t = e.getValue();
      if (!t.isObject()) {
        throw new HoldoutException(where + ": " + at + " must be an object");
      }
      String kind = text(t, "kind", at + ".", where);
      TargetKind k = switch (kind) {
        case "class" -> TargetKind.CLASS;
        case "number" -> TargetKind.NUMBER;
        case "detection" -> TargetKind.DETECTION;
        default -> throw new HoldoutException(where + ": " + at + ".kind must be class, number or detection, got '"
            + kind + "'");
      };
      List<String> classes = t.has("classes") ? strings(t.get("classes"), at + ".classes", where) : List.of();
      if (k == TargetKind.CLASS && classes.isEmpty()) {
        throw new HoldoutException(where + ": " + at + ".classes must list the classes of a class target");
      }
      targets.put(e.getKey(), new Target(k, longs(t.get("shape"), at + ".shape", where, true), classes,
          t.has("column") ? text(t, "column", at + ".", where) : null));
    }
    Map<String, Head> heads = new LinkedHashMap<>();
    JsonNode hs = object(o, "heads", where);
    for (var it = hs.fields(); it.hasNext(); ) {
      var e = it.next();
      String at = "heads." + e.getKey();
      JsonNode h = e.getValue();
      if (!h.isObject()) {
        throw new HoldoutException(where + ": " + at + " must be an object");
      }
      String ht = text(h, "type", at + ".", where);
      HeadKind kind = switch (ht) {
        case "classification" -> HeadKind.CLASSIFICATION;
        case "regression" -> HeadKind.REGRESSION;
        default -> throw new HoldoutException(where + ": " + at + ".type must be classification or regression, got '"
            + ht + "'");
      };
      String target = text(h, "target", at + ".", where);
      if (!targets.containsKey(target)) {
        throw new HoldoutException(where + ": " + at + ".target '" + target + "' is not in 'targets' "
            + targets.keySet());
      }
      List<String> classes = kind == HeadKind.CLASSIFICATION ? strings(h.get("classes"), at + ".classes", where)
          : List.of();
      heads.put(e.getKey(), new Head(kind, target, classes));
    }
    JsonNode det = o.get("detection");
    return new Preprocessing(source, new Input(type, shape, features, delimiter, std), targets, heads,
        det == null || det.isNull() ? null : det);
  }

  private static JsonNode parse(String text, String where) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n == null || n.isMissingNode()) {
        throw new HoldoutException(where + ": empty JSON document");
      }
      return n;
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      throw new HoldoutException(where + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
          + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static JsonNode object(JsonNode o, String key, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isObject()) {
      throw new HoldoutException(where + ": '" + key + "' must be an object");
    }
    return v;
  }

  private static String text(JsonNode o, String key, String prefix, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new HoldoutException(where + ": '" + prefix + key + "' must be a non-empty string");
    }
    return v.asText();
  }

  private static List<String> strings(JsonNode a, String at, String where) {
    if (a == null || !a.isArray() || a.isEmpty()) {
      throw new HoldoutException(where + ": '" + at + "' must be a non-empty array of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).isTextual()) {
        throw new HoldoutException(where + ": '" + at + "[" + i + "]' must be a string, got " + a.get(i));
      }
      if (out.contains(a.get(i).asText())) {
        throw new HoldoutException(where + ": '" + at + "' lists '" + a.get(i).asText() + "' twice");
      }
      out.add(a.get(i).asText());
    }
    return out;
  }

  /** Integers; {@code -1} (a varying size, as a detector's object count) only when {@code varying}. */
  private static long[] longs(JsonNode a, String at, String where, boolean varying) {
    if (a == null || !a.isArray()) {
      throw new HoldoutException(where + ": '" + at + "' must be an array of sizes");
    }
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = a.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() == 0 || v.asLong() < (varying ? -1 : 1)) {
        throw new HoldoutException(where + ": '" + at + "[" + i + "]' must be a positive size, got " + v);
      }
      out[i] = v.asLong();
    }
    return out;
  }
}
