package io.holdout.checks;

import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * The layer catalogue's numerics cases: every layer type alone and in small stacks, and the head
 * arrangements (layers inside a head, several heads on one trunk, multi-scale heads reading the
 * same taps), each at two sizes, since engines pick kernels by shape. Every head is trained with
 * MSE against a target {@code t_<head>}.
 */
public final class LayerCases {
  private LayerCases() {}

  /**
   * Layer types a case may use as probes around the layer under test (a dense head, a flatten, a
   * convolution feeding it, an add that scales its input).
   */
  static final Set<String> PROBES = Set.of("dense", "flatten", "conv2d", "add");

  /**
   * A named model and the batch size it is checked at.
   *
   * @param title what is checked, with the input size: {@code conv2d stride 2 padding 1 [4x2x6x5]}
   * @param base the title without the size, shared by a case's two sizes
   */
  public record LayerCase(String title, String base, ModelSpec model, int batch) {
    @Override
    public String toString() {
      return title;
    }

    /**
     * True when this case checks something a model of {@code types} uses: every layer type of the
     * case is one of {@code types} or a probe (dense, flatten), and at least one is one of {@code
     * types}.
     */
    public boolean covers(Set<String> types) {
      boolean any = false;
      for (String t : model.layerTypes()) {
        if (!types.contains(t) && !PROBES.contains(t)) {
          return false;
        }
        any |= types.contains(t);
      }
      return any;
    }

    /** The layer types of the case, sorted. */
    public Set<String> layerTypes() {
      return new TreeSet<>(model.layerTypes());
    }
  }

