package io.holdout.engine.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.holdout.api.HoldoutException;
import io.holdout.api.model.ImportedModel;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.LayerSpec.Activation.Fn;
import io.holdout.api.model.ModelImporter;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX graph whose operators are in holdout's layer catalogue into an {@link
 * ImportedModel}: nodes over the model input, their weights (initializers) under holdout's
 * parameter names, and the dense layer behind each graph output, which a head takes over.
 *
 * <p>What each operator becomes: {@code Conv} (square kernel, equal strides, dilations and
 * symmetric padding, any group count), {@code ConvTranspose} (one group), {@code Gemm} ({@code
 * transB} either way, alpha and beta 1) and {@code MatMul} by a constant followed by {@code Add} of
 * a constant are dense layers; {@code BatchNormalization} (inference form; another epsilon is folded
 * into the running variance, exact in inference), {@code LayerNormalization} over the last axis,
 * {@code MaxPool}, {@code AveragePool} (padding not counted), {@code GlobalAveragePool}, {@code
 * Resize} by a whole factor (nearest, or linear with half-pixel or corner-aligned coordinates),
 * {@code Flatten}, {@code Reshape} to a constant shape, {@code Gather} from a constant table by the
 * model input (an embedding), {@code Dropout}, the activations {@code Relu}, {@code Clip(0, 6)},
 * {@code LeakyRelu}, {@code Sigmoid}, {@code Tanh}, {@code HardSigmoid} (alpha 1/6, beta 0.5),
 * {@code HardSwish}, {@code Softmax}, {@code Gelu}, and {@code Add}, {@code Mul} and {@code Concat}
 * of computed tensors. Two compositions are recognised: {@code x·Sigmoid(x)} is SiLU and {@code
 * 0.5·x·(1 + Erf(x/√2))}, in any order of its products, is GELU (what PyTorch's and holdout's own
 * exporters write). Constants ({@code Constant}, {@code Cast}, {@code Concat}, {@code Unsqueeze},
 * {@code Identity} of constants) are folded; a zero {@code Pad} is dropped. A {@code Softmax} or
 * {@code LogSoftmax} after an output layer is left out: a holdout head outputs logits and its loss
 * applies the softmax.
 *
 * <p>Anything else fails with one line naming the file, the node and its operator. Node names come
 * from the weights' names ({@code layer1.conv.weight} gives node {@code layer1.conv}) or else the
 * ONNX node's name, so a graph holdout exported comes back with its own names.
 */
public final class OnnxImport implements ModelImporter {
  private static final int FLOAT = 1;
  private static final int INT32 = 6;
  private static final int INT64 = 7;
  private static final int DOUBLE = 11;

  @Override
  public String format() {
    return "onnx";
  }

