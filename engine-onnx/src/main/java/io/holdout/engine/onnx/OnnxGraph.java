package io.holdout.engine.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph under construction (opset {@value #OPSET}, IR version {@value #IR_VERSION}), built
 * with the protobuf builders of the compiled ONNX schema: each operation helper adds one node and
 * returns the name of its output value. Value names are unique; names given by the caller (the
 * model input, head outputs, parameters) are reserved first, and generated names step around them.
 *
 * <p>Constants become initializers (scalars are shared by value), so a finished graph holds only
 * standard operators of the default domain.
 */
final class OnnxGraph {
  /** The operator set every graph imports. */
  static final int OPSET = 18;

  /** The IR version that goes with opset 18. */
  static final long IR_VERSION = 8;

  /** The symbolic name of the batch dimension of inputs and outputs. */
  static final String BATCH = "batch";

  static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  static final int INT64 = TensorProto.DataType.INT64_VALUE;
  static final int DOUBLE = TensorProto.DataType.DOUBLE_VALUE;
  static final int BOOL = TensorProto.DataType.BOOL_VALUE;
  static final int UINT8 = TensorProto.DataType.UINT8_VALUE;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Set<String> names = new HashSet<>();
  private final Map<String, String> scalars = new HashMap<>();
  private int counter;

  /** Whether {@link #scalar} keeps doubles exact (a graph {@link Float64Lowering} will lower). */
  private final boolean float64;

  OnnxGraph(String name) {
    this(name, false);
  }

  /** Whether this graph will be lowered to float64 (scalars are exact doubles). */
  boolean float64() {
    return float64;
  }

  OnnxGraph(String name, boolean float64) {
    graph.setName(name);
    this.float64 = float64;
  }

  /**
   * Claims {@code name} for a value the caller names itself.
   *
   * @throws IllegalArgumentException when the name is taken
   */
  void reserve(String name) {
    if (!names.add(name)) {
      throw new IllegalArgumentException("the ONNX value name '" + name + "' is used twice");
    }
  }

  /** Whether {@code name} is taken. */
  boolean taken(String name) {
    return names.contains(name);
  }

  /** A new unique value name built from {@code hint}. */
  String fresh(String hint) {
    String n;
    do {
      n = hint + "_" + counter++;
    } while (names.contains(n));
    names.add(n);
    return n;
  }

  // ---------------------------------------------------------------- inputs, outputs, initializers

  /**
   * Declares a graph input of element type {@code elemType}; {@code dims} of -1 become the dynamic
   * dimension {@value #BATCH}, and null dims leave the shape unknown.
   */
  void input(String name, int elemType, long[] dims) {
    graph.addInput(valueInfo(name, elemType, dims, null));
  }

  /**
   * Declares a graph input whose dynamic dimensions ({@code dims} of -1) are named {@code
   * dimNames} (by position; e.g. {@code batch}, {@code height}, {@code width}).
   */
  void input(String name, int elemType, long[] dims, String[] dimNames) {
    graph.addInput(valueInfo(name, elemType, dims, dimNames));
  }

  /** Declares {@code name} a graph output (see {@link #input} for {@code dims}). */
  void output(String name, int elemType, long[] dims) {
    graph.addOutput(valueInfo(name, elemType, dims, null));
  }

  private static ValueInfoProto valueInfo(String name, int elemType, long[] dims, String[] dimNames) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(elemType);
    if (dims != null) {
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      for (int i = 0; i < dims.length; i++) {
        long d = dims[i];
        shape.addDim(d < 0
            ? TensorShapeProto.Dimension.newBuilder().setDimParam(dimNames == null ? BATCH : dimNames[i])
            : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
      }
      t.setShape(shape);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
  }

  /** A float32 tensor proto named {@code name} holding {@code t}'s values (little-endian raw data). */
  static TensorProto tensor(String name, Tensor t) {
    if (t.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("tensor '" + name + "' is " + t.dtype() + ", not FLOAT32");
    }
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
    for (long d : t.shape()) {
      b.addDims(d);
    }
    return b.setRawData(ByteString.copyFrom(t.buffer())).build();
  }

  /** Adds an initializer (a constant of the graph). */
  void initializer(TensorProto t) {
    graph.addInitializer(t);
  }

  /** A float32 constant of the given shape. */
  String floats(String hint, float[] values, long... shape) {
    String name = fresh(hint);
    graph.addInitializer(tensor(name, Tensor.ofFloats(shape, values)));
    return name;
  }

  /** An int64 constant of the given shape. */
  String longs(String hint, long[] values, long... shape) {
    String name = fresh(hint);
    ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.asLongBuffer().put(values);
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(INT64);
    for (long d : shape) {
      b.addDims(d);
    }
    graph.addInitializer(b.setRawData(ByteString.copyFrom(buf)).build());
    return name;
  }

  /**
   * A 1-d int64 constant (axes, shapes, pads); equal values share one initializer, so that ONNX
   * Runtime's common-subexpression elimination merges nodes that differ only in which copy of a
   * constant they read (the two heads of a tap pad and transpose it alike).
   */
  String vector(long... values) {
    return scalars.computeIfAbsent("v" + java.util.Arrays.toString(values),
        k -> longs("const", values, values.length));
  }

  /**
   * A float scalar constant, rounded from {@code v} to float32 once (in a float64 graph the double
   * itself); equal values share one initializer.
   */
  String scalar(double v) {
    if (float64) {
      return scalarDouble(v);
    }
    float f = (float) v;
    return scalars.computeIfAbsent("f" + Float.floatToRawIntBits(f),
        k -> floats("scalar", new float[] {f}));
  }

  /** An int64 scalar constant; equal values share one initializer. */
  String scalarLong(long v) {
    return scalars.computeIfAbsent("l" + v, k -> longs("scalar", new long[] {v}));
  }

  /** A float64 scalar constant. */
  String scalarDouble(double v) {
    return scalars.computeIfAbsent("d" + Double.doubleToRawLongBits(v), k -> {
      String name = fresh("scalar");
      ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, v);
      graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(DOUBLE)
          .setRawData(ByteString.copyFrom(buf)).build());
      return name;
    });
  }

  // ---------------------------------------------------------------- nodes and attributes

  /** An integer attribute. */
  static AttributeProto attr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
  }

  /** A float attribute. */
  static AttributeProto attr(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(v).build();
  }

  /** An integer-list attribute. */
  static AttributeProto attr(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(v)).build();
  }

  static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long x : v) {
      b.addInts(x);
    }
    return b.build();
  }

  /** A tensor attribute holding one float (ConstantOfShape's value). */
  static AttributeProto scalarAttr(String name, float v) {
    TensorProto t = TensorProto.newBuilder().setDataType(FLOAT).addDims(1)
        .setRawData(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, v)))
        .build();
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(t).build();
  }

  /** Adds a node of {@code op} with one output named after {@code op}; returns that output. */
  String op(String op, List<String> inputs, AttributeProto... attrs) {
    return opNamed(op, fresh(op), inputs, attrs);
  }

  /** Adds a node of {@code op} whose one output is named {@code output} (reserved by the caller). */
  String opNamed(String op, String output, List<String> inputs, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName("node_" + output).addAllInput(inputs)
        .addOutput(output);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return output;
  }

  /** Adds a node with {@code outputs} outputs; returns their names. */
  List<String> opMulti(String op, List<String> inputs, int outputs, AttributeProto... attrs) {
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      outs.add(fresh(op + "_out" + i));
    }
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName("node_" + outs.get(0))
        .addAllInput(inputs).addAllOutput(outs);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return outs;
  }

  // ---------------------------------------------------------------- element-wise and shape helpers

  String add(String a, String b) {
    return op("Add", List.of(a, b));
  }

  String sub(String a, String b) {
    return op("Sub", List.of(a, b));
  }

  String mul(String a, String b) {
    return op("Mul", List.of(a, b));
  }

  /** {@code a · v}, the scalar rounded to float once. */
  String mul(String a, double v) {
    return mul(a, scalar(v));
  }

  String div(String a, String b) {
    return op("Div", List.of(a, b));
  }

  String neg(String a) {
    return op("Neg", List.of(a));
  }

  String abs(String a) {
    return op("Abs", List.of(a));
  }

  String min(String a, String b) {
    return op("Min", List.of(a, b));
  }

  String square(String a) {
    return mul(a, a);
  }

  /** Sum over {@code axes}, which are removed. */
  String sum(String x, long... axes) {
    return op("ReduceSum", List.of(x, vector(axes)), attr("keepdims", 0));
  }

  String reshape(String x, long... shape) {
    return op("Reshape", List.of(x, vector(shape)));
  }

  String unsqueeze(String x, long... axes) {
    return op("Unsqueeze", List.of(x, vector(axes)));
  }

  String squeeze(String x, long... axes) {
    return op("Squeeze", List.of(x, vector(axes)));
  }

  String cast(String x, int to) {
    return op("Cast", List.of(x), attr("to", to));
  }

  String where(String cond, String a, String b) {
    return op("Where", List.of(cond, a, b));
  }

  String concat(long axis, List<String> xs) {
    return xs.size() == 1 ? xs.get(0) : op("Concat", xs, attr("axis", axis));
  }

  String transpose(String x, long... perm) {
    return op("Transpose", List.of(x), ints("perm", perm));
  }

  /** Log-softmax along {@code axis} (opset 13 semantics: that axis only). */
  String logSoftmax(String x, long axis) {
    return op("LogSoftmax", List.of(x), attr("axis", axis));
  }

  /** Dimensions {@code [start, end)} of {@code x}'s shape, an int64 vector. */
  String shape(String x, long start, long end) {
    return op("Shape", List.of(x), attr("start", start), attr("end", end));
  }

  /** A float tensor of the (int64 vector) shape {@code shape} filled with {@code v}. */
  String filled(String shape, float v) {
    return op("ConstantOfShape", List.of(shape), scalarAttr("value", v));
  }

  /**
   * {@code a / b} where {@code b != 0}, else 0 ({@code b} is a count or a weight sum that depends on
   * the targets only).
   */
  String safeDiv(String a, String b) {
    String zero = op("Equal", List.of(b, scalar(0)));
    String den = where(zero, scalar(1), b);
    return where(zero, scalar(0), div(a, den));
  }

  /** The finished model: this graph, opset {@value #OPSET}, producer {@code holdout}. */
  ModelProto model(String producerVersion, Map<String, String> metadata, String doc) {
    ModelProto.Builder m = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName("holdout")
        .setProducerVersion(producerVersion)
        .setGraph(graph.build());
    if (doc != null) {
      m.setDocString(doc);
    }
    metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  /** The graph as built so far. */
  GraphProto build() {
    return graph.build();
  }
}
