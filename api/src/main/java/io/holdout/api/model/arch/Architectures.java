package io.holdout.api.model.arch;

import static io.holdout.api.model.arch.GraphBuilder.divisible;
import static io.holdout.api.model.arch.GraphBuilder.hardSigmoid;
import static io.holdout.api.model.arch.GraphBuilder.hardSwish;
import static io.holdout.api.model.arch.GraphBuilder.relu;
import static io.holdout.api.model.arch.GraphBuilder.relu6;

import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named architectures built from the layer catalogue: engine-neutral backbones whose nodes have
 * stable names (so config heads can tap them), plus classifier and SSD / SSD-Lite detector models
 * over any of them. Channel widths follow each paper's rounding for width multipliers.
 *
 * <p>Parameter counts at width 1.0 with a 1000-class classifier equal the published ones (see
 * docs/models.md): MobileNetV1 4,231,976; MobileNetV2 3,504,872; MobileNetV3-small 2,542,856;
 * ResNet-18 11,689,512; VGG-16 138,357,544.
 */
public final class Architectures {
  private Architectures() {}

  /**
   * A backbone: its nodes, its last node (an image), and the nodes an SSD head taps by default
   * (feature maps from fine to coarse).
   */
  public record Backbone(String name, List<Node> nodes, String last, List<String> taps) {}

  /** The names {@link #backbone} knows. */
  public static final List<String> NAMES = List.of("mobilenet_v1", "mobilenet_v2", "mobilenet_v3_small",
      "resnet18", "resnet_small", "vgg16", "vgg_small");

