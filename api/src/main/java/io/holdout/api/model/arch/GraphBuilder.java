package io.holdout.api.model.arch;

import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.LayerSpec.Activation;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the nodes of a graph model step by step, tracking every node's shape so blocks can ask
 * for their input's channels. Each method adds one or a few nodes and returns the name of the last.
 */
public final class GraphBuilder {
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, long[]> shapes = new HashMap<>();

  /** A builder over a model input of {@code inputShape}. */
  public GraphBuilder(long[] inputShape) {
    shapes.put(ModelSpec.INPUT, inputShape.clone());
  }

  /** Adds {@code op} as node {@code name} reading {@code inputs}. */
  public String add(String name, LayerSpec op, String... inputs) {
    List<long[]> in = new ArrayList<>();
    for (String i : inputs) {
      long[] s = shapes.get(i);
      if (s == null) {
        throw new IllegalArgumentException("node '" + name + "' reads unknown node '" + i + "'");
      }
      in.add(s);
    }
    Node n = new Node(name, op, List.of(inputs));
    shapes.put(name, op.outputShape(in, "node '" + name + "' (" + op.type() + ")"));
    nodes.add(n);
    return name;
  }

  /** The shape of node {@code name}, without the batch dimension. */
  public long[] shape(String name) {
    return shapes.get(name).clone();
  }

  /** Channels of image node {@code name}. */
  public int channels(String name) {
    return (int) shapes.get(name)[0];
  }

  /** The nodes so far. */
  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Convolution without bias, batch norm and an optional activation ({@code act} null: none), as
   * {@code <name>.conv}, {@code <name>.bn}, {@code <name>.act}.
   */
  public String convBn(String name, String x, int filters, int kernel, int stride, int groups, LayerSpec act) {
    String y = add(name + ".conv", new LayerSpec.Conv2d(filters, kernel, stride, (kernel - 1) / 2, 1, groups,
        false), x);
    y = add(name + ".bn", new LayerSpec.BatchNorm(), y);
    return act == null ? y : add(name + ".act", act, y);
  }

  /** ReLU. */
  public static LayerSpec relu() {
    return new LayerSpec.Relu();
  }

  /** ReLU6. */
  public static LayerSpec relu6() {
    return new Activation(Activation.Fn.RELU6);
  }

  /** Hard-swish. */
  public static LayerSpec hardSwish() {
    return new Activation(Activation.Fn.HARD_SWISH);
  }

  /** Hard-sigmoid. */
  public static LayerSpec hardSigmoid() {
    return new Activation(Activation.Fn.HARD_SIGMOID);
  }

  /**
   * {@code v} rounded to the nearest multiple of {@code divisor} (at least {@code divisor}), never
   * more than 10% below {@code v}: the channel rounding MobileNets use for width multipliers.
   */
  public static int divisible(double v, int divisor) {
    int out = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
    if (out < 0.9 * v) {
      out += divisor;
    }
    return out;
  }
}
