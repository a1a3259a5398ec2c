package io.holdout.api.config;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ImportedModel;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelImporter;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.Weights;
import io.holdout.api.model.arch.Architectures;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns config sections into the neutral specs that backends compile. */
public final class Specs {
  private Specs() {}

  /**
   * The model: its layers (a chain, or a graph where layers name their inputs), then per head its
   * hidden layers and an output layer as wide as its target (classes for classification, the
   * value's width for regression).
   */
  public static ModelSpec model(ModelConfig m, DatasetSchema schema, String file) {
    ImportedModel imported = imported(m, schema, file);
    Architectures.Backbone backbone = null;
    if (m.architecture() != null) {
      try {
        backbone = Architectures.backbone(m.architecture(), m.width() == null ? 1.0 : m.width(),
            schema.inputShape());
      } catch (IllegalArgumentException ex) {
        throw new HoldoutException(file + ": model.architecture: " + ex.getMessage());
      }
    }
    List<Node> first = backbone != null ? backbone.nodes() : imported != null ? imported.nodes() : List.of();
    List<String> names = new ArrayList<>();
    first.forEach(n -> names.add(n.name()));
    List<String> own = nodeNames(m.layers());
    names.addAll(own);
    Map<String, String> takes = imported == null ? Map.of() : headOutputs(m, imported, file);
    List<HeadSpec> heads = new ArrayList<>();
    for (Map.Entry<String, HeadConfig> e : m.heads().entrySet()) {
      HeadConfig h = e.getValue();
      TargetInfo t = schema.targets().get(h.target());
      if (t == null) {
        throw new HoldoutException(file + ": head '" + e.getKey() + "' predicts unknown target '" + h.target()
            + "' (targets: " + schema.targets().keySet() + ")");
      }
      HeadKind kind = "classification".equals(h.type()) ? HeadKind.CLASSIFICATION : HeadKind.REGRESSION;
      if (t.kind() == TargetKind.DETECTION || !h.taps().isEmpty()) {
        heads.add(detectionHead(e.getKey(), h, h.taps(), kind, t, names, file));
        continue;
      }
      if (kind == HeadKind.CLASSIFICATION && t.kind() != TargetKind.CLASS) {
        throw new HoldoutException(file + ": head '" + e.getKey() + "' is a classification head but target '"
            + h.target() + "' is not a class target");
      }
      if (kind == HeadKind.REGRESSION && t.kind() != TargetKind.NUMBER) {
        throw new HoldoutException(file + ": head '" + e.getKey() + "' is a regression head but target '"
            + h.target() + "' is not a number target");
      }
      String output = takes.get(e.getKey());
      if (output != null) {
        ImportedModel.Output o = imported.outputs().get(output);
        if (o.units() != t.units()) {
          throw new HoldoutException(file + ": head '" + e.getKey() + "' needs " + t.units() + " outputs for target '"
              + h.target() + "' but output '" + output + "' of " + m.onnx() + " has " + o.units() + "; to train a new"
              + " output layer, give the head 'from: " + o.from() + "' (the node that layer reads)");
        }
        heads.add(HeadSpec.on(o.from(), e.getKey(), kind, List.of(new LayerSpec.Dense(o.units()))));
        continue;
      }
      List<LayerSpec> layers = new ArrayList<>(layers(h.layers()));
      layers.add(new LayerSpec.Dense(t.units()));
      heads.add(h.from() == null ? new HeadSpec(e.getKey(), kind, layers)
          : HeadSpec.on(h.from(), e.getKey(), kind, layers));
    }
    try {
      if (first.isEmpty() && !isGraph(m)) {
        return new ModelSpec(schema.inputShape(), layers(m.layers()), heads);
      }
      List<Node> nodes = new ArrayList<>(first);
      String prev = backbone != null ? backbone.last()
          : imported != null ? imported.outputs().values().iterator().next().from() : ModelSpec.INPUT;
      for (int i = 0; i < m.layers().size(); i++) {
        LayerConfig l = m.layers().get(i);
        List<String> inputs = l.inputs() == null ? List.of(prev) : l.inputs();
        nodes.add(new Node(own.get(i), layer(l), inputs));
        prev = own.get(i);
      }
      return ModelSpec.graph(schema.inputShape(), nodes, heads);
    } catch (IllegalArgumentException ex) {
      throw new HoldoutException(file + ": model: " + ex.getMessage());
    }
  }

  /**
   * The weights a model starts from: the seeded initialisation ({@link Weights#initialize}), with an
   * imported network's own weights (its nodes and the output layers its heads took over) in place.
   */
  public static Weights initialWeights(ModelConfig m, ModelSpec spec, DatasetSchema schema, String file, long seed) {
    Weights init = Weights.initialize(spec, seed);
    ImportedModel imported = imported(m, schema, file);
    if (imported == null) {
      return init;
    }
    Map<String, Tensor> out = new LinkedHashMap<>(init.tensors());
    Map<String, Tensor> given = new LinkedHashMap<>(imported.weights());
    headOutputs(m, imported, file).forEach((head, output) -> given.putAll(imported.headWeights(output, head)));
    given.forEach((name, t) -> {
      Tensor was = out.get(name);
      if (was != null && java.util.Arrays.equals(was.shape(), t.shape())) {
        out.put(name, t);
      }
    });
    return new Weights(out);
  }

