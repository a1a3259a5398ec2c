package io.holdout.api.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A {@link ModelSpec} as engine-neutral JSON ({@code model.json} in a run folder): the input shape,
 * every layer (a sequential trunk) or node (a graph) and every head, so a run's model is rebuilt
 * without its config's sources (an imported ONNX file, an architecture builder). Layers use the
 * config's type names and keys:
 *
 * <pre>{@code
 * {
 *   "format": "holdout-model/1",
 *   "input_shape": [3],
 *   "layers": [{"type": "dense", "units": 32}, {"type": "relu"}],
 *   "heads": [{"name": "species", "type": "classification", "layers": [{"type": "dense", "units": 3}]}]
 * }
 * }</pre>
 *
 * <p>A graph model has {@code "nodes"} instead of {@code "layers"}: each a layer with a {@code
 * "name"} and the {@code "inputs"} it reads. A head may have {@code "from"} (the node it reads),
 * {@code "taps"}, {@code "anchorsPerLocation"} and {@code "predictor"} ({@code conv} or {@code
 * separable}). Reading checks everything and fails with one line naming the file and the entry.
 */
public final class ModelSpecJson {
  /** The value of the {@code format} field. */
  public static final String FORMAT = "holdout-model/1";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelSpecJson() {}

  /** The spec as a JSON tree. */
  public static ObjectNode toTree(ModelSpec spec) {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    ArrayNode shape = o.putArray("input_shape");
    for (long d : spec.inputShape()) {
      shape.add(d);
    }
    if (spec.isSequential()) {
      ArrayNode layers = o.putArray("layers");
      spec.trunk().forEach(l -> layers.add(layer(l)));
    } else {
      ArrayNode nodes = o.putArray("nodes");
      for (Node n : spec.nodes()) {
        ObjectNode x = JSON.createObjectNode();
        x.put("name", n.name());
        ArrayNode in = x.putArray("inputs");
        n.inputs().forEach(in::add);
        x.setAll(layer(n.op()));
        nodes.add(x);
      }
    }
    ArrayNode heads = o.putArray("heads");
    for (HeadSpec h : spec.heads()) {
      ObjectNode x = heads.addObject();
      x.put("name", h.name());
      x.put("type", h.kind() == HeadKind.CLASSIFICATION ? "classification" : "regression");
      ArrayNode layers = x.putArray("layers");
      h.layers().forEach(l -> layers.add(layer(l)));
      if (h.from() != null) {
        x.put("from", h.from());
      }
      if (h.isMultiScale()) {
        ArrayNode taps = x.putArray("taps");
        h.taps().forEach(taps::add);
        x.put("anchorsPerLocation", h.anchorsPerLocation());
        x.put("predictor", h.predictor().id());
      }
    }
    return o;
  }

  /** The spec as pretty-printed JSON text. */
  public static String toJson(ModelSpec spec) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(spec)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@link #toJson} to {@code file}, atomically. */
  public static void write(Path file, ModelSpec spec) {
    AtomicFiles.writeString(file, toJson(spec));
  }

