package io.holdout.engine.onnx;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;

import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The models, losses, weights and batches the module's tests share. */
final class Models {
  private Models() {}

  /** Like {@code examples/iris-multitask.yaml}: 3 features, two hidden layers, species and petal width. */
  static ModelSpec iris() {
    return new ModelSpec(new long[] {3},
        List.of(new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dropout(0.1),
            new LayerSpec.Dense(32), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3),
            HeadSpec.dense("petal_width", HeadKind.REGRESSION, 1)));
  }

  /** The example's two components, and three more on the same heads with options and reductions. */
  static LossSpec irisLoss() {
    return new LossSpec(List.of(
        LossComponentSpec.of("regression", "mse", 1.0, "petal_width", "petal_width"),
        LossComponentSpec.of("classification", "cross_entropy", 1.0, "species", "species"),
        new LossComponentSpec("robust", "huber", 0.5, "petal_width", "petal_width",
            Map.of("delta", 0.3, "reduction", "sum")),
        new LossComponentSpec("smoothed", "cross_entropy", 0.2, "species", "species",
            Map.of("label_smoothing", 0.1, "class_weights", List.of(1.0, 2.0, 0.5))),
        new LossComponentSpec("focus", "focal", 0.1, "species", "species", Map.of("gamma", 2.0))));
  }

  static Batch irisBatch(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return batch("input", floats(Fixtures.normal(r, n * 3, 1), n, 3),
        "species", longs(Fixtures.labels(r, n, 3), n),
        "petal_width", floats(Fixtures.normal(r, n, 1), n, 1));
  }

  /** Anchors per cell of {@link #detector()}. */
  static final int K = 2;

  /** Anchors of {@link #detector()}: (8·8 + 4·4) cells × 2. */
  static final int ANCHORS = (64 + 16) * K;

  /**
   * An SSD-like detector on {@code [3, 16, 16]} images: conv, batch norm, ReLU and max pooling,
   * box and class heads over an 8×8 and a 4×4 feature map, background + 2 classes.
   */
  static ModelSpec detector() {
    return new ModelSpec(new long[] {3, 16, 16},
        List.of(new LayerSpec.Conv2d(8, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(8, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(8, 3, 2, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu()),
        List.of(HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(6, 9), K),
            HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 3, List.of(6, 9), K)));
  }

  static LossSpec detectorLoss() {
    return new LossSpec(List.of(
        new LossComponentSpec("localisation", "multibox_loc", 1.0, "loc", "boxes", Map.of("labels", "labels")),
        new LossComponentSpec("confidence", "multibox_conf", 1.0, "conf", "labels", Map.of("neg_pos_ratio", 3))));
  }

  /**
   * Seeded initial weights whose batch-norm tensors are far from their defaults: scale in [0.5,
   * 1.5], shift in [-0.3, 0.3], running mean in [-0.5, 0.5] and running variance in [0.3, 2].
   */
  static Weights withBatchNormStatistics(ModelSpec spec, long seed) {
    Weights w = Weights.initialize(spec, seed);
    SplittableRandom r = new SplittableRandom(seed + 1);
    Map<String, Tensor> out = new LinkedHashMap<>(w.tensors());
    for (ParamInfo p : spec.parameters()) {
      int n = (int) Tensor.elementCount(p.shape());
      float[] v = switch (p.role()) {
        case BN_GAMMA -> Fixtures.uniform(r, n, 0.5, 1.5);
        case BN_BETA -> Fixtures.uniform(r, n, -0.3, 0.3);
        case BN_RUNNING_MEAN -> Fixtures.uniform(r, n, -0.5, 0.5);
        case BN_RUNNING_VAR -> Fixtures.uniform(r, n, 0.3, 2);
        default -> null;
      };
      if (v != null) {
        out.put(p.name(), floats(v, p.shape()));
      }
    }
    return new Weights(out);
  }

  /** Encoded boxes {@code [n, A, 4]} and anchor labels {@code [n, A]} (about 1 in 10 positive). */
  static Batch detections(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] labels = new long[n * ANCHORS];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextInt(10) == 0 ? 1 + r.nextInt(2) : 0;
    }
    return batch("input", floats(Fixtures.normal(r, n * 3 * 16 * 16, 1), n, 3, 16, 16),
        "boxes", floats(Fixtures.normal(r, n * ANCHORS * 4, 1), n, ANCHORS, 4),
        "labels", longs(labels, n, ANCHORS));
  }
}
