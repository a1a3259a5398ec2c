package io.holdout.engine.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The graph inputs through which batch tensors other than the model input reach the graph: one per
 * batch tensor name and kind (float values, or int64 class labels), shared by every loss component
 * that reads it. Inputs are declared on first use, with an unknown shape (the losses reshape them).
 */
final class TargetInputs {
  private final OnnxGraph g;
  private final Map<String, String> floats = new LinkedHashMap<>();
  private final Map<String, String> labels = new LinkedHashMap<>();

  TargetInputs(OnnxGraph g) {
    this.g = g;
  }

  /** The float input of batch tensor {@code name} (integer tensors are converted when fed). */
  String floats(String name) {
    return floats.computeIfAbsent(name, n -> declare("target/" + n, OnnxGraph.FLOAT));
  }

  /** The int64 input of batch tensor {@code name}, holding class labels. */
  String labels(String name) {
    return labels.computeIfAbsent(name, n -> declare("labels/" + n, OnnxGraph.INT64));
  }

  private String declare(String base, int type) {
    String name = g.taken(base) ? g.fresh(base) : base;
    if (name.equals(base)) {
      g.reserve(name);
    }
    g.input(name, type, null);
    return name;
  }

  /** Batch tensor name to graph input name, float feeds. */
  Map<String, String> floatInputs() {
    return Collections.unmodifiableMap(floats);
  }

  /** Batch tensor name to graph input name, int64 label feeds. */
  Map<String, String> labelInputs() {
    return Collections.unmodifiableMap(labels);
  }
}
