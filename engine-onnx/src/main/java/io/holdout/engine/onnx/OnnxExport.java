package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.holdout.api.HoldoutException;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *
 * <p>With an {@link OnnxPipeline} the graph also holds the preprocessing and postprocessing, so a
 * consumer feeds raw inputs: raw features or decoded pixels in (scaled, resized and standardised in
 * the graph), and softmax probabilities {@code <head>_probabilities} next to each classification
 * head's logits.
 */
public final class OnnxExport {
  /** The decoded-boxes output of an SSD export. */
  public static final String BOXES = "boxes";

  /** The class-probabilities output of an SSD export. */
  public static final String SCORES = "scores";

  /**
   * The metadata key an export with preprocessing records the network's input value under (what
   * the first layer reads, after the preprocessing), so {@link OnnxImport} reads the network alone.
   */
  public static final String NETWORK_INPUT = "network_input";

  /** The metadata key naming the head outputs (comma-separated) of an export with a pipeline. */
  public static final String NETWORK_OUTPUTS = "network_outputs";

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

  /**
   * The serialized inference model with its preprocessing and postprocessing (see {@link
   * OnnxPipeline}) and, when {@code decoding} is not null, SSD box decoding.
   *
   * @throws HoldoutException when the weights do not fit the model, an output name clashes, the
   *     standardisation does not fit the model's input, or {@code decoding} does not fit the heads
   */
  public static byte[] toBytes(ModelSpec model, Weights weights, Map<String, String> metadata,
      SsdDecoding decoding, OnnxPipeline pipeline) {
    Objects.requireNonNull(pipeline, "pipeline is null");
    return build(model, weights, metadata, decoding, pipeline).toByteArray();
  }

  /** Writes {@link #toBytes(ModelSpec, Weights, Map, SsdDecoding, OnnxPipeline)} to {@code file}, atomically. */
  public static void write(Path file, ModelSpec model, Weights weights, Map<String, String> metadata,
      SsdDecoding decoding, OnnxPipeline pipeline) {
    write(file, toBytes(model, weights, metadata, decoding, pipeline));
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
    return build(model, weights, metadata, ssd, OnnxPipeline.NONE);
  }