  /** Every case, at both sizes. */
  public static List<LayerCase> all() {
    List<LayerCase> out = new ArrayList<>();
    both(out, "dense + relu, two heads", s -> new ModelSpec(new long[] {5 + 2 * s},
        List.of(new LayerSpec.Dense(4 + s), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3), HeadSpec.dense("z", HeadKind.REGRESSION, 2))));
    both(out, "conv2d stride 2 padding 1", s -> new ModelSpec(new long[] {2 + s, 6 + s, 5 + 3 * s},
        List.of(new LayerSpec.Conv2d(3 + s, 3, 2, 1), new LayerSpec.Relu(), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d kernel 2 no padding", s -> new ModelSpec(new long[] {1 + s, 5, 5 - s},
        List.of(new LayerSpec.Conv2d(2, 2, 1, 0), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3))));
    both(out, "conv2d 3x3 padding 1 to 16 channels", s -> new ModelSpec(new long[] {3, 4 + 2 * s, 4 + s},
        List.of(new LayerSpec.Conv2d(16, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "maxpool 2/2 with floor", s -> new ModelSpec(new long[] {2 - s, 5 + 3 * s, 7 - s},
        List.of(new LayerSpec.Conv2d(2, 3, 1, 1), new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "maxpool 3/2 overlapping", s -> new ModelSpec(new long[] {2 + s, 7 + 2 * s, 6 + s},
        List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.MaxPool(3, 2), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "batchnorm 2-d", s -> new ModelSpec(new long[] {2 + s, 4 + s, 4 - s},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "batchnorm 1-d", s -> new ModelSpec(new long[] {5 + 3 * s},
        List.of(new LayerSpec.Dense(6 + 2 * s), new LayerSpec.BatchNorm(), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "flatten of an image", s -> new ModelSpec(new long[] {2 + s, 3, 2 + s},
        List.of(new LayerSpec.Flatten()), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 3))));
    both(out, "layers inside a head", s -> new ModelSpec(new long[] {4 + s},
        List.of(new LayerSpec.Dense(4), new LayerSpec.Relu()),
        List.of(new HeadSpec("y", HeadKind.REGRESSION,
            List.of(new LayerSpec.Dense(5 + s), new LayerSpec.Relu(), new LayerSpec.Dense(2))))));
    both(out, "multi-scale heads over two taps", s -> new ModelSpec(new long[] {2, 6 + 2 * s, 6 + 2 * s},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(3, 3, 1, 1)),
        List.of(HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(1, 3), 2),
            HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 3, List.of(3, 1), 1))));
    both(out, "multi-scale heads over three taps, ReLU taps", s -> new ModelSpec(new long[] {1 + s, 8, 8},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2)),
        List.of(HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(1, 4, 5), 2 + s),
            HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 3, List.of(1, 4, 5), 2 + s))));
    for (LayerSpec.Activation.Fn fn : LayerSpec.Activation.Fn.values()) {
      LayerSpec.Activation act = fn == LayerSpec.Activation.Fn.LEAKY_RELU
          ? new LayerSpec.Activation(fn, 0.1) : new LayerSpec.Activation(fn);
      // the conv output summed 8 times spans about ±8: both sides of every kink (0, ±3, 6)
      both(out, fn.id() + " on a conv map", s -> ModelSpec.graph(new long[] {2 + s, 4, 3 + s}, List.of(
              Node.onInput("conv", new LayerSpec.Conv2d(3, 3, 1, 1)),
              new Node("scaled", new LayerSpec.Add(), java.util.Collections.nCopies(8, "conv")),
              new Node("act", act, "scaled"),
              new Node("flat", new LayerSpec.Flatten(), "act")),
          List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    }
    both(out, "softmax over features", s -> new ModelSpec(new long[] {4 + s},
        List.of(new LayerSpec.Dense(5 + s), new LayerSpec.Activation(LayerSpec.Activation.Fn.SOFTMAX)),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d depthwise 3x3, no bias", s -> new ModelSpec(new long[] {3 + s, 5, 4 + s},
        List.of(new LayerSpec.Conv2d(3 + s, 3, 1, 1, 1, 3 + s, false), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d depthwise stride 2 on a small map, after a pointwise conv", s -> new ModelSpec(
        new long[] {3 + s, 4, 5 + s},
        List.of(new LayerSpec.Conv2d(4, 1, 1, 0), new LayerSpec.Conv2d(4, 3, 2, 1, 1, 4, true),
            new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d depthwise stride 2", s -> new ModelSpec(new long[] {4, 6 + s, 7},
        List.of(new LayerSpec.Conv2d(4, 3, 2, 1, 1, 4, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d depthwise multiplier 2", s -> new ModelSpec(new long[] {2 + s, 4, 5},
        List.of(new LayerSpec.Conv2d(2 * (2 + s), 3, 1, 1, 1, 2 + s, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d 2 groups", s -> new ModelSpec(new long[] {4, 4 + s, 5},
        List.of(new LayerSpec.Conv2d(6, 3, 1 + s, 1, 1, 2, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d dilation 2", s -> new ModelSpec(new long[] {2, 7 + s, 6},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 2, 2, 1, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d dilation 2 to fewer channels, then stride 2 to more", s -> new ModelSpec(
        new long[] {4 + s, 8, 7 + s},
        List.of(new LayerSpec.Conv2d(2, 3, 1, 0, 2, 1, true), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(5, 3, 2, 1, 1, 1, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv2d pointwise, no bias", s -> new ModelSpec(new long[] {3 + s, 3, 4},
        List.of(new LayerSpec.Conv2d(5, 1, 1, 0, 1, 1, false), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "maxpool 3/2 padding 1", s -> new ModelSpec(new long[] {2, 7 + s, 6 + s},
        List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.MaxPool(3, 2, 1, false), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "maxpool 2/2 ceil", s -> new ModelSpec(new long[] {2, 5 + 2 * s, 7},
        List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.MaxPool(2, 2, 0, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "avgpool 3/1 padding 1", s -> new ModelSpec(new long[] {2, 4 + s, 5},
        List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.AvgPool(3, 1, 1, false), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "avgpool 2/2 ceil", s -> new ModelSpec(new long[] {2, 5, 5 + 2 * s},
        List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.AvgPool(2, 2, 0, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "global_avgpool", s -> new ModelSpec(new long[] {2, 4 + s, 3 + 2 * s},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.GlobalAvgPool(), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "residual add", s -> ModelSpec.graph(new long[] {3, 4 + s, 4}, List.of(
            Node.onInput("a", new LayerSpec.Conv2d(3, 3, 1, 1, 1, 1, false)),
            new Node("bn", new LayerSpec.BatchNorm(), "a"),
            new Node("r", new LayerSpec.Relu(), "bn"),
            new Node("b", new LayerSpec.Conv2d(3, 3, 1, 1), "r"),
            new Node("sum", new LayerSpec.Add(), List.of("b", ModelSpec.INPUT)),
            new Node("flat", new LayerSpec.Flatten(), "sum")),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "squeeze-and-excitation mul", s -> ModelSpec.graph(new long[] {4, 3 + s, 4}, List.of(
            Node.onInput("x", new LayerSpec.Conv2d(4, 3, 1, 1)),
            new Node("pool", new LayerSpec.GlobalAvgPool(), "x"),
            new Node("down", new LayerSpec.Conv2d(2, 1, 1, 0), "pool"),
            new Node("relu", new LayerSpec.Relu(), "down"),
            new Node("up", new LayerSpec.Conv2d(4, 1, 1, 0), "relu"),
            new Node("gate", new LayerSpec.Activation(LayerSpec.Activation.Fn.HARD_SIGMOID), "up"),
            new Node("scaled", new LayerSpec.Mul(), List.of("x", "gate")),
            new Node("flat", new LayerSpec.Flatten(), "scaled")),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "concat of two branches", s -> ModelSpec.graph(new long[] {2, 4, 3 + s}, List.of(
            Node.onInput("a", new LayerSpec.Conv2d(2, 1, 1, 0)),
            Node.onInput("b", new LayerSpec.Conv2d(3, 3, 1, 1)),
            new Node("cat", new LayerSpec.Concat(0), List.of("a", "b", ModelSpec.INPUT)),
            new Node("mix", new LayerSpec.Conv2d(2, 3, 1, 1), "cat"),
            new Node("flat", new LayerSpec.Flatten(), "mix")),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "SSD-Lite heads over two taps", s -> ModelSpec.graph(new long[] {2, 6 + 2 * s, 6}, List.of(
            Node.onInput("c1", new LayerSpec.Conv2d(4, 3, 1, 1)),
            new Node("r1", new LayerSpec.Activation(LayerSpec.Activation.Fn.RELU6), "c1"),
            new Node("c2", new LayerSpec.Conv2d(3, 3, 2, 1), "r1")),
        List.of(HeadSpec.multiScaleOn("loc", HeadKind.REGRESSION, 4, List.of("r1", "c2"), 2,
                HeadSpec.Predictor.SEPARABLE),
            HeadSpec.multiScaleOn("conf", HeadKind.CLASSIFICATION, 3, List.of("r1", "c2"), 2,
                HeadSpec.Predictor.SEPARABLE))));
    both(out, "conv_transpose2d stride 2 padding 1 output padding 1", s -> new ModelSpec(new long[] {2 + s, 3, 4 + s},
        List.of(new LayerSpec.ConvTranspose2d(3, 3, 2, 1, 1, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv_transpose2d kernel 2 stride 2, no bias", s -> new ModelSpec(new long[] {3, 2 + s, 3},
        List.of(new LayerSpec.ConvTranspose2d(2 + s, 2, 2, 0, 0, false), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "conv_transpose2d 3x3 stride 1 padding 1 after a conv", s -> new ModelSpec(new long[] {2, 4, 3 + s},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.ConvTranspose2d(2, 3, 1, 1, 0, true),
            new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "layer_norm over features", s -> new ModelSpec(new long[] {4 + s},
        List.of(new LayerSpec.Dense(5 + 2 * s), new LayerSpec.LayerNorm(-1)),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "layer_norm over the channels of an image", s -> new ModelSpec(new long[] {2, 3 + s, 4},
        List.of(new LayerSpec.Conv2d(4 + s, 3, 1, 1), new LayerSpec.LayerNorm(0), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "layer_norm over the last axis of an image", s -> new ModelSpec(new long[] {2, 3, 4 + s},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.LayerNorm(-1), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "l2norm with a learned scale on a conv map", s -> new ModelSpec(new long[] {2, 4, 3 + s},
        List.of(new LayerSpec.Conv2d(3 + s, 3, 1, 1), new LayerSpec.L2Norm(2 + s), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "l2norm over features", s -> new ModelSpec(new long[] {3 + s},
        List.of(new LayerSpec.Dense(4 + s), new LayerSpec.L2Norm(LayerSpec.L2Norm.SSD_SCALE)),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "upsample nearest x2", s -> new ModelSpec(new long[] {2, 3, 2 + s},
        List.of(new LayerSpec.Conv2d(2, 3, 1, 1), new LayerSpec.Upsample(2, false, false),
            new LayerSpec.Conv2d(2, 3, 1, 1), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "upsample bilinear x2", s -> new ModelSpec(new long[] {2, 3 + s, 2},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.Upsample(2, true, false),
            new LayerSpec.Conv2d(2, 3, 1, 1), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "upsample bilinear x3 align corners", s -> new ModelSpec(new long[] {2, 2 + s, 3},
        List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.Upsample(3, true, true), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "reshape of a conv map, softmax over its rows", s -> new ModelSpec(new long[] {2, 4, 3 + s},
        List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.Reshape(List.of(6L, -1L)),
            new LayerSpec.Activation(LayerSpec.Activation.Fn.SOFTMAX), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "reshape of features to an image", s -> new ModelSpec(new long[] {5},
        List.of(new LayerSpec.Dense(12 + 6 * s), new LayerSpec.Reshape(List.of(-1L, 2L, 3L)),
            new LayerSpec.Conv2d(2, 3, 1, 1), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "embedding of indices", s -> new ModelSpec(new long[] {4 + s},
        List.of(new LayerSpec.Embedding(7 + s, 3 + s), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    both(out, "embedding + layer_norm", s -> new ModelSpec(new long[] {3},
        List.of(new LayerSpec.Embedding(5, 4 + s), new LayerSpec.LayerNorm(-1), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2))));
    return List.copyOf(out);
  }

  /** The cases a model of {@code layerTypes} relies on (see {@link LayerCase#covers}). */
  public static List<LayerCase> covering(Set<String> layerTypes) {
    return all().stream().filter(c -> c.covers(layerTypes)).toList();
  }

  private static void both(List<LayerCase> out, String title, IntFunction<ModelSpec> size) {
    for (int s = 0; s < 2; s++) {
      ModelSpec m = size.apply(s);
      int batch = s == 0 ? 4 : 3;
      StringBuilder shape = new StringBuilder().append(batch);
      for (long d : m.inputShape()) {
        shape.append('x').append(d);
      }
      out.add(new LayerCase(title + " [" + shape + "]", title, m, batch));
    }
  }
}
