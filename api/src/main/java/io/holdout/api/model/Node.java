package io.holdout.api.model;

import java.util.List;
import java.util.Objects;

/**
 * One node of a model graph: an operation applied to the outputs of the nodes named in {@code
 * inputs} ({@value ModelSpec#INPUT} is the model's input). Its parameters are named {@code
 * <name>.<param>} ({@code block1.conv.weight}).
 */
public record Node(String name, LayerSpec op, List<String> inputs) {
  public Node {
    Objects.requireNonNull(name, "node name is null");
    Objects.requireNonNull(op, "node '" + name + "' has no operation");
    inputs = List.copyOf(Objects.requireNonNull(inputs, "node '" + name + "' inputs are null"));
    if (name.isBlank() || !name.strip().equals(name) || name.startsWith(".") || name.endsWith(".")) {
      throw new IllegalArgumentException("node name '" + name + "' must not be blank, start or end with a"
          + " space or a '.'");
    }
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("node '" + name + "' reads no input");
    }
  }

  /** A node of one input. */
  public Node(String name, LayerSpec op, String input) {
    this(name, op, List.of(input));
  }

  /** A node reading the model input. */
  public static Node onInput(String name, LayerSpec op) {
    return new Node(name, op, List.of(ModelSpec.INPUT));
  }
}