  /**
   * One line on what {@code model.onnx} brought in (its nodes, which output each head took over and
   * what was left out after it), or null without an import.
   */
  public static String describeImport(ModelConfig m, DatasetSchema schema, String file) {
    ImportedModel imported = imported(m, schema, file);
    if (imported == null) {
      return null;
    }
    StringBuilder b = new StringBuilder(m.onnx() + " (onnx): " + imported.nodes().size() + " nodes, "
        + imported.weights().size() + " weight tensors");
    headOutputs(m, imported, file).forEach((head, output) -> {
      ImportedModel.Output o = imported.outputs().get(output);
      b.append("; head ").append(head).append(" <- output '").append(output).append("'");
      if (o.dropped() != null) {
        b.append(" (the ").append(o.dropped()).append(" after it left out: heads output logits)");
      }
    });
    return b.toString();
  }

  /** The imported network of {@code model.onnx}, or null when there is none. */
  private static ImportedModel imported(ModelConfig m, DatasetSchema schema, String file) {
    if (m.onnx() == null) {
      return null;
    }
    Path path = Path.of(m.onnx());
    if (!path.isAbsolute()) {
      Path dir = Path.of(file).toAbsolutePath().getParent();
      path = dir == null ? path : dir.resolve(path).normalize();
    }
    if (!Files.isRegularFile(path)) {
      throw new HoldoutException(file + ": model.onnx: file not found: " + path);
    }
    try {
      return ModelImporter.of("onnx").read(path, schema.inputShape());
    } catch (HoldoutException e) {
      throw new HoldoutException(file + ": model.onnx: " + e.getMessage(), e);
    }
  }

