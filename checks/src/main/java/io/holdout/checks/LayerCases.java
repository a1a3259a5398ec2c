package io.holdout.checks;

import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
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

  /** Layer types a case may use as probes around the layer under test (a dense head, a flatten). */
  static final Set<String> PROBES = Set.of("dense", "flatten");

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
