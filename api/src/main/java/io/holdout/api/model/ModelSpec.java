package io.holdout.api.model;

import io.holdout.api.model.HeadSpec.Predictor;
import io.holdout.api.model.LayerSpec.Activation;
import io.holdout.api.model.LayerSpec.Anchors;
import io.holdout.api.model.LayerSpec.BatchNorm;
import io.holdout.api.model.LayerSpec.Concat;
import io.holdout.api.model.LayerSpec.Conv2d;
import io.holdout.api.model.LayerSpec.Dense;
import io.holdout.api.model.ParamInfo.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An engine-neutral model: a graph of named {@link Node}s over the input, and named heads reading
 * them. This is data, compiled by each backend.
 *
 * <p>Two ways to write one: a <b>sequential</b> trunk (a chain of layers; node {@code i} is named
 * {@code trunk.<i>}) with heads on its last layer or on its layers' outputs ("taps"), or a
 * <b>graph</b> ({@link #graph}) whose nodes name their inputs, so residual {@code add}s, {@code
 * mul} gates, {@code concat}s and several heads on shared nodes are plain data. Either way every
 * head is lowered into nodes too: a usual head's layer {@code j} is node {@code heads.<head>.<j>}; a
 * multi-scale head's predictor for tap {@code t} is {@code heads.<head>.<t>} (or {@code .dw}, {@code
 * .bn}, {@code .act}, {@code .pw} for SSD-Lite's), then {@code heads.<head>.<t>.anchors} and, for
 * several taps, {@code heads.<head>.concat}. {@link #graph()} lists every node in order; a
 * backend compiles just that list.
 *
 * <p>Parameter names are {@code <node>.<p>} where {@code p} is {@code weight}, {@code bias}, {@code
 * running_mean} or {@code running_var} (batch norm's scale and shift are its {@code weight} and
 * {@code bias}). Shapes are inferred when the spec is built; a mismatch fails then with a message
 * naming the node.
 */
public final class ModelSpec {
  /** The name nodes use for the model's input. */
  public static final String INPUT = "input";

  private final long[] inputShape;
  private final List<Node> nodes;
  private final List<HeadSpec> heads;
  private final List<LayerSpec> sequential;
  private final List<Node> graph;
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, String> outputs = new LinkedHashMap<>();

  /** A sequential model: {@code trunk} as a chain, heads on it (see {@link HeadSpec}). */
  public ModelSpec(long[] inputShape, List<LayerSpec> trunk, List<HeadSpec> heads) {
    this(inputShape, chain(trunk), heads, List.copyOf(trunk));
  }

  private ModelSpec(long[] inputShape, List<Node> nodes, List<HeadSpec> heads, List<LayerSpec> sequential) {
    this.inputShape = Objects.requireNonNull(inputShape, "input shape is null").clone();
    this.nodes = List.copyOf(nodes);
    this.heads = List.copyOf(heads);
    this.sequential = sequential;
    if (heads.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one head");
    }
    for (long d : inputShape) {
      if (d <= 0) {
        throw new IllegalArgumentException("input shape " + Arrays.toString(inputShape) + " has a dimension <= 0");
      }
    }
    Set<String> names = new HashSet<>();
    for (HeadSpec h : heads) {
      if (!names.add(h.name())) {
        throw new IllegalArgumentException("duplicate head name '" + h.name() + "'");
      }
    }
    List<Node> all = new ArrayList<>(this.nodes);
    shapes.put(INPUT, this.inputShape);
    for (Node n : this.nodes) {
      if (n.name().startsWith("heads.")) {
        throw new IllegalArgumentException("node '" + n.name() + "': names starting with 'heads.' are kept for"
            + " the heads' own nodes");
      }
      infer(n);
    }
    String last = this.nodes.isEmpty() ? INPUT : this.nodes.get(this.nodes.size() - 1).name();
    for (HeadSpec h : heads) {
      outputs.put(h.name(), lower(h, last, all));
    }
    this.graph = List.copyOf(all);
  }

  /** A graph model: {@code nodes} in an order where each reads only earlier nodes or the input. */
  public static ModelSpec graph(long[] inputShape, List<Node> nodes, List<HeadSpec> heads) {
    return new ModelSpec(inputShape, nodes, heads, null);
  }

  private static List<Node> chain(List<LayerSpec> trunk) {
    List<Node> out = new ArrayList<>(trunk.size());
    String prev = INPUT;
    for (int i = 0; i < trunk.size(); i++) {
      String name = HeadSpec.trunkNode(i);
      out.add(new Node(name, trunk.get(i), prev));
      prev = name;
    }
    return out;
  }

  /** Checks {@code n}'s inputs and records its output shape. */
  private void infer(Node n) {
    if (n.name().equals(INPUT) || shapes.containsKey(n.name())) {
      throw new IllegalArgumentException("node name '" + n.name() + "' is used twice"
          + (n.name().equals(INPUT) ? " ('input' is the model's input)" : ""));
    }
    List<long[]> in = new ArrayList<>(n.inputs().size());
    for (String i : n.inputs()) {
      long[] s = shapes.get(i);
      if (s == null) {
        throw new IllegalArgumentException("node '" + n.name() + "' (" + n.op().type() + ") reads '" + i
            + "', which is not the input or a node defined before it");
      }
      in.add(s);
    }
    if (n.op() instanceof LayerSpec.Embedding && !n.inputs().equals(List.of(INPUT))) {
      throw new IllegalArgumentException("node '" + n.name() + "' (embedding) must read the model input (its"
          + " indices), not " + n.inputs());
    }
    shapes.put(n.name(), n.op().outputShape(in, "node '" + n.name() + "' (" + n.op().type() + ")"));
  }

  /** Adds {@code h}'s nodes to {@code all} and returns its output node. */
  private String lower(HeadSpec h, String last, List<Node> all) {
    String p = "heads." + h.name();
    if (!h.isMultiScale()) {
      String from = h.from() == null ? last : h.from();
      if (!shapes.containsKey(from) || from.startsWith("heads.")) {
        throw new IllegalArgumentException("head '" + h.name() + "' reads '" + from + "', which is not a node");
      }
      String x = from;
      for (int j = 0; j < h.layers().size(); j++) {
        x = add(all, new Node(p + "." + j, h.layers().get(j), x), "head '" + h.name() + "' layer " + j);
      }
      return x;
    }
    List<String> parts = new ArrayList<>();
    int filters = h.anchorsPerLocation() * h.units();
    for (int t = 0; t < h.taps().size(); t++) {
      String tap = h.taps().get(t);
      long[] s = shapes.get(tap);
      if (s == null || tap.startsWith("heads.")) {
        throw new IllegalArgumentException("multi-scale head '" + h.name() + "' taps " + (sequential != null
            && tap.startsWith("trunk.") ? "trunk layer " + tap.substring(6) + " but the trunk has layers 0 to "
            + (sequential.size() - 1) : "'" + tap + "', which is not a node"));
      }
      if (s.length != 3) {
        throw new IllegalArgumentException("multi-scale head '" + h.name() + "' taps " + describe(tap) + ", whose"
            + " output " + Arrays.toString(s) + " is not an image [channels, height, width]");
      }
      String q = p + "." + t;
      String where = "head '" + h.name() + "' tap " + t;
      String y;
      if (h.predictor() == Predictor.SEPARABLE) {
        int c = (int) s[0];
        y = add(all, new Node(q + ".dw", new Conv2d(c, 3, 1, 1, 1, c, true), tap), where);
        y = add(all, new Node(q + ".bn", new BatchNorm(), y), where);
        y = add(all, new Node(q + ".act", new Activation(Activation.Fn.RELU6), y), where);
        y = add(all, new Node(q + ".pw", new Conv2d(filters, 1, 1, 0), y), where);
      } else {
        y = add(all, new Node(q, new Conv2d(filters, 3, 1, 1), tap), where);
      }
      parts.add(add(all, new Node(q + ".anchors", new Anchors(h.units()), y), where));
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return add(all, new Node(p + ".concat", new Concat(0), parts), "head '" + h.name() + "'");
  }

  private String add(List<Node> all, Node n, String where) {
    try {
      infer(n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    all.add(n);
    return n.name();
  }

  private String describe(String node) {
    if (sequential != null && node.startsWith("trunk.")) {
      int i = Integer.parseInt(node.substring("trunk.".length()));
      return "trunk layer " + i + " (" + sequential.get(i).type() + ")";
    }
    return "node '" + node + "'";
  }

  public long[] inputShape() {
    return inputShape.clone();
  }

  /** The model's own nodes (the trunk of a sequential model), without the heads'. */
  public List<Node> nodes() {
    return nodes;
  }

  /** Every node in evaluation order: the model's, then each head's in declaration order. */
  public List<Node> graph() {
    return graph;
  }

  public List<HeadSpec> heads() {
    return heads;
  }

  /** Whether this model was written as a sequential trunk. */
  public boolean isSequential() {
    return sequential != null;
  }

  /** The layers of a sequential model's trunk. */
  public List<LayerSpec> trunk() {
    if (sequential == null) {
      throw new IllegalStateException("a graph model has no sequential trunk; read graph()");
    }
    return sequential;
  }

  public HeadSpec head(String name) {
    for (HeadSpec h : heads) {
      if (h.name().equals(name)) {
        return h;
      }
    }
    throw new IllegalArgumentException("no head '" + name + "'");
  }

  /** The node whose output is head {@code head}'s output. */
  public String outputNode(String head) {
    head(head);
    return outputs.get(head);
  }

  /** The output shape of node {@code node} (or of {@value #INPUT}), without the batch dimension. */
  public long[] shape(String node) {
    long[] s = shapes.get(node);
    if (s == null) {
      throw new IllegalArgumentException("no node '" + node + "'");
    }
    return s.clone();
  }

  /** Shape of the model's last own node (the input of every head that names no {@code from}). */
  public long[] trunkOutputShape() {
    return shape(nodes.isEmpty() ? INPUT : nodes.get(nodes.size() - 1).name());
  }

  /**
   * The output shape of every trunk layer, in order ({@code trunkShapes().get(i)} is what node
   * {@code i} of {@link #nodes()} outputs, without the batch dimension).
   */
  public List<long[]> trunkShapes() {
    return nodes.stream().map(n -> shape(n.name())).toList();
  }

  /**
   * The feature maps a multi-scale head reads: the output shape {@code [C, H, W]} of each of its
   * taps, in the head's tap order (empty for a usual head).
   */
  public List<long[]> tapShapes(String head) {
    return head(head).taps().stream().map(this::shape).toList();
  }

  /**
   * The shape of head {@code head}'s output without the batch dimension: {@code [units]} for a
   * usual head with a flat input, {@code [A, units]} for a multi-scale head ({@code A = Σ_t
   * H_t·W_t·k} anchors).
   */
  public long[] outputShape(String head) {
    return shape(outputNode(head));
  }

  /** Every state tensor in a fixed order: the nodes' in {@link #graph()} order. */
  public List<ParamInfo> parameters() {
    List<ParamInfo> out = new ArrayList<>();
    for (Node n : graph) {
      addParams(out, n.name(), n.op(), shapes.get(n.inputs().get(0)));
    }
    return out;
  }

  private static void addParams(List<ParamInfo> out, String prefix, LayerSpec layer, long[] in) {
    if (layer instanceof Dense d) {
      int fanIn = (int) in[0];
      out.add(new ParamInfo(prefix + ".weight", new long[] {d.units(), in[0]}, Role.WEIGHT, fanIn));
      out.add(new ParamInfo(prefix + ".bias", new long[] {d.units()}, Role.BIAS, fanIn));
    } else if (layer instanceof Conv2d c) {
      long perGroup = in[0] / c.groups();
      int fanIn = (int) (perGroup * c.kernel() * c.kernel());
      out.add(new ParamInfo(prefix + ".weight", new long[] {c.filters(), perGroup, c.kernel(), c.kernel()},
          Role.WEIGHT, fanIn));
      if (c.bias()) {
        out.add(new ParamInfo(prefix + ".bias", new long[] {c.filters()}, Role.BIAS, fanIn));
      }
    } else if (layer instanceof LayerSpec.ConvTranspose2d c) {
      // PyTorch's fan-in of a transposed convolution: weight.size(1)·k² (the filters)
      int fanIn = c.filters() * c.kernel() * c.kernel();
      out.add(new ParamInfo(prefix + ".weight", new long[] {in[0], c.filters(), c.kernel(), c.kernel()},
          Role.WEIGHT, fanIn));
      if (c.bias()) {
        out.add(new ParamInfo(prefix + ".bias", new long[] {c.filters()}, Role.BIAS, fanIn));
      }
    } else if (layer instanceof LayerSpec.LayerNorm l) {
      long[] ch = {in[l.axisOf(in.length)]};
      out.add(new ParamInfo(prefix + ".weight", ch, Role.SCALE, 0, 1));
      out.add(new ParamInfo(prefix + ".bias", ch, Role.SHIFT, 0));
    } else if (layer instanceof LayerSpec.L2Norm l) {
      out.add(new ParamInfo(prefix + ".weight", new long[] {in[0]}, Role.SCALE, 0, l.scale()));
    } else if (layer instanceof LayerSpec.Embedding e) {
      out.add(new ParamInfo(prefix + ".weight", new long[] {e.vocab(), e.dim()}, Role.EMBEDDING, 0));
    } else if (layer instanceof BatchNorm) {
      long[] ch = {in[0]};
      out.add(new ParamInfo(prefix + ".weight", ch, Role.BN_GAMMA, 0));
      out.add(new ParamInfo(prefix + ".bias", ch, Role.BN_BETA, 0));
      out.add(new ParamInfo(prefix + ".running_mean", ch, Role.BN_RUNNING_MEAN, 0));
      out.add(new ParamInfo(prefix + ".running_var", ch, Role.BN_RUNNING_VAR, 0));
    }
  }

  /**
   * The nodes that {@code heads}' outputs depend on (their ancestors and themselves): what a pass
   * computing only those heads evaluates, and whose parameters get gradients from their losses.
   */
  public Set<String> nodesFor(Collection<String> heads) {
    Map<String, Node> byName = new LinkedHashMap<>();
    graph.forEach(n -> byName.put(n.name(), n));
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (String h : heads) {
      todo.add(outputNode(h));
    }
    while (!todo.isEmpty()) {
      String n = todo.pop();
      Node node = byName.get(n);
      if (node != null && seen.add(n)) {
        todo.addAll(node.inputs());
      }
    }
    return seen;
  }

  /**
   * Names of the trainable parameters that {@code heads}' outputs depend on, in {@link
   * #parameters()} order (a parameter no used head reads gets no gradient and is left alone, as in
   * PyTorch).
   */
  public List<String> trainableFor(Collection<String> heads) {
    Set<String> used = nodesFor(heads);
    List<String> out = new ArrayList<>();
    for (ParamInfo p : parameters()) {
      if (p.role().trainable() && used.contains(p.name().substring(0, p.name().lastIndexOf('.')))) {
        out.add(p.name());
      }
    }
    return out;
  }

  /** Layer types of every node (heads' included), for capability checks. */
  public Set<String> layerTypes() {
    Set<String> types = new TreeSet<>();
    graph.forEach(n -> types.add(n.op().type()));
    return types;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelSpec m && Arrays.equals(inputShape, m.inputShape) && nodes.equals(m.nodes)
        && heads.equals(m.heads) && Objects.equals(sequential, m.sequential);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(inputShape), nodes, heads);
  }

  @Override
  public String toString() {
    return "ModelSpec[input=" + Arrays.toString(inputShape) + ", nodes=" + nodes + ", heads=" + heads + "]";
  }
}