  /**
   * Which output of the imported graph each head takes over (head name to output name): a head with
   * no {@code from}, no layers and no taps takes the output of its own name, or the only output.
   */
  private static Map<String, String> headOutputs(ModelConfig m, ImportedModel imported, String file) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> free = m.heads().entrySet().stream()
        .filter(e -> e.getValue().from() == null && e.getValue().layers().isEmpty() && e.getValue().taps().isEmpty())
        .map(Map.Entry::getKey).toList();
    for (String head : free) {
      if (imported.outputs().containsKey(head)) {
        out.put(head, head);
      } else if (imported.outputs().size() == 1 && free.size() == 1) {
        out.put(head, imported.outputs().keySet().iterator().next());
      } else {
        throw new HoldoutException(file + ": head '" + head + "' matches no output of " + m.onnx() + " (outputs: "
            + imported.outputs().keySet() + "): name the head after one, or give it 'from: <node>' to train a new"
            + " output layer");
      }
    }
    return out;
  }

  /** Whether the layers form a graph: some layer or head names a node. */
  static boolean isGraph(ModelConfig m) {
    return m.layers().stream().anyMatch(l -> l.name() != null || l.inputs() != null)
        || m.heads().values().stream().anyMatch(h -> h.from() != null);
  }

  /** Each layer's node name: its own, or {@code trunk.<i>}. */
  static List<String> nodeNames(List<LayerConfig> layers) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      String n = layers.get(i).name();
      out.add(n != null ? n : HeadSpec.trunkNode(i));
    }
    return out;
  }

  /**
   * The node a tap names: a node name, or a 0-based index into {@code model.layers}; null when it
   * is neither.
   */
  static String tapNode(String tap, List<String> names) {
    if (names.contains(tap)) {
      return tap;
    }
    try {
      int i = Integer.parseInt(tap.trim());
      return i >= 0 && i < names.size() ? names.get(i) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * A multi-scale head on a detection target: 4 box offsets per anchor for a regression head, the
   * classes plus the background (class 0) for a classification head.
   */
  private static HeadSpec detectionHead(String name, HeadConfig h, List<String> tapNames, HeadKind kind,
      TargetInfo t, List<String> names, String file) {
    if (tapNames.isEmpty()) {
      throw new HoldoutException(file + ": head '" + name + "' predicts detection target '" + h.target()
          + "': give it 'taps' (the trunk layers whose feature maps it reads)");
    }
    if (t.kind() != TargetKind.DETECTION) {
      throw new HoldoutException(file + ": multi-scale head '" + name + "' must predict a detection target (boxes "
          + "or labels), not '" + h.target() + "'");
    }
    int units;
    if (kind == HeadKind.REGRESSION) {
      if (t.shape().length != 2 || t.shape()[1] != 4) {
        throw new HoldoutException(file + ": regression head '" + name + "' predicts box offsets: its target must "
            + "be the boxes, not '" + h.target() + "'");
      }
      units = 4;
    } else {
      if (t.shape().length != 1) {
        throw new HoldoutException(file + ": classification head '" + name + "' predicts classes: its target must "
            + "be the labels, not '" + h.target() + "'");
      }
      units = t.classCount() + 1;
    }
    List<String> taps = new ArrayList<>();
    for (String tap : tapNames) {
      String node = tapNode(tap, names);
      if (node == null) {
        throw new HoldoutException(file + ": 'model.heads." + name + ".taps' has '" + tap + "', neither a layer"
            + " name nor a layer index (0.." + (names.size() - 1) + ")");
      }
      taps.add(node);
    }
    HeadSpec.Predictor predictor = "separable".equals(h.predictor()) ? HeadSpec.Predictor.SEPARABLE
        : HeadSpec.Predictor.CONV;
    try {
      return HeadSpec.multiScaleOn(name, kind, units, taps, h.anchorsPerLocation(), predictor);
    } catch (IllegalArgumentException ex) {
      throw new HoldoutException(file + ": head '" + name + "': " + ex.getMessage());
    }
  }

  public static List<LayerSpec> layers(List<LayerConfig> configs) {
    List<LayerSpec> out = new ArrayList<>();
    for (LayerConfig l : configs) {
      out.add(layer(l));
    }
    return out;
  }

  /** One layer's spec; the config validator has checked its keys. */
  public static LayerSpec layer(LayerConfig l) {
    int stride = l.stride() == null ? 1 : l.stride();
    int padding = l.padding() == null ? 0 : l.padding();
    boolean ceil = l.ceil() != null && l.ceil();
    LayerSpec.Activation.Fn fn = LayerSpec.Activation.Fn.of(l.type());
    if (fn != null) {
      return fn == LayerSpec.Activation.Fn.LEAKY_RELU && l.slope() != null
          ? new LayerSpec.Activation(fn, l.slope()) : new LayerSpec.Activation(fn);
    }
    return switch (l.type()) {
      case "dense" -> new LayerSpec.Dense(l.units());
      case "relu" -> new LayerSpec.Relu();
      case "dropout" -> new LayerSpec.Dropout(l.rate());
      case "flatten" -> new LayerSpec.Flatten();
      case "conv2d" -> new LayerSpec.Conv2d(l.filters(), l.kernel(), stride, padding,
          l.dilation() == null ? 1 : l.dilation(), l.groups() == null ? 1 : l.groups(), l.bias() == null || l.bias());
      case "batchnorm" -> new LayerSpec.BatchNorm();
      case "maxpool" -> new LayerSpec.MaxPool(l.kernel(), l.stride() == null ? l.kernel() : l.stride(), padding, ceil);
      case "avgpool" -> new LayerSpec.AvgPool(l.kernel(), l.stride() == null ? l.kernel() : l.stride(), padding, ceil);
      case "global_avgpool" -> new LayerSpec.GlobalAvgPool();
      case "add" -> new LayerSpec.Add();
      case "mul" -> new LayerSpec.Mul();
      case "concat" -> new LayerSpec.Concat(l.axis() == null ? 0 : l.axis());
      case "anchors" -> new LayerSpec.Anchors(l.units());
      case "conv_transpose2d" -> new LayerSpec.ConvTranspose2d(l.filters(), l.kernel(), stride, padding,
          l.outputPadding() == null ? 0 : l.outputPadding(), l.bias() == null || l.bias());
      case "layer_norm" -> new LayerSpec.LayerNorm(l.axis() == null ? -1 : l.axis());
      case "l2norm" -> new LayerSpec.L2Norm(l.scale() == null ? LayerSpec.L2Norm.SSD_SCALE : l.scale());
      case "upsample" -> new LayerSpec.Upsample(l.scale().intValue(), "bilinear".equals(l.mode()),
          l.alignCorners() != null && l.alignCorners());
      case "reshape" -> new LayerSpec.Reshape(l.shape());
      case "embedding" -> new LayerSpec.Embedding(l.vocab(), l.dim());
      default -> throw new IllegalArgumentException("unknown layer type " + l.type());
    };
  }

  public static LossSpec loss(List<LossConfig> configs) {
    List<LossComponentSpec> out = new ArrayList<>();
    for (LossConfig c : configs) {
      out.add(new LossComponentSpec(c.name(), c.type(), c.weight(), c.output(), c.target(), c.params()));
    }
    return new LossSpec(out);
  }

  /**
   * The optimizer of {@code o}, built by the optimizer registered under its type on the class path
   * ({@link io.holdout.api.extension.Extensions#installed()}).
   */
  public static OptimizerSpec optimizer(OptimizerConfig o) {
    return io.holdout.api.extension.Parts.build(io.holdout.api.extension.Extensions.installed().optimizers(), o, null);
  }

  /** The optimizer of {@code o} whose registered factory gave {@code rule}. */
  public static OptimizerSpec optimizer(OptimizerConfig o, io.holdout.api.optim.UpdateRule rule) {
    return new OptimizerSpec(o.type(), o.lr(), o.momentum(), o.nesterov(), o.weightDecay(), o.beta1(),
        o.beta2(), o.eps(), o.clipNorm(), rule);
  }
}
