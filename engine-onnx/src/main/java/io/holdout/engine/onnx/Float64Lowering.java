package io.holdout.engine.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A float32 graph rewritten to compute in float64 (sessions with {@code engine.precision:
 * float64}), on ONNX Runtime's stock CPU kernels.
 *
 * <ul>
 *   <li>Every float tensor inside the graph becomes a double: initializers, constants, casts.
 *   <li>Inputs named in {@code doubleInputs} (parameters and optimizer state, which stay in ONNX
 *       Runtime from step to step) and the outputs {@code new.<name>} that replace them are double;
 *       other float inputs (batches, masks, learning rates) are fed as float32 and cast on entry,
 *       so are the outputs named in {@code doubleOutputs} (loss values); other float outputs
 *       (per-sample losses, head outputs) are cast to float32 on exit.
 *   <li>Operators ONNX Runtime's CPU build runs in float32 only are written with operators that
 *       have double kernels: {@code Conv} as one {@code Einsum} per kernel tap over strided slices
 *       of the padded input (groups as a block dimension), {@code ConvTranspose} as the stride-1
 *       convolution of the input spread out by the stride with the flipped kernel, {@code
 *       MaxUnpool} as a {@code ScatterElements} into zeros, {@code GlobalAveragePool} as {@code
 *       ReduceMean}; {@code OneHot} (values 0 and 1) runs in float and is cast.
 * </ul>
 *
 * <p>{@code AveragePool}, {@code Resize} and {@code Erf} have no double kernel either and are not
 * lowered: float64 sessions refuse the layers that need them ({@link #UNSUPPORTED}).
 *
 * <p>Nothing needs static shapes: slices count from the end of each axis, and reshapes read
 * their sizes with {@code Shape}.
 */
final class Float64Lowering {
  private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  private static final int DOUBLE = TensorProto.DataType.DOUBLE_VALUE;
  private static final long END = Long.MAX_VALUE;

  /** Layer types (activations by their function) float64 sessions refuse, with the reason. */
  static final Map<String, String> UNSUPPORTED = Map.of(
      "avgpool", "AveragePool", "upsample", "Resize", "gelu", "Erf");

  private final GraphProto.Builder out;
  /** Hands out value names the model does not use yet. */
  private final OnnxGraph names = new OnnxGraph("names");
  /** The 1-d int64 constants added, by value. */
  private final Map<String, String> constants = new HashMap<>();

  private Float64Lowering(GraphProto.Builder out) {
    this.out = out;
  }

  /**
   * {@code model} computing in float64; {@code doubleInputs} and {@code doubleOutputs} name the
   * inputs and outputs kept double at the edge.
   */
  static ModelProto lower(ModelProto model, Set<String> doubleInputs, Set<String> doubleOutputs) {
    GraphProto g = model.getGraph();
    GraphProto.Builder b = g.toBuilder().clearNode().clearInitializer().clearValueInfo().clearInput().clearOutput();
    Float64Lowering l = new Float64Lowering(b);
    Set<String> taken = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      taken.addAll(n.getOutputList());
    }
    g.getInputList().forEach(v -> taken.add(v.getName()));
    g.getInitializerList().forEach(t -> taken.add(t.getName()));
    taken.forEach(l.names::reserve);

    // float inputs fed as float32: cast on entry, every use reads the cast
    Map<String, String> renamed = new HashMap<>();
    for (ValueInfoProto v : g.getInputList()) {
      boolean isFloat = v.getType().getTensorType().getElemType() == FLOAT;
      if (isFloat && doubleInputs.contains(v.getName())) {
        b.addInput(retype(v, DOUBLE));
      } else {
        b.addInput(v);
        if (isFloat) {
          String inside = l.fresh(v.getName() + "_f64");
          renamed.put(v.getName(), inside);
          l.node("Cast", List.of(v.getName()), List.of(inside), List.of(OnnxGraph.attr("to", DOUBLE)));
        }
      }
    }
    // float outputs other than new.<state>: the producer writes a double, cast to float32 on exit
    Map<String, String> exits = new HashMap<>();
    for (ValueInfoProto v : g.getOutputList()) {
      boolean isFloat = v.getType().getTensorType().getElemType() == FLOAT;
      boolean state = doubleOutputs.contains(v.getName()) || v.getName().startsWith(TrainGraph.NEW)
          && doubleInputs.contains(v.getName().substring(TrainGraph.NEW.length()));
      if (isFloat && state) {
        b.addOutput(retype(v, DOUBLE));
      } else {
        b.addOutput(v);
        if (isFloat) {
          exits.put(v.getName(), l.fresh(v.getName() + "_f64"));
        }
      }
    }
    // OneHot keeps its float kernel (its values are 0 and 1), so keeps its float values
    Set<String> keepFloat = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("OneHot") && n.getInputCount() > 2) {
        keepFloat.add(n.getInput(2));
      }
    }
    for (TensorProto t : g.getInitializerList()) {
      b.addInitializer(t.getDataType() == FLOAT && !keepFloat.contains(t.getName()) ? toDouble(t) : t);
    }
    Deque<NodeProto> work = new ArrayDeque<>();
    for (NodeProto n : g.getNodeList()) {
      NodeProto.Builder nb = n.toBuilder();
      for (int i = 0; i < nb.getInputCount(); i++) {
        String r = renamed.get(nb.getInput(i));
        if (r != null) {
          nb.setInput(i, r);
        }
      }
      for (int i = 0; i < nb.getOutputCount(); i++) {
        String r = exits.get(nb.getOutput(i));
        if (r != null) {
          nb.setOutput(i, r);
        }
      }
      work.add(nb.build());
    }
    // consumers of a renamed graph output read the double
    List<NodeProto> nodes = new ArrayList<>(work);
    work.clear();
    for (NodeProto n : nodes) {
      NodeProto.Builder nb = n.toBuilder();
      for (int i = 0; i < nb.getInputCount(); i++) {
        String r = exits.get(nb.getInput(i));
        if (r != null) {
          nb.setInput(i, r);
        }
      }
      l.rewrite(nb.build());
    }
    exits.forEach((name, inside) -> l.node("Cast", List.of(inside), List.of(name), List.of(OnnxGraph.attr("to", FLOAT))));
    return model.toBuilder().setGraph(b).build();
  }

  private static ValueInfoProto retype(ValueInfoProto v, int elemType) {
    TypeProto.Builder t = v.getType().toBuilder();
    t.getTensorTypeBuilder().setElemType(elemType);
    return v.toBuilder().setType(t).build();
  }

  private static TensorProto toDouble(TensorProto t) {
    float[] f;
    if (t.hasRawData() && !t.getRawData().isEmpty()) {
      java.nio.FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      f = new float[fb.remaining()];
      fb.get(f);
    } else {
      f = new float[t.getFloatDataCount()];
      for (int i = 0; i < f.length; i++) {
        f[i] = t.getFloatData(i);
      }
    }
    ByteBuffer buf = ByteBuffer.allocate(f.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : f) {
      buf.putDouble(v);
    }
    buf.flip();
    return t.toBuilder().setDataType(DOUBLE).clearFloatData().setRawData(ByteString.copyFrom(buf)).build();
  }

  private static AttributeProto toDouble(AttributeProto a) {
    if (a.getType() == AttributeProto.AttributeType.TENSOR && a.getT().getDataType() == FLOAT) {
      return a.toBuilder().setT(toDouble(a.getT())).build();
    }
    return a;
  }

  /** Emits {@code n} in float64: retyped, or as operators that have double kernels. */
  private void rewrite(NodeProto n) {
    switch (n.getOpType()) {
      case "Conv" -> conv(n);
      case "ConvTranspose" -> convTranspose(n);
      case "MaxUnpool" -> maxUnpool(n);
      case "GlobalAveragePool" -> out.addNode(NodeProto.newBuilder().setOpType("ReduceMean").setName(fresh("f64_gap"))
          .addInput(n.getInput(0)).addInput(longs(2, 3)).addOutput(n.getOutput(0))
          .addAttribute(OnnxGraph.attr("keepdims", 1)));
      case "OneHot" -> {
        // 0/1 values, exact in float: the float kernel, then a cast
        String f = fresh("f64_onehot");
        out.addNode(n.toBuilder().setOutput(0, f));
        node("Cast", List.of(f), List.of(n.getOutput(0)), List.of(OnnxGraph.attr("to", DOUBLE)));
      }
      case "Cast" -> {
        NodeProto.Builder nb = n.toBuilder().clearAttribute();
        for (AttributeProto a : n.getAttributeList()) {
          nb.addAttribute(a.getName().equals("to") && a.getI() == FLOAT ? OnnxGraph.attr("to", DOUBLE) : a);
        }
        out.addNode(nb);
      }
      default -> {
        NodeProto.Builder nb = n.toBuilder().clearAttribute();
        n.getAttributeList().forEach(a -> nb.addAttribute(toDouble(a)));
        out.addNode(nb);
      }
    }
  }

  private static long[] ints(NodeProto n, String name, long... fallback) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
      }
    }
    return fallback;
  }

  private static long intAttr(NodeProto n, String name, long fallback) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return fallback;
  }

  private static void requireNotSet(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name) && !a.getS().toStringUtf8().equals("NOTSET")) {
        throw new IllegalStateException("float64: " + n.getOpType() + " with " + name + " is not lowered");
      }
    }
  }

  /**
   * {@code Conv}: the input padded, then per kernel tap {@code (i, j)} the strided slice it meets,
   * times the tap's {@code [M, C/g]} weights ({@code Einsum}), summed over the taps.
   */
  private void conv(NodeProto n) {
    requireNotSet(n, "auto_pad");
    String x = n.getInput(0);
    String w = n.getInput(1);
    String bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? n.getInput(2) : null;
    long[] k = ints(n, "kernel_shape");
    long[] s = ints(n, "strides", 1, 1);
    long[] d = ints(n, "dilations", 1, 1);
    long[] p = ints(n, "pads", 0, 0, 0, 0);
    long groups = intAttr(n, "group", 1);
    String xp = x;
    if (p[0] != 0 || p[1] != 0 || p[2] != 0 || p[3] != 0) {
      xp = op("Pad", List.of(x, longs(0, 0, p[0], p[1], 0, 0, p[2], p[3])));
    }
    String groupShape = null;
    String wShape = groups > 1 ? op("Shape", List.of(w)) : null;
    List<String> taps = new ArrayList<>();
    for (long i = 0; i < k[0]; i++) {
      for (long j = 0; j < k[1]; j++) {
        long endH = (k[0] - 1 - i) * d[0];
        long endW = (k[1] - 1 - j) * d[1];
        String patch = op("Slice", List.of(xp, longs(i * d[0], j * d[1]), longs(endH == 0 ? END : -endH,
            endW == 0 ? END : -endW), longs(2, 3), longs(s[0], s[1])));
        String tap = op("Squeeze", List.of(op("Slice", List.of(w, longs(i, j), longs(i + 1, j + 1), longs(2, 3))),
            longs(2, 3)));
        if (groups > 1 && groupShape == null) {
          // [N, C, Ho, Wo] -> [N, g, C/g, Ho, Wo] (every tap's patch has the same shape)
          String shape = op("Shape", List.of(patch));
          groupShape = op("Concat", List.of(slice1(shape, 0, 1), longs(groups, -1), slice1(shape, 2, 4)),
              OnnxGraph.attr("axis", 0));
        }
        if (groups == 1) {
          taps.add(op("Einsum", List.of(patch, tap), OnnxGraph.attr("equation", "nchw,mc->nmhw")));
        } else {
          // [M, C/g] -> [g, M/g, C/g]
          String tapShape = op("Concat", List.of(longs(groups, -1), slice1(wShape, 1, 2)), OnnxGraph.attr("axis", 0));
          String grouped = op("Einsum", List.of(op("Reshape", List.of(patch, groupShape)),
              op("Reshape", List.of(tap, tapShape))), OnnxGraph.attr("equation", "ngchw,gmc->ngmhw"));
          String shape = op("Shape", List.of(grouped));
          taps.add(op("Reshape", List.of(grouped, op("Concat", List.of(slice1(shape, 0, 1), longs(-1),
              slice1(shape, 3, 5)), OnnxGraph.attr("axis", 0)))));
        }
      }
    }
    String y = taps.size() == 1 ? taps.get(0) : op("Sum", taps);
    if (bias != null) {
      y = op("Add", List.of(y, op("Reshape", List.of(bias, longs(1, -1, 1, 1)))));
    }
    out.addNode(NodeProto.newBuilder().setOpType("Identity").addInput(y).addOutput(n.getOutput(0))
        .setName(fresh("f64_identity")));
  }

  /**
   * {@code ConvTranspose}: the input spread out by the stride (zeros between cells), padded by
   * {@code d·(k - 1) - pad} (plus the output padding at the end; a negative margin crops), through
   * a stride-1 {@code Conv} with the kernel flipped and its in/out channels swapped per group.
   */
  private void convTranspose(NodeProto n) {
    requireNotSet(n, "auto_pad");
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("output_shape")) {
        throw new IllegalStateException("float64: ConvTranspose with output_shape is not lowered");
      }
    }
    String x = n.getInput(0);
    String w = n.getInput(1);
    long[] k = ints(n, "kernel_shape");
    long[] s = ints(n, "strides", 1, 1);
    long[] d = ints(n, "dilations", 1, 1);
    long[] p = ints(n, "pads", 0, 0, 0, 0);
    long[] op = ints(n, "output_padding", 0, 0);
    long groups = intAttr(n, "group", 1);
    String spread = x;
    if (s[0] > 1 || s[1] > 1) {
      // [N, C, H, W] -> [N, C, H, 1, W, 1] -> zeros after each cell -> [N, C, H·s, W·s], last s - 1 cut
      String six = op("Unsqueeze", List.of(x, longs(3, 5)));
      String padded = op("Pad", List.of(six, longs(0, 0, 0, 0, 0, 0, 0, 0, 0, s[0] - 1, 0, s[1] - 1)));
      String shape = op("Shape", List.of(x));
      String big = op("Reshape", List.of(padded, op("Concat", List.of(slice1(shape, 0, 2),
          op("Mul", List.of(slice1(shape, 2, 4), longs(s[0], s[1])))), OnnxGraph.attr("axis", 0))));
      spread = op("Slice", List.of(big, longs(0, 0), longs(-(s[0] - 1) == 0 ? END : -(s[0] - 1),
          -(s[1] - 1) == 0 ? END : -(s[1] - 1)), longs(2, 3)));
    }
    long top = d[0] * (k[0] - 1) - p[0];
    long left = d[1] * (k[1] - 1) - p[1];
    long bottom = d[0] * (k[0] - 1) - p[2] + op[0];
    long right = d[1] * (k[1] - 1) - p[3] + op[1];
    String padded = spread;
    if (top != 0 || left != 0 || bottom != 0 || right != 0) {
      // Pad with negative amounts crops
      padded = op("Pad", List.of(spread, longs(0, 0, top, left, 0, 0, bottom, right)));
    }
    // [C, M/g, kh, kw] -> [g, C/g, M/g, kh, kw] -> [g, M/g, C/g, kh, kw] -> [M, C/g, kh, kw], flipped
    String wShape = op("Shape", List.of(w));
    String five = op("Reshape", List.of(w, op("Concat", List.of(longs(groups, -1), slice1(wShape, 1, 4)),
        OnnxGraph.attr("axis", 0))));
    String swapped = op("Transpose", List.of(five), OnnxGraph.ints("perm", 0, 2, 1, 3, 4));
    String sw = op("Shape", List.of(swapped));
    String merged = op("Reshape", List.of(swapped, op("Concat", List.of(longs(-1), slice1(sw, 2, 5)),
        OnnxGraph.attr("axis", 0))));
    String flipped = op("Slice", List.of(merged, longs(-1, -1), longs(Long.MIN_VALUE, Long.MIN_VALUE), longs(2, 3),
        longs(-1, -1)));
    List<String> inputs = new ArrayList<>(List.of(padded, flipped));
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      inputs.add(n.getInput(2));
    }
    NodeProto.Builder c = NodeProto.newBuilder().setOpType("Conv").setName(fresh("f64_conv")).addAllInput(inputs)
        .addOutput(n.getOutput(0)).addAttribute(OnnxGraph.ints("kernel_shape", k[0], k[1]))
        .addAttribute(OnnxGraph.ints("dilations", d[0], d[1])).addAttribute(OnnxGraph.attr("group", groups));
    conv(c.build());
  }

  /** {@code MaxUnpool(x, indices, shape)}: the values scattered into zeros of the flattened shape. */
  private void maxUnpool(NodeProto n) {
    if (n.getInputCount() < 3) {
      throw new IllegalStateException("float64: MaxUnpool without an output shape is not lowered");
    }
    String shape = n.getInput(2);
    String zeros = op("ConstantOfShape", List.of(op("ReduceProd", List.of(shape), OnnxGraph.attr("keepdims", 1))),
        doubleZero());
    String flat = op("ScatterElements", List.of(zeros, op("Reshape", List.of(n.getInput(1), longs(-1))),
        op("Reshape", List.of(n.getInput(0), longs(-1)))), OnnxGraph.attr("axis", 0));
    out.addNode(NodeProto.newBuilder().setOpType("Reshape").setName(fresh("f64_unpool")).addInput(flat)
        .addInput(shape).addOutput(n.getOutput(0)));
  }

  private static AttributeProto doubleZero() {
    TensorProto t = TensorProto.newBuilder().setDataType(DOUBLE).addDims(1)
        .setRawData(ByteString.copyFrom(new byte[8])).build();
    return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }

  /** {@code v[from:to]} of a 1-d int64 tensor. */
  private String slice1(String v, long from, long to) {
    return op("Slice", List.of(v, longs(from), longs(to), longs(0)));
  }

  /** A 1-d int64 constant (shared per value). */
  private String longs(long... values) {
    return constants.computeIfAbsent(java.util.Arrays.toString(values), key -> {
      String name = fresh("f64_const");
      ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      buf.asLongBuffer().put(values);
      out.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
          .addDims(values.length).setRawData(ByteString.copyFrom(buf)));
      return name;
    });
  }

  private String op(String type, List<String> inputs, AttributeProto... attrs) {
    String y = fresh("f64_" + type.toLowerCase(java.util.Locale.ROOT));
    node(type, inputs, List.of(y), List.of(attrs));
    return y;
  }

  private void node(String type, List<String> inputs, List<String> outputs, List<AttributeProto> attrs) {
    out.addNode(NodeProto.newBuilder().setOpType(type).setName(fresh("n_" + type)).addAllInput(inputs)
        .addAllOutput(outputs).addAllAttribute(attrs));
  }

  private String fresh(String hint) {
    return names.fresh(hint);
  }
}