  /** Reads a file written by {@link #write}; every problem is one line naming the file. */
  public static ModelSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": file not found");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read: " + e.getMessage(), e);
    }
    return fromJson(text, file.toString());
  }

  /**
   * Parses JSON text written by {@link #toJson}.
   *
   * @param where names the file in messages
   */
  public static ModelSpec fromJson(String text, String where) {
    JsonNode o;
    try {
      o = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      throw new HoldoutException(where + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
          + ": not valid JSON: " + e.getOriginalMessage());
    }
    return fromTree(o, where);
  }

  /** Reads a tree written by {@link #toTree}. */
  public static ModelSpec fromTree(JsonNode o, String where) {
    if (o == null || !o.isObject() || !FORMAT.equals(o.path("format").asText())) {
      throw new HoldoutException(where + ": not a model spec (format must be '" + FORMAT + "')");
    }
    long[] shape = longs(o.get("input_shape"), "input_shape", where);
    boolean sequential = o.has("layers");
    if (sequential == o.has("nodes")) {
      throw new HoldoutException(where + ": a model spec has either 'layers' (a sequential trunk) or 'nodes' (a"
          + " graph)");
    }
    List<HeadSpec> heads = new ArrayList<>();
    JsonNode hs = array(o, "heads", where, "heads");
    for (int i = 0; i < hs.size(); i++) {
      heads.add(head(hs.get(i), "heads[" + i + "]", where));
    }
    try {
      if (sequential) {
        JsonNode ls = array(o, "layers", where, "layers");
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < ls.size(); i++) {
          layers.add(layer(ls.get(i), "layers[" + i + "]", where));
        }
        return new ModelSpec(shape, layers, heads);
      }
      JsonNode ns = array(o, "nodes", where, "nodes");
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < ns.size(); i++) {
        JsonNode n = ns.get(i);
        String at = "nodes[" + i + "]";
        String name = text(n, "name", at, where);
        JsonNode in = array(n, "inputs", where, at + ".inputs");
        List<String> inputs = new ArrayList<>();
        for (int k = 0; k < in.size(); k++) {
          if (!in.get(k).isTextual()) {
            throw new HoldoutException(where + ": " + at + ".inputs[" + k + "] must be a node name");
          }
          inputs.add(in.get(k).asText());
        }
        nodes.add(new Node(name, layer(n, at + " ('" + name + "')", where), inputs));
      }
      return ModelSpec.graph(shape, nodes, heads);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(where + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ layers

  private static ObjectNode layer(LayerSpec l) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", l.type());
    if (l instanceof LayerSpec.Dense d) {
      o.put("units", d.units());
    } else if (l instanceof LayerSpec.Activation a) {
      if (a.fn() == LayerSpec.Activation.Fn.LEAKY_RELU) {
        o.put("slope", a.alpha());
      }
    } else if (l instanceof LayerSpec.Dropout d) {
      o.put("rate", d.rate());
    } else if (l instanceof LayerSpec.Conv2d c) {
      o.put("filters", c.filters()).put("kernel", c.kernel()).put("stride", c.stride()).put("padding", c.padding())
          .put("dilation", c.dilation()).put("groups", c.groups()).put("bias", c.bias());
    } else if (l instanceof LayerSpec.ConvTranspose2d c) {
      o.put("filters", c.filters()).put("kernel", c.kernel()).put("stride", c.stride()).put("padding", c.padding())
          .put("outputPadding", c.outputPadding()).put("bias", c.bias());
    } else if (l instanceof LayerSpec.LayerNorm n) {
      o.put("axis", n.axis());
    } else if (l instanceof LayerSpec.L2Norm n) {
      o.put("scale", n.scale());
    } else if (l instanceof LayerSpec.Upsample u) {
      o.put("scale", u.scale()).put("mode", u.mode()).put("alignCorners", u.alignCorners());
    } else if (l instanceof LayerSpec.Reshape r) {
      ArrayNode s = o.putArray("shape");
      r.shape().forEach(s::add);
    } else if (l instanceof LayerSpec.Embedding e) {
      o.put("vocab", e.vocab()).put("dim", e.dim());
    } else if (l instanceof LayerSpec.MaxPool p) {
      o.put("kernel", p.kernel()).put("stride", p.stride()).put("padding", p.padding()).put("ceil", p.ceil());
    } else if (l instanceof LayerSpec.AvgPool p) {
      o.put("kernel", p.kernel()).put("stride", p.stride()).put("padding", p.padding()).put("ceil", p.ceil());
    } else if (l instanceof LayerSpec.Concat c) {
      o.put("axis", c.axis());
    } else if (l instanceof LayerSpec.Anchors a) {
      o.put("units", a.units());
    }
    return o;
  }

  /** Keys every layer entry may carry besides its type's own. */
  private static final Set<String> COMMON = Set.of("type", "name", "inputs");

  private static LayerSpec layer(JsonNode o, String at, String where) {
    if (o == null || !o.isObject()) {
      throw new HoldoutException(where + ": " + at + " must be an object with a 'type'");
    }
    String type = text(o, "type", at, where);
    String is = at + " (" + type + ")";
    LayerSpec.Activation.Fn fn = LayerSpec.Activation.Fn.of(type);
    try {
      if (fn != null) {
        only(o, is, where, "slope");
        return fn == LayerSpec.Activation.Fn.LEAKY_RELU && o.has("slope")
            ? new LayerSpec.Activation(fn, number(o, "slope", is, where)) : new LayerSpec.Activation(fn);
      }
      return switch (type) {
        case "dense" -> {
          only(o, is, where, "units");
          yield new LayerSpec.Dense(integer(o, "units", is, where));
        }
        case "relu" -> {
          only(o, is, where);
          yield new LayerSpec.Relu();
        }
        case "dropout" -> {
          only(o, is, where, "rate");
          yield new LayerSpec.Dropout(number(o, "rate", is, where));
        }
        case "flatten" -> {
          only(o, is, where);
          yield new LayerSpec.Flatten();
        }
        case "conv2d" -> {
          only(o, is, where, "filters", "kernel", "stride", "padding", "dilation", "groups", "bias");
          yield new LayerSpec.Conv2d(integer(o, "filters", is, where), integer(o, "kernel", is, where),
              integer(o, "stride", 1, is, where), integer(o, "padding", 0, is, where),
              integer(o, "dilation", 1, is, where), integer(o, "groups", 1, is, where), bool(o, "bias", true, is, where));
        }
        case "conv_transpose2d" -> {
          only(o, is, where, "filters", "kernel", "stride", "padding", "outputPadding", "bias");
          yield new LayerSpec.ConvTranspose2d(integer(o, "filters", is, where), integer(o, "kernel", is, where),
              integer(o, "stride", 1, is, where), integer(o, "padding", 0, is, where),
              integer(o, "outputPadding", 0, is, where), bool(o, "bias", true, is, where));
        }
        case "batchnorm" -> {
          only(o, is, where);
          yield new LayerSpec.BatchNorm();
        }
        case "layer_norm" -> {
          only(o, is, where, "axis");
          yield new LayerSpec.LayerNorm(integer(o, "axis", -1, is, where));
        }
        case "l2norm" -> {
          only(o, is, where, "scale");
          yield new LayerSpec.L2Norm(o.has("scale") ? number(o, "scale", is, where) : LayerSpec.L2Norm.SSD_SCALE);
        }
        case "upsample" -> {
          only(o, is, where, "scale", "mode", "alignCorners");
          String mode = o.has("mode") ? text(o, "mode", is, where) : "nearest";
          if (!mode.equals("nearest") && !mode.equals("bilinear")) {
            throw new HoldoutException(where + ": " + is + ": 'mode' must be nearest or bilinear, got '" + mode + "'");
          }
          yield new LayerSpec.Upsample(integer(o, "scale", is, where), mode.equals("bilinear"),
              bool(o, "alignCorners", false, is, where));
        }
        case "reshape" -> {
          only(o, is, where, "shape");
          List<Long> shape = new ArrayList<>();
          for (long d : longsAllowingMinusOne(o.get("shape"), is + ".shape", where)) {
            shape.add(d);
          }
          yield new LayerSpec.Reshape(shape);
        }
        case "embedding" -> {
          only(o, is, where, "vocab", "dim");
          yield new LayerSpec.Embedding(integer(o, "vocab", is, where), integer(o, "dim", is, where));
        }
        case "maxpool" -> {
          only(o, is, where, "kernel", "stride", "padding", "ceil");
          int k = integer(o, "kernel", is, where);
          yield new LayerSpec.MaxPool(k, integer(o, "stride", k, is, where), integer(o, "padding", 0, is, where),
              bool(o, "ceil", false, is, where));
        }
        case "avgpool" -> {
          only(o, is, where, "kernel", "stride", "padding", "ceil");
          int k = integer(o, "kernel", is, where);
          yield new LayerSpec.AvgPool(k, integer(o, "stride", k, is, where), integer(o, "padding", 0, is, where),
              bool(o, "ceil", false, is, where));
        }
        case "global_avgpool" -> {
          only(o, is, where);
          yield new LayerSpec.GlobalAvgPool();
        }
        case "add" -> {
          only(o, is, where);
          yield new LayerSpec.Add();
        }
        case "mul" -> {
          only(o, is, where);
          yield new LayerSpec.Mul();
        }
        case "concat" -> {
          only(o, is, where, "axis");
          yield new LayerSpec.Concat(integer(o, "axis", 0, is, where));
        }
        case "anchors" -> {
          only(o, is, where, "units");
          yield new LayerSpec.Anchors(integer(o, "units", is, where));
        }
        default -> throw new HoldoutException(where + ": " + at + ": unknown layer type '" + type + "' (types: "
            + String.join(", ", LayerCatalog.types()) + ")");
      };
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(where + ": " + is + ": " + e.getMessage());
    }
  }

  private static HeadSpec head(JsonNode o, String at, String where) {
    if (o == null || !o.isObject()) {
      throw new HoldoutException(where + ": " + at + " must be an object");
    }
    String name = text(o, "name", at, where);
    String is = at + " ('" + name + "')";
    Iterator<String> keys = o.fieldNames();
    List<String> allowed = List.of("name", "type", "layers", "from", "taps", "anchorsPerLocation", "predictor");
    while (keys.hasNext()) {
      String k = keys.next();
      if (!allowed.contains(k)) {
        throw new HoldoutException(where + ": " + is + ": unknown key '" + k + "' (keys: " + String.join(", ", allowed) + ")");
      }
    }
    String type = text(o, "type", is, where);
    HeadKind kind = switch (type) {
      case "classification" -> HeadKind.CLASSIFICATION;
      case "regression" -> HeadKind.REGRESSION;
      default -> throw new HoldoutException(where + ": " + is + ": 'type' must be classification or regression, got '"
          + type + "'");
    };
    JsonNode ls = array(o, "layers", where, is + ".layers");
    List<LayerSpec> layers = new ArrayList<>();
    for (int i = 0; i < ls.size(); i++) {
      layers.add(layer(ls.get(i), is + ".layers[" + i + "]", where));
    }
    String from = o.has("from") && !o.get("from").isNull() ? text(o, "from", is, where) : null;
    List<String> taps = new ArrayList<>();
    if (o.has("taps")) {
      JsonNode t = array(o, "taps", where, is + ".taps");
      for (int i = 0; i < t.size(); i++) {
        if (!t.get(i).isTextual()) {
          throw new HoldoutException(where + ": " + is + ".taps[" + i + "] must be a node name");
        }
        taps.add(t.get(i).asText());
      }
    }
    int k = integer(o, "anchorsPerLocation", 1, is, where);
    String p = o.has("predictor") ? text(o, "predictor", is, where) : "conv";
    HeadSpec.Predictor predictor = switch (p) {
      case "conv" -> HeadSpec.Predictor.CONV;
      case "separable" -> HeadSpec.Predictor.SEPARABLE;
      default -> throw new HoldoutException(where + ": " + is + ": 'predictor' must be conv or separable, got '"
          + p + "'");
    };
    try {
      return new HeadSpec(name, kind, layers, from, taps, k, predictor);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(where + ": " + is + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ checked reads

  private static void only(JsonNode o, String at, String where, String... keys) {
    Set<String> allowed = Set.of(keys);
    Iterator<String> it = o.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (!COMMON.contains(k) && !allowed.contains(k)) {
        throw new HoldoutException(where + ": " + at + ": unknown key '" + k + "'"
            + (keys.length == 0 ? " (this layer takes none)" : " (keys: " + String.join(", ", keys) + ")"));
      }
    }
  }

  private static JsonNode array(JsonNode o, String key, String where, String at) {
    JsonNode a = o.get(key);
    if (a == null || !a.isArray()) {
      throw new HoldoutException(where + ": '" + at + "' must be an array");
    }
    return a;
  }

  private static String text(JsonNode o, String key, String at, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new HoldoutException(where + ": " + at + ": '" + key + "' must be a non-empty string");
    }
    return v.asText();
  }

  private static int integer(JsonNode o, String key, String at, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new HoldoutException(where + ": " + at + ": '" + key + "' must be an integer"
          + (v == null ? " (missing)" : ", got " + v));
    }
    return v.asInt();
  }

  private static int integer(JsonNode o, String key, int otherwise, String at, String where) {
    return o.has(key) ? integer(o, key, at, where) : otherwise;
  }

  private static double number(JsonNode o, String key, String at, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isNumber()) {
      throw new HoldoutException(where + ": " + at + ": '" + key + "' must be a number"
          + (v == null ? " (missing)" : ", got " + v));
    }
    return v.asDouble();
  }

  private static boolean bool(JsonNode o, String key, boolean otherwise, String at, String where) {
    JsonNode v = o.get(key);
    if (v == null) {
      return otherwise;
    }
    if (!v.isBoolean()) {
      throw new HoldoutException(where + ": " + at + ": '" + key + "' must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  private static long[] longs(JsonNode a, String at, String where) {
    long[] out = longsAllowingMinusOne(a, at, where);
    for (long d : out) {
      if (d <= 0) {
        throw new HoldoutException(where + ": '" + at + "' must hold positive sizes, got " + a);
      }
    }
    return out;
  }

  private static long[] longsAllowingMinusOne(JsonNode a, String at, String where) {
    if (a == null || !a.isArray() || a.isEmpty()) {
      throw new HoldoutException(where + ": '" + at + "' must be a non-empty array of integers");
    }
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = a.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new HoldoutException(where + ": '" + at + "[" + i + "]' must be an integer, got " + v);
      }
      out[i] = v.asLong();
    }
    return out;
  }
}
