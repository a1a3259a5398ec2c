package io.holdout.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.train.EpochSummary;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The epochs of a run as JSON, kept in every {@code last} checkpoint so that a resumed run has its
 * whole history (metrics.csv, curves, report) from the same atomic file as its weights. Doubles are
 * written with Jackson's shortest round-trip form, so values read back are bit-identical.
 */
final class History {
  private static final ObjectMapper JSON = new ObjectMapper();

  private History() {}

  static ArrayNode toJson(List<EpochSummary> epochs) {
    ArrayNode a = JSON.createArrayNode();
    for (EpochSummary s : epochs) {
      ObjectNode e = a.addObject();
      e.put("epoch", s.epoch());
      e.set("train", loss(s.train()));
      if (s.val() != null) {
        e.set("val", loss(s.val()));
      }
      ObjectNode m = e.putObject("val_metrics");
      s.valMetrics().forEach((k, v) -> put(m, k, v));
      put(e, "lr", s.lr());
      put(e, "seconds", s.seconds());
      put(e, "samples_per_s", s.samplesPerSecond());
      put(e, "data_wait_s", s.dataWaitSeconds());
    }
    return a;
  }

  /** Reads what {@link #toJson} wrote; {@code where} names the file in errors. */
  static List<EpochSummary> fromJson(JsonNode a, String where) {
    if (a == null || a.isMissingNode() || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new HoldoutException(where + ": checkpoint history is not a list");
    }
    List<EpochSummary> out = new ArrayList<>();
    for (JsonNode e : a) {
      Map<String, Double> metrics = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = e.path("val_metrics").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> m = it.next();
        metrics.put(m.getKey(), number(m.getValue()));
      }
      out.add(new EpochSummary(e.path("epoch").asInt(), loss(e.get("train"), where), loss(e.get("val"), where),
          metrics, number(e.path("lr")), number(e.path("seconds")), number(e.path("samples_per_s")),
          number(e.path("data_wait_s"))));
      if (out.get(out.size() - 1).train() == null) {
        throw new HoldoutException(where + ": checkpoint history epoch " + e.path("epoch").asInt() + " has no train loss");
      }
    }
    return out;
  }

  private static ObjectNode loss(LossBreakdown b) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode raw = o.putObject("raw");
    b.raw().forEach((k, v) -> put(raw, k, v));
    ObjectNode w = o.putObject("weights");
    b.weights().forEach((k, v) -> put(w, k, v));
    o.put("samples", b.samples());
    return o;
  }

  private static LossBreakdown loss(JsonNode o, String where) {
    if (o == null || o.isNull()) {
      return null;
    }
    Map<String, Double> raw = new LinkedHashMap<>();
    Map<String, Double> weights = new LinkedHashMap<>();
    o.path("raw").fields().forEachRemaining(e -> raw.put(e.getKey(), number(e.getValue())));
    o.path("weights").fields().forEachRemaining(e -> weights.put(e.getKey(), number(e.getValue())));
    try {
      return new LossBreakdown(raw, weights, o.path("samples").asLong());
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(where + ": checkpoint history: " + e.getMessage());
    }
  }

  /** NaN and infinities are written as strings (JSON has no such numbers). */
  private static void put(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.put(key, String.valueOf(v));
    }
  }

  private static double number(JsonNode n) {
    if (n.isTextual()) {
      return Double.parseDouble(n.asText());
    }
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