  static ModelProto build(ModelSpec model, Weights weights, Map<String, String> metadata, SsdDecoding ssd,
      OnnxPipeline pipeline) {
    Objects.requireNonNull(model, "model is null");
    Objects.requireNonNull(weights, "weights is null");
    Objects.requireNonNull(metadata, "metadata is null");
    weights.checkFits(model, "weights");
    Map<String, String> meta = new LinkedHashMap<>();
    metadata.forEach((k, v) -> meta.put(Objects.requireNonNull(k, "metadata key is null"),
        Objects.requireNonNull(v, () -> "metadata '" + k + "' is null")));

    OnnxGraph g = new OnnxGraph("holdout");
    g.reserve(Batch.INPUT);
    List<String> reservedOutputs = new ArrayList<>(ssd == null ? List.of() : List.of(BOXES, SCORES));
    List<HeadSpec> withProbabilities = pipeline.probabilities() ? model.heads().stream()
        .filter(h -> h.kind() == HeadKind.CLASSIFICATION && !h.isMultiScale()).toList() : List.of();
    withProbabilities.forEach(h -> reservedOutputs.add(h.name() + OnnxPipeline.PROBABILITIES));
    for (HeadSpec h : model.heads()) {
      if (h.name().equals(Batch.INPUT) || reservedOutputs.contains(h.name())) {
        throw new HoldoutException("cannot export head '" + h.name() + "' under its name: the exported"
            + " model uses '" + h.name() + "' for its " + (h.name().equals(Batch.INPUT) ? "input" : "output "
            + (h.name().endsWith(OnnxPipeline.PROBABILITIES) ? "of probabilities" : "of decoded boxes"))
            + "; rename the head");
      }
      g.reserve(h.name());
    }
    reservedOutputs.forEach(g::reserve);
    String x = input(g, model, pipeline);
    if (pipeline != OnnxPipeline.NONE) {
      meta.put(NETWORK_INPUT, x);
      meta.put(NETWORK_OUTPUTS, String.join(",", model.heads().stream().map(HeadSpec::name).toList()));
    }
    Map<String, String> y;
    try {
      y = ForwardGraph.build(g, model, x);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException("cannot export the model: " + e.getMessage(), e);
    }
    for (HeadSpec h : model.heads()) {
      g.opNamed("Identity", h.name(), List.of(y.get(h.name())));
      g.output(h.name(), OnnxGraph.FLOAT, EvalGraph.batched(model.outputShape(h.name())));
    }
    for (HeadSpec h : withProbabilities) {
      String p = h.name() + OnnxPipeline.PROBABILITIES;
      g.opNamed("Softmax", p, List.of(y.get(h.name())), attr("axis", 1));
      g.output(p, OnnxGraph.FLOAT, EvalGraph.batched(model.outputShape(h.name())));
    }
    String doc = "holdout model: input '" + Batch.INPUT + "' " + describeInput(model, pipeline)
        + "; one output per head" + (withProbabilities.isEmpty() ? ""
        : " (classification heads: logits, and softmax probabilities as '<head>" + OnnxPipeline.PROBABILITIES + "')");
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

  /**
   * Declares the graph input and adds the preprocessing of {@code pipeline}; returns the value the
   * network reads.
   */
  private static String input(OnnxGraph g, ModelSpec model, OnnxPipeline pipeline) {
    long[] shape = model.inputShape();
    String x = Batch.INPUT;
    switch (pipeline.input()) {
      case MODEL, FEATURES -> g.input(Batch.INPUT, OnnxGraph.FLOAT, EvalGraph.batched(shape));
      case IMAGE -> {
        if (shape.length != 3 || (shape[0] != 1 && shape[0] != 3)) {
          throw new HoldoutException("cannot export an image input for a model whose input is "
              + Arrays.toString(shape) + " (it needs [1 or 3, height, width])");
        }
        g.input(Batch.INPUT, OnnxGraph.UINT8, new long[] {-1, -1, -1, 3}, new String[] {OnnxGraph.BATCH, "height",
            "width", "channels"});
        // Images.toField: byte * (1f / 255f) in float; luma (0.299 R + 0.587 G + 0.114 B) * (1f / 255f)
        String pixels = g.cast(x, OnnxGraph.FLOAT);
        String scale = g.floats("pixel_scale", new float[] {1f / 255f});
        String chw;
        if (shape[0] == 3) {
          chw = g.transpose(g.mul(pixels, scale), 0, 3, 1, 2);
        } else {
          String r = g.mul(slice(g, pixels, 0, 1, 3), g.floats("luma_r", new float[] {0.299f}));
          String gr = g.mul(slice(g, pixels, 1, 2, 3), g.floats("luma_g", new float[] {0.587f}));
          String b = g.mul(slice(g, pixels, 2, 3, 3), g.floats("luma_b", new float[] {0.114f}));
          chw = g.transpose(g.mul(g.add(g.add(r, gr), b), scale), 0, 3, 1, 2);
        }
        // bilinear, half-pixel centres (holdout's Resize); the identity when the size already fits
        String sizes = g.concat(0, List.of(g.shape(chw, 0, 2), g.vector(shape[1], shape[2])));
        x = g.op("Resize", List.of(chw, "", "", sizes), attr("mode", "linear"),
            attr("coordinate_transformation_mode", "half_pixel"));
      }
      default -> throw new IllegalStateException();
    }
    if (pipeline.standardizes()) {
      float[] mean = pipeline.mean();
      long elements = 1;
      for (long d : shape) {
        elements *= d;
      }
      if (mean.length != elements) {
        throw new HoldoutException("cannot export the standardisation: it has " + mean.length + " means but the"
            + " model's input " + Arrays.toString(shape) + " has " + elements + " values");
      }
      x = g.div(g.sub(x, g.floats("input_mean", mean, shape)), g.floats("input_std", pipeline.std(), shape));
    }
    return x;
  }

  private static String describeInput(ModelSpec model, OnnxPipeline pipeline) {
    String dims = Arrays.toString(model.inputShape()).replaceAll("[\\[\\]]", "");
    return switch (pipeline.input()) {
      case MODEL -> "float32 [batch, " + dims + "]";
      case FEATURES -> "float32 [batch, " + dims + "] raw feature values"
          + (pipeline.standardizes() ? " (standardised in the graph)" : "");
      case IMAGE -> "uint8 [batch, height, width, 3] RGB pixels 0-255 (scaled to [0, 1] and resized to "
          + model.inputShape()[1] + "x" + model.inputShape()[2] + " in the graph"
          + (pipeline.standardizes() ? ", then standardised" : "") + ")";
    };
  }

  /** {@code x[..., from:to]} along {@code axis}. */
  private static String slice(OnnxGraph g, String x, long from, long to, long axis) {
    return g.op("Slice", List.of(x, g.vector(from), g.vector(to), g.vector(axis)));
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