  /**
   * The backbone {@code name} of width multiplier {@code width} over images of {@code inputShape};
   * the {@code _ssdlite} suffix adds SSD-Lite's extra feature layers (see {@link #ssdExtras}).
   */
  public static Backbone backbone(String name, double width, long[] inputShape) {
    if (!(width > 0) || width > 4) {
      throw new IllegalArgumentException("architecture width must be in (0, 4], got " + width);
    }
    String base = name.toLowerCase(Locale.ROOT);
    boolean extras = base.endsWith("_ssdlite");
    if (extras) {
      base = base.substring(0, base.length() - "_ssdlite".length());
    }
    GraphBuilder g = new GraphBuilder(inputShape);
    Backbone b = switch (base) {
      case "mobilenet_v1" -> mobileNetV1(g, width);
      case "mobilenet_v2" -> mobileNetV2(g, width);
      case "mobilenet_v3_small" -> mobileNetV3Small(g, width);
      case "resnet18" -> resnet(g, width, new int[] {2, 2, 2, 2}, 64, true);
      case "resnet_small" -> resnet(g, width, new int[] {1, 1, 1}, 16, false);
      case "vgg16" -> vgg(g, width, new int[][] {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512},
          {512, 512, 512}});
      case "vgg_small" -> vgg(g, width, new int[][] {{16}, {32}, {64, 64}});
      default -> throw new IllegalArgumentException("unknown architecture '" + name + "' (known: " + NAMES
          + ", each also with _ssdlite)");
    };
    return extras ? ssdExtras(g, b) : b;
  }

  /**
   * A classifier: {@code backbone}, global average pooling, flatten, then a head {@code head} of
   * {@code layers} (e.g. dropout and a dense layer as wide as the classes).
   */
  public static ModelSpec classifier(Backbone backbone, long[] inputShape, String head, List<LayerSpec> layers) {
    List<Node> nodes = new ArrayList<>(backbone.nodes());
    nodes.add(new Node("pool", new LayerSpec.GlobalAvgPool(), backbone.last()));
    nodes.add(new Node("flatten", new LayerSpec.Flatten(), "pool"));
    return ModelSpec.graph(inputShape, nodes, List.of(HeadSpec.on("flatten", head, HeadKind.CLASSIFICATION, layers)));
  }

  /** The ImageNet classifier of a backbone, as published: dropout (where the paper has it) and 1000 classes. */
  public static ModelSpec imagenet(String name, double width) {
    long[] in = {3, 224, 224};
    Backbone b = backbone(name, width, in);
    double dropout = switch (name) {
      case "mobilenet_v2", "mobilenet_v1" -> 0.2;
      default -> 0;
    };
    if (name.startsWith("vgg")) {
      return vggClassifier(b, in, 1000);
    }
    if (name.equals("mobilenet_v3_small")) {
      return ModelSpec.graph(in, withPool(b), List.of(HeadSpec.on("flatten", "label", HeadKind.CLASSIFICATION,
          List.of(new LayerSpec.Dense(1024), hardSwish(), new LayerSpec.Dropout(0.2), new LayerSpec.Dense(1000)))));
    }
    List<LayerSpec> head = dropout > 0 ? List.of(new LayerSpec.Dropout(dropout), new LayerSpec.Dense(1000))
        : List.of(new LayerSpec.Dense(1000));
    return classifier(b, in, "label", head);
  }

  private static List<Node> withPool(Backbone b) {
    List<Node> nodes = new ArrayList<>(b.nodes());
    nodes.add(new Node("pool", new LayerSpec.GlobalAvgPool(), b.last()));
    nodes.add(new Node("flatten", new LayerSpec.Flatten(), "pool"));
    return nodes;
  }

  /** VGG's classifier: 7×7 average pooling of the last map, then 4096, 4096 and the classes. */
  private static ModelSpec vggClassifier(Backbone b, long[] in, int classes) {
    List<Node> nodes = new ArrayList<>(b.nodes());
    nodes.add(new Node("flatten", new LayerSpec.Flatten(), b.last()));
    return ModelSpec.graph(in, nodes, List.of(HeadSpec.on("flatten", "label", HeadKind.CLASSIFICATION, List.of(
        new LayerSpec.Dense(4096), relu(), new LayerSpec.Dropout(0.5), new LayerSpec.Dense(4096), relu(),
        new LayerSpec.Dropout(0.5), new LayerSpec.Dense(classes)))));
  }

  /**
   * An SSD-Lite detector: {@code backbone}'s taps each feed a box head ({@code loc}, 4 offsets per
   * anchor) and a class head ({@code conf}, {@code classes + 1} logits, background first) with
   * depthwise-separable predictors.
   */
  public static ModelSpec ssdLite(Backbone backbone, long[] inputShape, int classes, int anchorsPerLocation) {
    return ModelSpec.graph(inputShape, backbone.nodes(), List.of(
        HeadSpec.multiScaleOn("loc", HeadKind.REGRESSION, 4, backbone.taps(), anchorsPerLocation,
            HeadSpec.Predictor.SEPARABLE),
        HeadSpec.multiScaleOn("conf", HeadKind.CLASSIFICATION, classes + 1, backbone.taps(), anchorsPerLocation,
            HeadSpec.Predictor.SEPARABLE)));
  }

  /**
   * SSD-Lite's extra feature layers after a backbone (as MobileNetV2-SSD-Lite): four inverted
   * residual blocks of stride 2 to 512, 256, 256 and 64 channels (expansion 0.2, 0.25, 0.5, 0.25),
   * named {@code extra1} .. {@code extra4}, each appended to the taps while its map is at least 1×1.
   */
  static Backbone ssdExtras(GraphBuilder g, Backbone b) {
    int[] out = {512, 256, 256, 64};
    double[] expand = {0.2, 0.25, 0.5, 0.25};
    List<String> taps = new ArrayList<>(b.taps());
    String x = b.last();
    for (int i = 0; i < out.length; i++) {
      long[] s = g.shape(x);
      if (s[1] < 2 || s[2] < 2) {
        break;
      }
      x = invertedResidual(g, "extra" + (i + 1), x, out[i], 2, expand[i]);
      taps.add(x);
    }
    return new Backbone(b.name() + "_ssdlite", g.nodes(), x, taps);
  }

  /**
   * MobileNetV1 (Howard et al. 2017): a 3×3 stride-2 convolution to 32·w channels, then 13
   * depthwise-separable blocks ({@code block<i>.dw}, {@code block<i>.pw}), each convolution followed
   * by batch norm and ReLU. Taps: the stride-16 map (block 11) and the last.
   */
  static Backbone mobileNetV1(GraphBuilder g, double width) {
    int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
        {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
    String x = g.convBn("stem", io.holdout.api.model.ModelSpec.INPUT, channels(32, width), 3, 2, 1, relu());
    String c4 = null;
    for (int i = 0; i < blocks.length; i++) {
      String p = "block" + (i + 1);
      x = g.convBn(p + ".dw", x, g.channels(x), 3, blocks[i][1], g.channels(x), relu());
      x = g.convBn(p + ".pw", x, channels(blocks[i][0], width), 1, 1, 1, relu());
      if (i == 10) {
        c4 = x;
      }
    }
    return new Backbone("mobilenet_v1", g.nodes(), x, List.of(c4, x));
  }

  /** {@code c·width} rounded as MobileNet does (multiples of 8). */
  static int channels(int c, double width) {
    return divisible(c * width, 8);
  }

  /**
   * MobileNetV2 (Sandler et al. 2018): a 3×3 stride-2 stem, 17 inverted residual blocks ({@code
   * block1} .. {@code block17}: 1×1 expansion, 3×3 depthwise, 1×1 linear projection, each with
   * batch norm, ReLU6 after the first two, a residual add where shape allows) and a 1×1
   * convolution to 1280 channels ({@code last}). Taps, as SSD-Lite: the expansion of block 14 (the
   * first of stride 32; its input is the stride-16 map) and {@code last}.
   */
  static Backbone mobileNetV2(GraphBuilder g, double width) {
    int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2},
        {6, 320, 1, 1}};
    String x = g.convBn("stem", ModelSpec.INPUT, channels(32, width), 3, 2, 1, relu6());
    int block = 0;
    String c4 = null;
    for (int[] s : settings) {
      for (int i = 0; i < s[2]; i++) {
        block++;
        String p = "block" + block;
        if (block == 14) {
          c4 = p + ".expand.act";
        }
        x = invertedResidual(g, p, x, channels(s[1], width), i == 0 ? s[3] : 1, s[0]);
      }
    }
    x = g.convBn("last", x, divisible(1280 * Math.max(1.0, width), 8), 1, 1, 1, relu6());
    return new Backbone("mobilenet_v2", g.nodes(), x, List.of(c4, x));
  }

  /**
   * An inverted residual block: {@code <p>.expand} (1×1 to {@code round(in·t)} channels, skipped
   * when {@code t = 1}), {@code <p>.dw} (3×3 depthwise, stride {@code stride}), {@code <p>.project}
   * (1×1, linear), and {@code <p>.add} when the stride is 1 and the channels agree.
   */
  static String invertedResidual(GraphBuilder g, String p, String x, int out, int stride, double t) {
    int in = g.channels(x);
    int hidden = (int) Math.round(in * t);
    String y = x;
    if (t != 1) {
      y = g.convBn(p + ".expand", y, hidden, 1, 1, 1, relu6());
    }
    y = g.convBn(p + ".dw", y, hidden, 3, stride, hidden, relu6());
    y = g.convBn(p + ".project", y, out, 1, 1, 1, null);
    if (stride == 1 && in == out) {
      y = g.add(p + ".add", new LayerSpec.Add(), x, y);
    }
    return y;
  }

  /**
   * MobileNetV3-small (Howard et al. 2019): a 3×3 stride-2 hard-swish stem to 16 channels, 11
   * bottlenecks ({@code block1} .. {@code block11}) with squeeze-and-excitation ({@code <p>.se}:
   * global pool, 1×1 down to the expansion/4 rounded to 8, ReLU, 1×1 up, hard-sigmoid, multiply)
   * where the paper has it, and a 1×1 convolution to 576 channels ({@code last}, hard-swish). Taps:
   * the stride-16 map (block 8) and {@code last}.
   */
  static Backbone mobileNetV3Small(GraphBuilder g, double width) {
    // kernel, expansion, out, SE, hard-swish, stride
    Object[][] settings = {
      {3, 16, 16, true, false, 2}, {3, 72, 24, false, false, 2}, {3, 88, 24, false, false, 1},
      {5, 96, 40, true, true, 2}, {5, 240, 40, true, true, 1}, {5, 240, 40, true, true, 1},
      {5, 120, 48, true, true, 1}, {5, 144, 48, true, true, 1}, {5, 288, 96, true, true, 2},
      {5, 576, 96, true, true, 1}, {5, 576, 96, true, true, 1}};
    String x = g.convBn("stem", ModelSpec.INPUT, channels(16, width), 3, 2, 1, hardSwish());
    String c4 = null;
    for (int i = 0; i < settings.length; i++) {
      Object[] s = settings[i];
      String p = "block" + (i + 1);
      int k = (int) s[0];
      int exp = channels((int) s[1], width);
      int out = channels((int) s[2], width);
      boolean se = (boolean) s[3];
      LayerSpec act = (boolean) s[4] ? hardSwish() : relu();
      int stride = (int) s[5];
      int in = g.channels(x);
      String y = x;
      if (exp != in) {
        y = g.convBn(p + ".expand", y, exp, 1, 1, 1, act);
      }
      y = g.convBn(p + ".dw", y, exp, k, stride, exp, act);
      if (se) {
        int squeeze = divisible(exp / 4.0, 8);
        String pool = g.add(p + ".se.pool", new LayerSpec.GlobalAvgPool(), y);
        String down = g.add(p + ".se.down", new LayerSpec.Conv2d(squeeze, 1, 1, 0), pool);
        String r = g.add(p + ".se.relu", relu(), down);
        String up = g.add(p + ".se.up", new LayerSpec.Conv2d(exp, 1, 1, 0), r);
        String gate = g.add(p + ".se.gate", hardSigmoid(), up);
        y = g.add(p + ".se.scale", new LayerSpec.Mul(), y, gate);
      }
      y = g.convBn(p + ".project", y, out, 1, 1, 1, null);
      if (stride == 1 && in == out) {
        y = g.add(p + ".add", new LayerSpec.Add(), x, y);
      }
      x = y;
      if (i == 7) {
        c4 = x;
      }
    }
    x = g.convBn("last", x, channels(96, width) * 6, 1, 1, 1, hardSwish());
    return new Backbone("mobilenet_v3_small", g.nodes(), x, List.of(c4, x));
  }

  /**
   * A ResNet of basic blocks (He et al. 2016): {@code stages[i]} blocks per stage at {@code base·2^i}
   * channels (times {@code width}), stride 2 from the second stage on. The ImageNet stem ({@code
   * imagenetStem}) is a 7×7 stride-2 convolution and a 3×3 stride-2 max pool, the small one a 3×3
   * convolution. A block {@code stage<s>.<b>} is conv-bn-relu, conv-bn, a shortcut (a 1×1 stride
   * convolution with batch norm where the shape changes), add, ReLU. ResNet-18 is stages {2, 2, 2,
   * 2}, base 64. Taps: the last two stages.
   */
  static Backbone resnet(GraphBuilder g, double width, int[] stages, int base, boolean imagenetStem) {
    String x;
    if (imagenetStem) {
      x = g.add("stem.conv", new LayerSpec.Conv2d(channels(base, width), 7, 2, 3, 1, 1, false), ModelSpec.INPUT);
      x = g.add("stem.bn", new LayerSpec.BatchNorm(), x);
      x = g.add("stem.act", relu(), x);
      x = g.add("stem.pool", new LayerSpec.MaxPool(3, 2, 1, false), x);
    } else {
      x = g.convBn("stem", ModelSpec.INPUT, channels(base, width), 3, 1, 1, relu());
    }
    List<String> ends = new ArrayList<>();
    for (int s = 0; s < stages.length; s++) {
      int out = channels(base << s, width);
      for (int b = 0; b < stages[s]; b++) {
        String p = "stage" + (s + 1) + "." + (b + 1);
        int stride = s > 0 && b == 0 ? 2 : 1;
        String y = g.convBn(p + ".a", x, out, 3, stride, 1, relu());
        y = g.convBn(p + ".b", y, out, 3, 1, 1, null);
        String shortcut = x;
        if (stride != 1 || g.channels(x) != out) {
          shortcut = g.convBn(p + ".down", x, out, 1, stride, 1, null);
        }
        y = g.add(p + ".add", new LayerSpec.Add(), shortcut, y);
        x = g.add(p + ".act", relu(), y);
      }
      ends.add(x);
    }
    String name = imagenetStem ? "resnet18" : "resnet_small";
    return new Backbone(name, g.nodes(), x, ends.subList(Math.max(0, ends.size() - 2), ends.size()));
  }

  /**
   * VGG (Simonyan and Zisserman 2015): stages of 3×3 convolutions with bias and ReLU ({@code
   * stage<s>.<i>}), each stage closed by a 2×2 max pool ({@code stage<s>.pool}, ceil rounding as
   * VGG-SSD). Taps: the last convolution of the last two stages.
   */
  static Backbone vgg(GraphBuilder g, double width, int[][] stages) {
    String x = ModelSpec.INPUT;
    List<String> ends = new ArrayList<>();
    for (int s = 0; s < stages.length; s++) {
      for (int i = 0; i < stages[s].length; i++) {
        String p = "stage" + (s + 1) + "." + (i + 1);
        x = g.add(p + ".conv", new LayerSpec.Conv2d(channels(stages[s][i], width), 3, 1, 1), x);
        x = g.add(p + ".act", relu(), x);
      }
      ends.add(x);
      x = g.add("stage" + (s + 1) + ".pool", new LayerSpec.MaxPool(2, 2, 0, true), x);
    }
    return new Backbone(stages.length == 5 ? "vgg16" : "vgg_small", g.nodes(), x,
        ends.subList(Math.max(0, ends.size() - 2), ends.size()));
  }

  /** Trainable parameters of {@code m} (batch-norm running statistics excluded), as papers count them. */
  public static long trainableParameters(ModelSpec m) {
    long n = 0;
    for (var p : m.parameters()) {
      if (p.role().trainable()) {
        long e = 1;
        for (long d : p.shape()) {
          e *= d;
        }
        n += e;
      }
    }
    return n;
  }

  /** Each backbone's tap names, for documentation and error messages. */
  public static Map<String, List<String>> taps(long[] inputShape) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String n : NAMES) {
      out.put(n, backbone(n, 1.0, inputShape).taps());
    }
    return out;
  }
}
