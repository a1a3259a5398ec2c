package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.holdout.api.HoldoutException;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a model with its weights as a standalone ONNX inference model (opset 18, IR version 8),
 * for ONNX Runtime or any other ONNX consumer; no holdout code is needed to run it.
 *
 * <p>The file has one input, {@value Batch#INPUT}: float32 {@code [batch, ...inputShape]} with a
 * dynamic batch dimension (dim_param {@code batch}), and one float32 output per head, named by the
 * head: {@code [batch, units]} for a usual head (logits for classification heads), {@code [batch,
 * A, units]} for a multi-scale head. The forward pass is the evaluation one: dropout is the
 * identity, batch norm uses the running statistics. Parameters are initializers named by their
 * portable names ({@code trunk.0.weight}, ...). The model's {@code producer_name} is {@code
 * holdout}, its {@code producer_version} this module's version, and {@code metadata_props} holds
 * the given entries (e.g. the holdout version and the config hash).
 *
 * <p>For SSD models, the overload with {@link SsdDecoding} also decodes the boxes in the graph: two
 * more outputs, {@code boxes} {@code [batch, A, 4]} as normalised corners {@code (xmin, ymin, xmax,
 * ymax)} clipped to {@code [0, 1]}, and {@code scores} {@code [batch, A, C + 1]}, the softmax of the
 * class logits (column 0 the background). Non-maximum suppression is not in the graph: run it in
 * Java on these outputs (the datasets module's {@code Nms}), as holdout's own evaluation does.
 */
public final class OnnxExport {
  /** The decoded-boxes output of an SSD export. */
  public static final String BOXES = "boxes";

  /** The class-probabilities output of an SSD export. */
  public static final String SCORES = "scores";

  private OnnxExport() {}

  /**
   * The serialized inference model (see the class comment).
   *
   * @param metadata entries for {@code metadata_props}, in iteration order
   * @throws HoldoutException when the weights do not fit the model or a head's name clashes with
   *     the input's
   */
  public static byte[] toBytes(ModelSpec model, Weights weights, Map<String, String> metadata) {
    return build(model, weights, metadata, null).toByteArray();
  }

  /**
   * The serialized inference model with SSD box decoding (see the class comment).
   *
   * @throws HoldoutException when the weights do not fit the model, a head's name clashes with an
   *     output's, or {@code decoding} does not fit the model's heads (names, widths, anchor count)
   */
  public static byte[] toBytes(
      ModelSpec model, Weights weights, Map<String, String> metadata, SsdDecoding decoding) {
    Objects.requireNonNull(decoding, "decoding is null");
    return build(model, weights, metadata, decoding).toByteArray();
  }

  /** Writes {@link #toBytes(ModelSpec, Weights, Map)} to {@code file}, atomically. */
  public static void write(Path file, ModelSpec model, Weights weights, Map<String, String> metadata) {
    write(file, toBytes(model, weights, metadata));
  }

  /** Writes {@link #toBytes(ModelSpec, Weights, Map, SsdDecoding)} to {@code file}, atomically. */
  public static void write(
      Path file, ModelSpec model, Weights weights, Map<String, String> metadata, SsdDecoding decoding) {
    write(file, toBytes(model, weights, metadata, decoding));
  }

  private static void write(Path file, byte[] bytes) {
    Objects.requireNonNull(file, "file is null");
    AtomicFiles.write(file, ch -> {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    });
  }

  static ModelProto build(ModelSpec model, Weights weights, Map<String, String> metadata, SsdDecoding ssd) {
    Objects.requireNonNull(model, "model is null");
    Objects.requireNonNull(weights, "weights is null");
    Objects.requireNonNull(metadata, "metadata is null");
    weights.checkFits(model, "weights");
    Map<String, String> meta = new LinkedHashMap<>();
    metadata.forEach((k, v) -> meta.put(Objects.requireNonNull(k, "metadata key is null"),
        Objects.requireNonNull(v, () -> "metadata '" + k + "' is null")));

    OnnxGraph g = new OnnxGraph("holdout");
    g.reserve(Batch.INPUT);
    List<String> reservedOutputs = ssd == null ? List.of() : List.of(BOXES, SCORES);
    for (HeadSpec h : model.heads()) {
      if (h.name().equals(Batch.INPUT) || reservedOutputs.contains(h.name())) {
        throw new HoldoutException("cannot export head '" + h.name() + "' under its name: the exported"
            + " model uses '" + h.name() + "' for its " + (h.name().equals(Batch.INPUT) ? "input" : "decoded output")
            + "; rename the head");
      }
      g.reserve(h.name());
    }
    reservedOutputs.forEach(g::reserve);
    g.input(Batch.INPUT, OnnxGraph.FLOAT, EvalGraph.batched(model.inputShape()));
    Map<String, String> y;
    try {
      y = ForwardGraph.build(g, model, Batch.INPUT);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException("cannot export the model: " + e.getMessage(), e);
    }
    for (HeadSpec h : model.heads()) {
      g.opNamed("Identity", h.name(), List.of(y.get(h.name())));
      g.output(h.name(), OnnxGraph.FLOAT, EvalGraph.batched(model.outputShape(h.name())));
    }
    String doc = "holdout model: input '" + Batch.INPUT + "' [batch, "
        + Arrays.toString(model.inputShape()).replaceAll("[\\[\\]]", "") + "]; one output per head";
    if (ssd != null) {
      long[] loc = check(model, ssd);
      decode(g, ssd, y.get(ssd.locHead()), y.get(ssd.confHead()));
      long classes = model.outputShape(ssd.confHead())[1];
      g.output(BOXES, OnnxGraph.FLOAT, new long[] {-1, loc[0], 4});
      g.output(SCORES, OnnxGraph.FLOAT, new long[] {-1, loc[0], classes});
      doc += "; '" + BOXES + "' [batch, anchors, 4] decoded corners (xmin, ymin, xmax, ymax) in [0, 1]"
          + " and '" + SCORES + "' [batch, anchors, classes + 1] softmax probabilities, background"
          + " first; non-maximum suppression is left to the caller";
    }
    ModelProto.Builder m = g.model(OnnxBackend.moduleVersion(), meta, doc).toBuilder();
    m.getGraphBuilder().addAllInitializer(ForwardGraph.initializers(model, weights));
    return m.build();
  }

  /** Checks {@code ssd} against the model; returns the box head's shape {@code [A, 4]}. */
  private static long[] check(ModelSpec model, SsdDecoding ssd) {
    HeadSpec loc = head(model, ssd.locHead(), "box offsets");
    HeadSpec conf = head(model, ssd.confHead(), "class logits");
    long[] l = model.outputShape(loc.name());
    long[] c = model.outputShape(conf.name());
    if (l[1] != 4) {
      throw new HoldoutException("SSD decoding: head '" + loc.name() + "' has " + l[1]
          + " values per anchor, not 4 box offsets");
    }
    if (c[0] != l[0]) {
      throw new HoldoutException("SSD decoding: head '" + conf.name() + "' has " + c[0]
          + " anchors but head '" + loc.name() + "' has " + l[0]);
    }
    if (c[1] < 2) {
      throw new HoldoutException("SSD decoding: head '" + conf.name() + "' has " + c[1]
          + " classes; it needs the background and at least one class");
    }
    if (ssd.size() != l[0]) {
      throw new HoldoutException("SSD decoding: " + ssd.size() + " anchors given but head '" + loc.name()
          + "' predicts " + l[0]);
    }
    return l;
  }

  private static HeadSpec head(ModelSpec model, String name, String what) {
    for (HeadSpec h : model.heads()) {
      if (h.name().equals(name)) {
        if (!h.isMultiScale()) {
          throw new HoldoutException("SSD decoding: head '" + name + "' (" + what + ") is not a multi-scale head");
        }
        return h;
      }
    }
    throw new HoldoutException("SSD decoding: the model has no head '" + name + "' (" + what
        + "); heads: " + model.heads().stream().map(HeadSpec::name).toList());
  }

  /** Adds the {@code boxes} and {@code scores} outputs (see {@link SsdDecoding}). */
  private static void decode(OnnxGraph g, SsdDecoding ssd, String loc, String conf) {
    float[] a = ssd.anchors();
    int n = ssd.size();
    float[] centres = new float[2 * n];
    float[] sizes = new float[2 * n];
    float[] steps = new float[2 * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 2; j++) {
        centres[2 * i + j] = a[4 * i + j];
        sizes[2 * i + j] = a[4 * i + 2 + j];
        steps[2 * i + j] = (float) (ssd.centreVariance() * a[4 * i + 2 + j]);
      }
    }
    String txy = slice(g, loc, 0, 2);
    String twh = slice(g, loc, 2, 4);
    String centre = g.add(g.floats("anchor_centres", centres, n, 2), g.mul(txy, g.floats("anchor_steps", steps, n, 2)));
    String scale = g.op("Exp", List.of(g.min(g.mul(twh, ssd.sizeVariance()), g.scalar(SsdDecoding.MAX_LOG_SCALE))));
    String half = g.mul(g.mul(g.floats("anchor_sizes", sizes, n, 2), scale), 0.5);
    String corners = g.concat(2, List.of(g.sub(centre, half), g.add(centre, half)));
    g.opNamed("Clip", BOXES, List.of(corners, g.scalar(0), g.scalar(1)));
    g.opNamed("Softmax", SCORES, List.of(conf), attr("axis", 2));
  }

  /** {@code x[:, :, from:to]}. */
  private static String slice(OnnxGraph g, String x, long from, long to) {
    return g.op("Slice", List.of(x, g.vector(from), g.vector(to), g.vector(2)));
  }
}