  @Override
  public ImportedModel read(Path file, long[] inputShape) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read: " + e.getMessage(), e);
    }
    return read(bytes, file.toString(), inputShape);
  }

  /** Reads a serialized model; {@code source} names it in messages. */
  public static ImportedModel read(byte[] bytes, String source, long[] inputShape) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new HoldoutException(source + ": not an ONNX model (" + e.getMessage() + ")", e);
    }
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
      throw new HoldoutException(source + ": not an ONNX model (no graph nodes)");
    }
    Map<String, String> meta = new HashMap<>();
    model.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
    Reader reader = new Reader(source, model.getGraph(), inputShape);
    String network = meta.get(OnnxExport.NETWORK_INPUT);
    String heads = meta.get(OnnxExport.NETWORK_OUTPUTS);
    if ("holdout".equals(model.getProducerName()) && network != null && heads != null) {
      // a holdout export with its preprocessing and postprocessing: the network between them
      return reader.readNetwork(network, List.of(heads.split(",")));
    }
    return reader.read();
  }

  // ------------------------------------------------------------------ values

  /** What an ONNX value is while the graph is read. */
  private sealed interface Value {}

  /** A tensor computed by holdout node {@code node} (or the model input). */
  private record Ref(String node) implements Value {}

  /** A constant tensor. */
  private record Const(long[] dims, double[] v, boolean integer) implements Value {
    double scalar(String where) {
      if (v.length != 1) {
        throw new IllegalArgumentException(where + ": expected one value, got shape " + Arrays.toString(dims));
      }
      return v[0];
    }

    long[] longs() {
      long[] out = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = (long) v[i];
      }
      return out;
    }

    Tensor tensor() {
      float[] f = new float[v.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) v[i];
      }
      return Tensor.ofFloats(dims, f);
    }
  }

  /** The model input cast to integers (indices for a {@code Gather}). */
  private record Indices() implements Value {}

  /**
   * Part of GELU's product {@code factor · [x] · [1 + erf(x/√2)]} over node {@code node} (null while
   * it is only a constant): which factors it holds so far.
   */
  private record Product(String node, double factor, boolean x, boolean onePlusErf) implements Value {}

  /** {@code erf(x/√2)} of node {@code node}. */
  private record ErfOf(String node) implements Value {}

  // ------------------------------------------------------------------ the reader

  private static final class Reader {
    private final String source;
    private final GraphProto graph;
    private final long[] inputShape;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();
    /** Dense nodes made from a MatMul, whose bias an Add may still give. */
    private final Set<String> biasless = new HashSet<>();
    /** Output value name to what was left out after its dense layer. */
    private final Map<String, String> dropped = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private NodeProto current;

    Reader(String source, GraphProto graph, long[] inputShape) {
      this.source = source;
      this.graph = graph;
      this.inputShape = inputShape.clone();
    }

    /** Graph outputs that are heads (null: all of them). */
    private Set<String> headOutputs;

    ImportedModel read() {
      Set<String> initializers = initializers();
      List<ValueInfoProto> inputs = graph.getInputList().stream()
          .filter(i -> !initializers.contains(i.getName())).toList();
      if (inputs.size() != 1) {
        throw new HoldoutException(source + ": the graph has " + inputs.size() + " inputs "
            + inputs.stream().map(ValueInfoProto::getName).toList() + "; holdout models read one");
      }
      checkInput(inputs.get(0));
      return translate(inputs.get(0).getName(), null);
    }

    /**
     * Reads only the network of a holdout export that holds its preprocessing and postprocessing:
     * the nodes between the value {@code input} (what the network reads, after the preprocessing)
     * and the head outputs {@code heads}.
     */
    ImportedModel readNetwork(String input, List<String> heads) {
      Set<String> initializers = initializers();
      Map<String, NodeProto> producer = new HashMap<>();
      for (NodeProto n : graph.getNodeList()) {
        n.getOutputList().forEach(o -> producer.put(o, n));
      }
      Set<NodeProto> needed = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>(heads);
      while (!todo.isEmpty()) {
        String v = todo.pop();
        NodeProto n = producer.get(v);
        if (v.equals(input) || initializers.contains(v) || n == null || !needed.add(n)) {
          continue;
        }
        todo.addAll(n.getInputList());
      }
      for (String h : heads) {
        if (!producer.containsKey(h)) {
          throw new HoldoutException(source + ": the metadata names head output '" + h + "', which no node computes");
        }
      }
      headOutputs = new HashSet<>(heads);
      return translate(input, needed);
    }

    private Set<String> initializers() {
      Set<String> initializers = new HashSet<>();
      for (TensorProto t : graph.getInitializerList()) {
        values.put(t.getName(), constant(t, "initializer '" + t.getName() + "'"));
        initializers.add(t.getName());
      }
      return initializers;
    }

    /** Translates the nodes ({@code only} those, or all when null) over the input value {@code input}. */
    private ImportedModel translate(String input, Set<NodeProto> only) {
      values.put(input, new Ref(ModelSpec.INPUT));
      shapes.put(ModelSpec.INPUT, inputShape);
      used.add(ModelSpec.INPUT);
      graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
      for (NodeProto n : graph.getNodeList()) {
        if (only != null && !only.contains(n)) {
          continue;
        }
        current = n;
        Value v;
        try {
          v = translate(n);
        } catch (IllegalArgumentException e) {
          throw new HoldoutException(source + ": " + where() + ": " + e.getMessage(), e);
        }
        if (n.getOutputCount() == 0) {
          continue;
        }
        values.put(n.getOutput(0), v);
        for (int i = 1; i < n.getOutputCount(); i++) {
          if (!n.getOutput(i).isEmpty() && isRead(n.getOutput(i))) {
            throw new HoldoutException(source + ": " + where() + ": its output " + i + " ('" + n.getOutput(i)
                + "') is read, which holdout does not support");
          }
        }
      }
      return finish();
    }

    private String where() {
      return "node '" + (current.getName().isEmpty() ? current.getOutput(0) : current.getName()) + "' ("
          + current.getOpType() + ")";
    }

    private boolean isRead(String value) {
      if (graphOutputs.contains(value)) {
        return true;
      }
      for (NodeProto n : graph.getNodeList()) {
        if (n.getInputList().contains(value)) {
          return true;
        }
      }
      return false;
    }

    private void checkInput(ValueInfoProto in) {
      if (!in.getType().hasTensorType()) {
        throw new HoldoutException(source + ": input '" + in.getName() + "' is not a tensor");
      }
      int type = in.getType().getTensorType().getElemType();
      if (type != FLOAT) {
        throw new HoldoutException(source + ": input '" + in.getName() + "' is of ONNX type " + type
            + ", not float (1)");
      }
      if (!in.getType().getTensorType().hasShape()) {
        return;
      }
      List<TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
      if (dims.size() != inputShape.length + 1) {
        throw new HoldoutException(source + ": input '" + in.getName() + "' has rank " + dims.size()
            + " (with the batch) but the data's samples are " + Arrays.toString(inputShape));
      }
      // the first axis after the batch (channels, or features) must match; an image's height and
      // width may differ, as convolutions do not depend on them
      boolean image = inputShape.length == 3;
      for (int i = 1; i < dims.size(); i++) {
        TensorShapeProto.Dimension di = dims.get(i);
        if (di.hasDimValue() && (i == 1 || !image) && di.getDimValue() != inputShape[i - 1]) {
          throw new HoldoutException(source + ": input '" + in.getName() + "' is " + describe(dims)
              + " but the data's samples are " + Arrays.toString(inputShape));
        }
      }
    }

    private static String describe(List<TensorShapeProto.Dimension> dims) {
      return dims.stream().map(d -> d.hasDimValue() ? String.valueOf(d.getDimValue()) : d.getDimParam())
          .toList().toString();
    }

    // --------------------------------------------------------------- per operator

    private Value translate(NodeProto n) {
      if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
        throw new IllegalArgumentException("operator domain '" + n.getDomain() + "' is not ONNX's own; holdout reads"
            + " standard operators only");
      }
      String op = n.getOpType();
      switch (op) {
        case "Constant":
          return constantNode(n);
        case "Identity":
          return value(n, 0);
        case "Cast":
          return cast(n);
        case "Unsqueeze":
        case "Squeeze":
          return reshapeConstant(n);
        case "Conv":
          return conv(n);
        case "ConvTranspose":
          return convTranspose(n);
        case "Gemm":
          return gemm(n);
        case "MatMul":
          return matMul(n);
        case "BatchNormalization":
          return batchNorm(n);
        case "LayerNormalization":
          return layerNorm(n);
        case "MaxPool":
        case "AveragePool":
          return pool(n);
        case "GlobalAveragePool":
          return layer(n, new LayerSpec.GlobalAvgPool(), null, ref(n, 0));
        case "Flatten":
          return flatten(n);
        case "Reshape":
          return reshape(n);
        case "Pad":
          return pad(n);
        case "Resize":
          return resize(n);
        case "Gather":
          return gather(n);
        case "Dropout":
          return dropout(n);
        case "Relu":
          return layer(n, new LayerSpec.Relu(), null, ref(n, 0));
        case "Clip":
          return clip(n);
        case "LeakyRelu":
          return activation(n, new LayerSpec.Activation(Fn.LEAKY_RELU, floatAttr(n, "alpha", 0.01)));
        case "Sigmoid":
          return activation(n, new LayerSpec.Activation(Fn.SIGMOID));
        case "Tanh":
          return activation(n, new LayerSpec.Activation(Fn.TANH));
        case "HardSwish":
          return activation(n, new LayerSpec.Activation(Fn.HARD_SWISH));
        case "HardSigmoid":
          return hardSigmoid(n);
        case "Gelu":
          if (!stringAttr(n, "approximate", "none").equals("none")) {
            throw new IllegalArgumentException("the tanh approximation of GELU is not in the catalogue (exact GELU"
                + " is)");
          }
          return activation(n, new LayerSpec.Activation(Fn.GELU));
        case "Softmax":
        case "LogSoftmax":
          return softmax(n);
        case "Erf":
          return erf(n);
        case "Add":
          return add(n);
        case "Mul":
          return mul(n);
        case "Div":
          return div(n);
        case "Concat":
          return concat(n);
        default:
          throw new IllegalArgumentException("operator " + op + " is not in holdout's layer catalogue (see `holdout"
              + " layers`)");
      }
    }

    private Value conv(NodeProto n) {
      String x = ref(n, 0);
      Const w = constIn(n, 1, "the weight");
      if (w.dims().length != 4) {
        throw new IllegalArgumentException("only 2-D convolutions are in the catalogue; weight is "
            + Arrays.toString(w.dims()));
      }
      int k = squareKernel(n, w.dims()[2], w.dims()[3]);
      int stride = equal(n, "strides", 1);
      int dilation = equal(n, "dilations", 1);
      int pad = padding(n, k, stride, dilation);
      int groups = (int) intAttr(n, "group", 1);
      boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
      String name = node(n, new LayerSpec.Conv2d((int) w.dims()[0], k, stride, pad, dilation, groups, bias),
          n.getInput(1), x);
      weights.put(name + ".weight", w.tensor());
      if (bias) {
        weights.put(name + ".bias", constIn(n, 2, "the bias").tensor());
      }
      return new Ref(name);
    }

    private Value convTranspose(NodeProto n) {
      String x = ref(n, 0);
      Const w = constIn(n, 1, "the weight");
      if (w.dims().length != 4) {
        throw new IllegalArgumentException("only 2-D transposed convolutions are in the catalogue");
      }
      if (intAttr(n, "group", 1) != 1) {
        throw new IllegalArgumentException("grouped transposed convolution is not in the catalogue");
      }
      if (equal(n, "dilations", 1) != 1) {
        throw new IllegalArgumentException("dilated transposed convolution is not in the catalogue");
      }
      if (attr(n, "output_shape") != null) {
        throw new IllegalArgumentException("'output_shape' is not supported; give pads and output_padding");
      }
      int k = squareKernel(n, w.dims()[2], w.dims()[3]);
      int stride = equal(n, "strides", 1);
      String auto = stringAttr(n, "auto_pad", "NOTSET");
      if (!auto.equals("NOTSET") && !auto.equals("VALID")) {
        throw new IllegalArgumentException("auto_pad " + auto + " is not supported; give pads");
      }
      int pad = auto.equals("VALID") ? 0 : equal(n, "pads", 0);
      int outPad = equal(n, "output_padding", 0);
      boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
      String name = node(n, new LayerSpec.ConvTranspose2d((int) w.dims()[1], k, stride, pad, outPad, bias),
          n.getInput(1), x);
      weights.put(name + ".weight", w.tensor());
      if (bias) {
        weights.put(name + ".bias", constIn(n, 2, "the bias").tensor());
      }
      return new Ref(name);
    }

    private Value gemm(NodeProto n) {
      if (intAttr(n, "transA", 0) != 0) {
        throw new IllegalArgumentException("transA = 1 is not supported");
      }
      if (floatAttr(n, "alpha", 1) != 1 || floatAttr(n, "beta", 1) != 1) {
        throw new IllegalArgumentException("alpha and beta must be 1");
      }
      String x = ref(n, 0);
      Const w = constIn(n, 1, "B (the weight)");
      if (w.dims().length != 2) {
        throw new IllegalArgumentException("B must be a matrix, got " + Arrays.toString(w.dims()));
      }
      Tensor weight = intAttr(n, "transB", 0) == 1 ? w.tensor() : transpose(w);
      int units = (int) weight.dim(0);
      Tensor bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty()
          ? vector(constIn(n, 2, "C (the bias)"), units, "C") : Tensor.zeros(DType.FLOAT32, units);
      String name = node(n, new LayerSpec.Dense(units), n.getInput(1), x);
      weights.put(name + ".weight", weight);
      weights.put(name + ".bias", bias);
      return new Ref(name);
    }

    private Value matMul(NodeProto n) {
      String x = ref(n, 0);
      Const w = constIn(n, 1, "the second factor (a weight)");
      if (w.dims().length != 2) {
        throw new IllegalArgumentException("the weight must be a matrix, got " + Arrays.toString(w.dims()));
      }
      Tensor weight = transpose(w);
      int units = (int) weight.dim(0);
      String name = node(n, new LayerSpec.Dense(units), n.getInput(1), x);
      weights.put(name + ".weight", weight);
      weights.put(name + ".bias", Tensor.zeros(DType.FLOAT32, units));
      biasless.add(name);
      return new Ref(name);
    }

    private Value batchNorm(NodeProto n) {
      if (intAttr(n, "training_mode", 0) != 0) {
        throw new IllegalArgumentException("training_mode = 1: export the model in inference mode");
      }
      String x = ref(n, 0);
      Const scale = constIn(n, 1, "the scale");
      Const shift = constIn(n, 2, "the bias");
      Const mean = constIn(n, 3, "the running mean");
      Const var = constIn(n, 4, "the running variance");
      double eps = floatAttr(n, "epsilon", 1e-5);
      double[] v = var.v().clone();
      if (Math.abs(eps - 1e-5) > 1e-11) {
        // (x - m)/sqrt(v + eps) = (x - m)/sqrt((v + eps - 1e-5) + 1e-5): inference unchanged
        for (int i = 0; i < v.length; i++) {
          v[i] += eps - 1e-5;
        }
      }
      String name = node(n, new LayerSpec.BatchNorm(), n.getInput(1), x);
      long c = shapes.get(name)[0];
      weights.put(name + ".weight", vector(scale, c, "scale"));
      weights.put(name + ".bias", vector(shift, c, "B"));
      weights.put(name + ".running_mean", vector(mean, c, "mean"));
      weights.put(name + ".running_var", vector(new Const(var.dims(), v, false), c, "var"));
      return new Ref(name);
    }

    private Value layerNorm(NodeProto n) {
      String x = ref(n, 0);
      long[] in = shapes.get(x);
      long axis = intAttr(n, "axis", -1);
      if (axis != -1 && axis != in.length) {
        throw new IllegalArgumentException("only normalisation over the last axis is supported, got axis " + axis);
      }
      if (Math.abs(floatAttr(n, "epsilon", 1e-5) - 1e-5) > 1e-11) {
        throw new IllegalArgumentException("epsilon " + floatAttr(n, "epsilon", 1e-5) + " differs from the catalogue's"
            + " 1e-5");
      }
      Const scale = constIn(n, 1, "the scale");
      long d = in[in.length - 1];
      String name = node(n, new LayerSpec.LayerNorm(-1), n.getInput(1), x);
      weights.put(name + ".weight", vector(scale, d, "Scale"));
      weights.put(name + ".bias", n.getInputCount() > 2 && !n.getInput(2).isEmpty()
          ? vector(constIn(n, 2, "the bias"), d, "B") : Tensor.zeros(DType.FLOAT32, d));
      return new Ref(name);
    }

    private Value pool(NodeProto n) {
      String x = ref(n, 0);
      long[] ks = ints(n, "kernel_shape");
      if (ks == null || ks.length != 2) {
        throw new IllegalArgumentException("needs a 2-D kernel_shape");
      }
      int k = squareKernel(n, ks[0], ks[1]);
      int stride = equal(n, "strides", 1);
      if (equal(n, "dilations", 1) != 1) {
        throw new IllegalArgumentException("dilated pooling is not in the catalogue");
      }
      int pad = padding(n, k, stride, 1);
      boolean ceil = intAttr(n, "ceil_mode", 0) == 1;
      if (n.getOpType().equals("MaxPool")) {
        if (intAttr(n, "storage_order", 0) != 0) {
          throw new IllegalArgumentException("storage_order 1 is not supported");
        }
        return layer(n, new LayerSpec.MaxPool(k, stride, pad, ceil), null, x);
      }
      if (pad > 0 && intAttr(n, "count_include_pad", 0) != 0) {
        throw new IllegalArgumentException("count_include_pad = 1 with padding: the catalogue's avgpool does not"
            + " count the padding");
      }
      return layer(n, new LayerSpec.AvgPool(k, stride, pad, ceil), null, x);
    }

    private Value flatten(NodeProto n) {
      String x = ref(n, 0);
      if (intAttr(n, "axis", 1) != 1) {
        throw new IllegalArgumentException("only axis 1 (keep the batch) is supported");
      }
      return shapes.get(x).length == 1 ? new Ref(x) : layer(n, new LayerSpec.Flatten(), null, x);
    }

    private Value reshape(NodeProto n) {
      Value data = value(n, 0);
      Const shape = constIn(n, 1, "the shape");
      if (data instanceof Const c) {
        return new Const(shape.longs(), c.v(), c.integer());
      }
      String x = ref(n, 0);
      long[] s = shape.longs();
      long[] in = shapes.get(x);
      if (s.length < 2 || s[0] > 1) {
        throw new IllegalArgumentException("the shape " + Arrays.toString(s) + " must keep the batch first (0 or -1)");
      }
      if (s[0] == -1 && Arrays.stream(s, 1, s.length).anyMatch(d -> d == -1)) {
        throw new IllegalArgumentException("the shape " + Arrays.toString(s) + " infers the batch and another axis");
      }
      List<Long> dims = new ArrayList<>();
      for (int i = 1; i < s.length; i++) {
        if (s[i] == 0 && intAttr(n, "allowzero", 0) == 0) {
          if (i - 1 >= in.length) {
            throw new IllegalArgumentException("0 in the shape copies axis " + i + ", which the input lacks");
          }
          dims.add(in[i - 1]);
        } else {
          dims.add(s[i]);
        }
      }
      long count = Arrays.stream(in).reduce(1, (a, b) -> a * b);
      if (dims.size() == 1 && (dims.get(0) == -1 || dims.get(0) == count)) {
        return in.length == 1 ? new Ref(x) : layer(n, new LayerSpec.Flatten(), null, x);
      }
      return layer(n, new LayerSpec.Reshape(dims), null, x);
    }

    private Value pad(NodeProto n) {
      String x = ref(n, 0);
      if (!stringAttr(n, "mode", "constant").equals("constant")) {
        throw new IllegalArgumentException("only constant padding is supported");
      }
      Const pads = constIn(n, 1, "the pads");
      if (Arrays.stream(pads.v()).anyMatch(p -> p != 0)) {
        throw new IllegalArgumentException("non-zero padding " + Arrays.toString(pads.longs())
            + " as a separate node is not in the catalogue (pad inside the convolution or pooling)");
      }
      return new Ref(x);
    }

    private Value resize(NodeProto n) {
      String x = ref(n, 0);
      long[] in = shapes.get(x);
      if (in.length != 3) {
        throw new IllegalArgumentException("resizes an image only");
      }
      if (intAttr(n, "antialias", 0) != 0 || intAttr(n, "exclude_outside", 0) != 0) {
        throw new IllegalArgumentException("antialias and exclude_outside are not supported");
      }
      double sh;
      double sw;
      if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && constIn(n, 2, "the scales").v().length > 0) {
        double[] s = constIn(n, 2, "the scales").v();
        if (s.length != 4 || s[0] != 1 || s[1] != 1) {
          throw new IllegalArgumentException("scales " + Arrays.toString(s) + " must be [1, 1, s, s]");
        }
        sh = s[2];
        sw = s[3];
      } else if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
        long[] s = constIn(n, 3, "the sizes").longs();
        if (s.length != 4 || s[1] != in[0]) {
          throw new IllegalArgumentException("sizes " + Arrays.toString(s) + " must be [batch, channels, h, w]");
        }
        sh = (double) s[2] / in[1];
        sw = (double) s[3] / in[2];
      } else {
        throw new IllegalArgumentException("needs constant scales or sizes");
      }
      if (sh != sw || sh < 1 || sh != Math.rint(sh)) {
        throw new IllegalArgumentException("only upsampling by one whole factor is in the catalogue, got " + sh + " x "
            + sw);
      }
      int scale = (int) sh;
      String mode = stringAttr(n, "mode", "nearest");
      String coords = stringAttr(n, "coordinate_transformation_mode", "half_pixel");
      LayerSpec.Upsample u;
      if (mode.equals("nearest")) {
        String nearest = stringAttr(n, "nearest_mode", "round_prefer_floor");
        // for a whole factor, floor(i/s) is what asymmetric floor and half-pixel rounding both pick
        boolean floor = coords.equals("asymmetric") && nearest.equals("floor")
            || (coords.equals("half_pixel") || coords.equals("pytorch_half_pixel"))
            && nearest.startsWith("round_prefer_");
        if (!floor) {
          throw new IllegalArgumentException("nearest with " + coords + "/" + nearest + " is not the catalogue's"
              + " nearest upsampling");
        }
        u = new LayerSpec.Upsample(scale, false, false);
      } else if (mode.equals("linear")) {
        if (coords.equals("align_corners")) {
          u = new LayerSpec.Upsample(scale, true, true);
        } else if (coords.equals("half_pixel") || coords.equals("pytorch_half_pixel")) {
          u = new LayerSpec.Upsample(scale, true, false);
        } else {
          throw new IllegalArgumentException("linear with " + coords + " coordinates is not in the catalogue");
        }
      } else {
        throw new IllegalArgumentException("mode " + mode + " is not in the catalogue (nearest, linear)");
      }
      return layer(n, u, null, x);
    }

    private Value gather(NodeProto n) {
      Const table = constIn(n, 0, "the table");
      Value idx = value(n, 1);
      boolean input = idx instanceof Indices || idx instanceof Ref r && r.node().equals(ModelSpec.INPUT);
      if (!input || table.dims().length != 2 || intAttr(n, "axis", 0) != 0) {
        throw new IllegalArgumentException("only an embedding (rows of a constant table picked by the model input) is"
            + " in the catalogue");
      }
      String name = node(n, new LayerSpec.Embedding((int) table.dims()[0], (int) table.dims()[1]), n.getInput(0),
          ModelSpec.INPUT);
      weights.put(name + ".weight", table.tensor());
      return new Ref(name);
    }

    private Value dropout(NodeProto n) {
      String x = ref(n, 0);
      double rate = n.getInputCount() > 1 && !n.getInput(1).isEmpty()
          ? constIn(n, 1, "the ratio").scalar("ratio") : floatAttr(n, "ratio", 0.5);
      return rate == 0 ? new Ref(x) : layer(n, new LayerSpec.Dropout(rate), null, x);
    }

    private Value clip(NodeProto n) {
      String x = ref(n, 0);
      double lo;
      double hi;
      if (n.getInputCount() > 1 || attr(n, "min") == null && attr(n, "max") == null) {
        lo = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? constIn(n, 1, "min").scalar("min")
            : Double.NEGATIVE_INFINITY;
        hi = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? constIn(n, 2, "max").scalar("max")
            : Double.POSITIVE_INFINITY;
      } else {
        lo = floatAttr(n, "min", Double.NEGATIVE_INFINITY);
        hi = floatAttr(n, "max", Double.POSITIVE_INFINITY);
      }
      if (lo == 0 && hi == 6) {
        return activation(n, new LayerSpec.Activation(Fn.RELU6));
      }
      if (lo == 0 && (hi == Double.POSITIVE_INFINITY || hi >= Float.MAX_VALUE)) {
        return layer(n, new LayerSpec.Relu(), null, x);
      }
      throw new IllegalArgumentException("Clip(" + lo + ", " + hi + ") is not in the catalogue (Clip(0, 6) is relu6)");
    }

    private Value hardSigmoid(NodeProto n) {
      double alpha = floatAttr(n, "alpha", 0.2);
      double beta = floatAttr(n, "beta", 0.5);
      if (Math.abs(alpha - 1.0 / 6) > 1e-6 || Math.abs(beta - 0.5) > 1e-7) {
        throw new IllegalArgumentException("alpha " + alpha + ", beta " + beta + " is not the catalogue's hard_sigmoid"
            + " (alpha 1/6, beta 0.5: relu6(x + 3)/6)");
      }
      return activation(n, new LayerSpec.Activation(Fn.HARD_SIGMOID));
    }

    private Value softmax(NodeProto n) {
      String x = ref(n, 0);
      long[] in = shapes.get(x);
      long axis = intAttr(n, "axis", -1);
      boolean features = axis == 1 || axis == -1 && in.length == 1;
      Node producer = nodes.get(x);
      if (graphOutputs.contains(n.getOutput(0)) && producer != null && producer.op() instanceof LayerSpec.Dense
          && in.length == 1 && features) {
        // an output layer's softmax: a holdout head outputs the logits, its loss applies the softmax
        dropped.put(n.getOutput(0), n.getOpType());
        return new Ref(x);
      }
      if (n.getOpType().equals("LogSoftmax")) {
        throw new IllegalArgumentException("LogSoftmax is read only right after an output layer");
      }
      if (!features) {
        throw new IllegalArgumentException("softmax over axis " + axis + ": the catalogue's is over the first axis"
            + " after the batch");
      }
      return activation(n, new LayerSpec.Activation(Fn.SOFTMAX));
    }

    private Value erf(NodeProto n) {
      Value v = value(n, 0);
      if (v instanceof Product p && p.node() != null && p.x() && !p.onePlusErf()
          && Math.abs(p.factor() * Math.sqrt(2) - 1) < 1e-6) {
        return new ErfOf(p.node());
      }
      throw new IllegalArgumentException("Erf is read only as part of GELU, 0.5·x·(1 + erf(x/√2))");
    }

    private Value add(NodeProto n) {
      Value a = value(n, 0);
      Value b = value(n, 1);
      if (a instanceof Ref && b instanceof Ref) {
        return layer(n, new LayerSpec.Add(), null, ((Ref) a).node(), ((Ref) b).node());
      }
      if (a instanceof Const) {
        Value t = a;
        a = b;
        b = t;
      }
      if (b instanceof Const c) {
        if (a instanceof Ref r && biasless.remove(r.node())) {
          long units = shapes.get(r.node())[0];
          weights.put(r.node() + ".bias", vector(c, units, "the bias"));
          return r;
        }
        if (a instanceof ErfOf e && c.v().length == 1 && c.v()[0] == 1) {
          return new Product(e.node(), 1, false, true);
        }
      }
      throw new IllegalArgumentException("adding a constant is not in the catalogue (only a dense layer's bias, or"
          + " GELU's 1 + erf)");
    }

    private Value mul(NodeProto n) {
      Value a = value(n, 0);
      Value b = value(n, 1);
      if (a instanceof Ref ra && b instanceof Ref rb) {
        String silu = siluOf(ra.node(), rb.node());
        if (silu == null) {
          silu = siluOf(rb.node(), ra.node());
        }
        if (silu != null) {
          return layer(n, new LayerSpec.Activation(Fn.SILU), null, silu);
        }
        return layer(n, new LayerSpec.Mul(), null, ra.node(), rb.node());
      }
      Product p = product(a);
      Product q = product(b);
      if (p != null && q != null) {
        Product r = combine(p, q);
        if (r != null) {
          if (r.x() && r.onePlusErf() && Math.abs(r.factor() - 0.5) < 1e-7) {
            return layer(n, new LayerSpec.Activation(Fn.GELU), null, r.node());
          }
          return r;
        }
      }
      throw new IllegalArgumentException("multiplying by a constant is not in the catalogue (only as part of GELU,"
          + " 0.5·x·(1 + erf(x/√2)))");
    }

    private Value div(NodeProto n) {
      Value a = value(n, 0);
      Value b = value(n, 1);
      if (b instanceof Const c && c.v().length == 1 && c.v()[0] != 0) {
        Product p = product(a);
        if (p != null) {
          return new Product(p.node(), p.factor() / c.v()[0], p.x(), p.onePlusErf());
        }
      }
      throw new IllegalArgumentException("division is not in the catalogue (only x/√2 inside GELU)");
    }

    /** {@code x·sigmoid(x)} when {@code gate} is a sigmoid node of {@code x}: the node to apply SiLU to. */
    private String siluOf(String x, String gate) {
      Node g = nodes.get(gate);
      return g != null && g.op() instanceof LayerSpec.Activation act && act.fn() == Fn.SIGMOID
          && g.inputs().get(0).equals(x) ? x : null;
    }

    /** A value as a factor of GELU's product, or null. */
    private static Product product(Value v) {
      if (v instanceof Product p) {
        return p;
      }
      if (v instanceof Ref r) {
        return new Product(r.node(), 1, true, false);
      }
      if (v instanceof Const c && c.v().length == 1) {
        return new Product(null, c.v()[0], false, false);
      }
      return null;
    }

    /** The product of two factors over the same node, each factor at most once; null otherwise. */
    private static Product combine(Product p, Product q) {
      if (p.node() != null && q.node() != null && !p.node().equals(q.node())) {
        return null;
      }
      if (p.x() && q.x() || p.onePlusErf() && q.onePlusErf()) {
        return null;
      }
      if (p.node() == null && q.node() == null) {
        return null;
      }
      return new Product(p.node() != null ? p.node() : q.node(), p.factor() * q.factor(), p.x() || q.x(),
          p.onePlusErf() || q.onePlusErf());
    }

    private Value concat(NodeProto n) {
      List<Value> in = new ArrayList<>();
      for (int i = 0; i < n.getInputCount(); i++) {
        in.add(value(n, i));
      }
      long axis = intAttr(n, "axis", 0);
      if (in.stream().allMatch(v -> v instanceof Const)) {
        List<Double> all = new ArrayList<>();
        boolean integer = true;
        for (Value v : in) {
          Const c = (Const) v;
          if (c.dims().length > 1) {
            throw new IllegalArgumentException("only 1-D constants are concatenated while reading");
          }
          for (double d : c.v()) {
            all.add(d);
          }
          integer &= c.integer();
        }
        return new Const(new long[] {all.size()}, all.stream().mapToDouble(Double::doubleValue).toArray(), integer);
      }
      List<String> refs = new ArrayList<>();
      for (int i = 0; i < in.size(); i++) {
        refs.add(ref(n, i));
      }
      int rank = shapes.get(refs.get(0)).length + 1;
      long a = axis < 0 ? axis + rank : axis;
      if (a < 1 || a >= rank) {
        throw new IllegalArgumentException("concatenation along axis " + axis + " (the batch, or outside rank " + rank
            + ") is not supported");
      }
      return layer(n, new LayerSpec.Concat((int) a - 1), null, refs.toArray(String[]::new));
    }

    private Value activation(NodeProto n, LayerSpec.Activation a) {
      return layer(n, a, null, ref(n, 0));
    }

    private Value cast(NodeProto n) {
      Value v = value(n, 0);
      long to = intAttr(n, "to", FLOAT);
      if (v instanceof Const c) {
        boolean integer = to != FLOAT && to != DOUBLE && to != 10 && to != 16;
        double[] out = c.v().clone();
        if (integer) {
          for (int i = 0; i < out.length; i++) {
            out[i] = (long) out[i];
          }
        }
        return new Const(c.dims(), out, integer);
      }
      if (v instanceof Ref r && to == FLOAT) {
        return r;
      }
      if (v instanceof Ref r && r.node().equals(ModelSpec.INPUT) && (to == INT64 || to == INT32)) {
        return new Indices();
      }
      throw new IllegalArgumentException("casting a computed tensor to type " + to + " is not supported");
    }

    private Value reshapeConstant(NodeProto n) {
      Value v = value(n, 0);
      if (v instanceof Const c) {
        // element order does not change; only 1-D folding is needed for shape and scale arithmetic
        return new Const(c.v().length == 1 ? new long[] {1} : new long[] {c.v().length}, c.v(), c.integer());
      }
      throw new IllegalArgumentException(n.getOpType() + " of a computed tensor is not in the catalogue");
    }

    private Value constantNode(NodeProto n) {
      for (AttributeProto a : n.getAttributeList()) {
        switch (a.getName()) {
          case "value":
            return constant(a.getT(), "its value");
          case "value_float":
            return new Const(new long[0], new double[] {a.getF()}, false);
          case "value_floats":
            return new Const(new long[] {a.getFloatsCount()},
                a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray(), false);
          case "value_int":
            return new Const(new long[0], new double[] {a.getI()}, true);
          case "value_ints":
            return new Const(new long[] {a.getIntsCount()},
                a.getIntsList().stream().mapToDouble(Long::doubleValue).toArray(), true);
          default:
            break;
        }
      }
      throw new IllegalArgumentException("a constant of a kind holdout does not read");
    }

    // --------------------------------------------------------------- helpers

    /** Adds a holdout node for {@code n} over {@code inputs}; {@code weight} names its weight, for the name. */
    private Ref layer(NodeProto n, LayerSpec op, String weight, String... inputs) {
      return new Ref(node(n, op, weight, inputs));
    }

    /** {@link #layer}, returning the node's name. */
    private String node(NodeProto n, LayerSpec op, String weight, String... inputs) {
      String name = name(n, weight);
      List<long[]> in = new ArrayList<>();
      for (String i : inputs) {
        in.add(shapes.get(i));
      }
      long[] out = op.outputShape(in, op.type());
      Node node = new Node(name, op, List.of(inputs));
      nodes.put(name, node);
      shapes.put(name, out);
      return name;
    }

    private String name(NodeProto n, String weight) {
      String base;
      if (weight != null && weight.endsWith(".weight") && weight.length() > ".weight".length()) {
        base = weight.substring(0, weight.length() - ".weight".length());
      } else if (!n.getName().isEmpty()) {
        base = n.getName().replaceAll("^/+", "").replace('/', '.');
      } else {
        base = n.getOpType().toLowerCase(Locale.ROOT);
      }
      if (base.isEmpty() || base.equals(ModelSpec.INPUT)) {
        base = n.getOpType().toLowerCase(Locale.ROOT);
      }
      if (base.startsWith("heads.")) {
        base = "onnx." + base;
      }
      String name = base;
      for (int i = 2; used.contains(name); i++) {
        name = base + "_" + i;
      }
      used.add(name);
      return name;
    }

    private Value value(NodeProto n, int i) {
      if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
        throw new IllegalArgumentException("input " + i + " is missing");
      }
      Value v = values.get(n.getInput(i));
      if (v == null) {
        throw new IllegalArgumentException("reads '" + n.getInput(i) + "', which no earlier node or initializer"
            + " gives");
      }
      return v;
    }

    /** Input {@code i} as a computed tensor's node. */
    private String ref(NodeProto n, int i) {
      Value v = value(n, i);
      if (v instanceof Ref r) {
        return r.node();
      }
      throw new IllegalArgumentException("input " + i + " ('" + n.getInput(i) + "') must be computed from the model"
          + " input, not " + (v instanceof Const ? "a constant" : "part of an expression outside the catalogue"));
    }

    private Const constIn(NodeProto n, int i, String what) {
      Value v = value(n, i);
      if (v instanceof Const c) {
        return c;
      }
      throw new IllegalArgumentException(what + " ('" + n.getInput(i) + "') must be a constant (an initializer)");
    }

    private static Tensor vector(Const c, long n, String what) {
      if (c.v().length != n) {
        throw new IllegalArgumentException(what + " has " + c.v().length + " values, expected " + n);
      }
      return new Const(new long[] {n}, c.v(), false).tensor();
    }

    private static Tensor transpose(Const w) {
      int rows = (int) w.dims()[0];
      int cols = (int) w.dims()[1];
      float[] t = new float[rows * cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          t[c * rows + r] = (float) w.v()[r * cols + c];
        }
      }
      return Tensor.ofFloats(new long[] {cols, rows}, t);
    }

    private static int squareKernel(NodeProto n, long kh, long kw) {
      long[] ks = ints(n, "kernel_shape");
      if (ks != null && (ks.length != 2 || ks[0] != kh || ks[1] != kw)) {
        throw new IllegalArgumentException("kernel_shape " + Arrays.toString(ks) + " does not match the weight");
      }
      if (kh != kw) {
        throw new IllegalArgumentException("only square kernels are in the catalogue, got " + kh + "x" + kw);
      }
      return (int) kh;
    }

    /** An attribute whose values must all be equal (strides, dilations, pads), or {@code dflt}. */
    private static int equal(NodeProto n, String name, int dflt) {
      long[] v = ints(n, name);
      if (v == null || v.length == 0) {
        return dflt;
      }
      for (long x : v) {
        if (x != v[0]) {
          throw new IllegalArgumentException(name + " " + Arrays.toString(v) + " differ by axis or side; the catalogue"
              + " takes one value for all");
        }
      }
      return (int) v[0];
    }

    /** The symmetric padding of a convolution or pooling, from pads or auto_pad. */
    private static int padding(NodeProto n, int k, int stride, int dilation) {
      String auto = stringAttr(n, "auto_pad", "NOTSET");
      switch (auto) {
        case "NOTSET":
          return equal(n, "pads", 0);
        case "VALID":
          return 0;
        default:
          int total = dilation * (k - 1);
          if (stride == 1 && total % 2 == 0) {
            return total / 2;
          }
          throw new IllegalArgumentException("auto_pad " + auto + " pads unevenly here; give symmetric pads");
      }
    }

    private static AttributeProto attr(NodeProto n, String name) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.getName().equals(name)) {
          return a;
        }
      }
      return null;
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
      AttributeProto a = attr(n, name);
      return a == null ? dflt : a.getI();
    }

    /** A float attribute as the shortest decimal that rounds to it (0.2f reads as 0.2, not 0.2000000029...). */
    private static double floatAttr(NodeProto n, String name, double dflt) {
      AttributeProto a = attr(n, name);
      return a == null ? dflt : Double.parseDouble(Float.toString(a.getF()));
    }

    private static String stringAttr(NodeProto n, String name, String dflt) {
      AttributeProto a = attr(n, name);
      return a == null ? dflt : a.getS().toStringUtf8();
    }

    private static long[] ints(NodeProto n, String name) {
      AttributeProto a = attr(n, name);
      return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private Const constant(TensorProto t, String what) {
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        throw new HoldoutException(source + ": " + what + " is stored in an external data file, which holdout does"
            + " not read; save the model with its weights inside");
      }
      long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
      long count = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
      double[] v = new double[(int) count];
      ByteString raw = t.getRawData();
      int type = t.getDataType();
      int width = switch (type) {
        case FLOAT, INT32 -> 4;
        case DOUBLE, INT64 -> 8;
        default -> throw new HoldoutException(source + ": " + what + " is of ONNX type " + type
            + "; holdout reads float, double, int32 and int64 constants");
      };
      if (raw.isEmpty()) {
        int listed = switch (type) {
          case FLOAT -> t.getFloatDataCount();
          case DOUBLE -> t.getDoubleDataCount();
          case INT64 -> t.getInt64DataCount();
          default -> t.getInt32DataCount();
        };
        if (listed != count) {
          throw new HoldoutException(source + ": " + what + " has " + listed + " values for shape "
              + Arrays.toString(dims));
        }
      } else if (raw.size() != count * width) {
        throw new HoldoutException(source + ": " + what + " has " + raw.size() + " bytes of data for shape "
            + Arrays.toString(dims));
      }
      ByteBuffer buf = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < v.length; i++) {
        v[i] = switch (type) {
          case FLOAT -> raw.isEmpty() ? t.getFloatData(i) : buf.getFloat(i * 4);
          case DOUBLE -> raw.isEmpty() ? t.getDoubleData(i) : buf.getDouble(i * 8);
          case INT64 -> raw.isEmpty() ? t.getInt64Data(i) : buf.getLong(i * 8);
          default -> raw.isEmpty() ? t.getInt32Data(i) : buf.getInt(i * 4);
        };
      }
      boolean integer = type == INT64 || type == INT32;
      return new Const(dims, v, integer);
    }

    // --------------------------------------------------------------- outputs

    private ImportedModel finish() {
      Map<String, ImportedModel.Output> outputs = new LinkedHashMap<>();
      Set<String> heads = new HashSet<>();
      for (ValueInfoProto o : graph.getOutputList()) {
        if (headOutputs != null && !headOutputs.contains(o.getName())) {
          continue;
        }
        Value v = values.get(o.getName());
        if (!(v instanceof Ref r) || !nodes.containsKey(r.node())
            || !(nodes.get(r.node()).op() instanceof LayerSpec.Dense)) {
          String what = v instanceof Ref r && nodes.containsKey(r.node())
              ? "node '" + r.node() + "' (" + nodes.get(r.node()).op().type() + ")" : "no layer";
          throw new HoldoutException(source + ": output '" + o.getName() + "' comes from " + what + ", not a dense"
              + " layer: a holdout head ends with one");
        }
        Node dense = nodes.get(r.node());
        if (!heads.add(dense.name())) {
          throw new HoldoutException(source + ": outputs share the layer '" + dense.name() + "'");
        }
        outputs.put(o.getName(), new ImportedModel.Output(dense.inputs().get(0), weights.get(dense.name() + ".weight"),
            weights.get(dense.name() + ".bias"), dropped.get(o.getName())));
      }
      for (Node n : nodes.values()) {
        for (String i : n.inputs()) {
          if (heads.contains(i)) {
            throw new HoldoutException(source + ": output layer '" + i + "' is also read by node '" + n.name()
                + "'; a head's output layer must feed nothing else");
          }
        }
      }
      // keep what the outputs need: the heads' layers and anything unused (a SiLU's sigmoid) go
      Set<String> keep = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>();
      outputs.values().forEach(o -> todo.add(o.from()));
      while (!todo.isEmpty()) {
        String s = todo.pop();
        Node n = nodes.get(s);
        if (n != null && keep.add(s)) {
          todo.addAll(n.inputs());
        }
      }
      List<Node> kept = nodes.values().stream().filter(n -> keep.contains(n.name())).toList();
      Map<String, Tensor> w = new LinkedHashMap<>();
      for (Node n : kept) {
        weights.forEach((k, t) -> {
          if (k.startsWith(n.name() + ".") && k.indexOf('.', n.name().length() + 1) < 0) {
            w.put(k, t);
          }
        });
      }
      return new ImportedModel(source, kept, outputs, w);
    }
  }
}
