package io.holdout.engine.pytorch;

import static io.holdout.engine.pytorch.TestData.batch;
import static io.holdout.engine.pytorch.TestData.floats;
import static io.holdout.engine.pytorch.TestData.longs;
import static io.holdout.engine.pytorch.TestData.loss;
import static io.holdout.engine.pytorch.TestData.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The multi-scale (SSD) head against a pure-Java computation, and MultiBox training through it. */
class MultiScaleHeadTest {

  @Test
  void outputMatchesDirectComputation() {
    // input [2, 4, 4] -> relu (tap 0: 2x4x4) -> maxpool 2 (tap 1: 2x2x2); k = 2 anchors, 3 units
    int n = 2;
    int c = 2;
    int k = 2;
    int units = 3;
    ModelSpec spec =
        new ModelSpec(
            new long[] {c, 4, 4},
            List.of(new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2)),
            List.of(HeadSpec.multiScale("h", HeadKind.REGRESSION, units, List.of(0, 1), k)));
    assertThat(spec.outputShape("h")).containsExactly((16 + 4) * k, units);
    Weights w = Weights.initialize(spec, 5);
    float[] x = TestData.normal(new SplittableRandom(9), n * c * 16, 1);
    int anchors = 40;
    Batch b =
        batch("input", floats(x, n, c, 4, 4), "t", floats(new float[n * anchors * units], n, anchors, units));
    float[] got;
    try (TrainingSession s = TestData.open(spec, w, lossSpec(loss("l", "mse", "h", "t")), null)) {
      Tensor out = s.evalStep(b).outputs().get("h");
      assertThat(out.shape()).containsExactly(n, anchors, units);
      got = out.toFloatArray();
    }

    float[] relu = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      relu[i] = Math.max(0, x[i]);
    }
    float[] pooled = new float[n * c * 4];
    for (int bi = 0; bi < n; bi++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < 2; i++) {
          for (int j = 0; j < 2; j++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int u = 0; u < 2; u++) {
              for (int v = 0; v < 2; v++) {
                m = Math.max(m, relu[((bi * c + ch) * 4 + 2 * i + u) * 4 + 2 * j + v]);
              }
            }
            pooled[((bi * c + ch) * 2 + i) * 2 + j] = m;
          }
        }
      }
    }
    float[][] maps = {relu, pooled};
    int[] sizes = {4, 2};
    for (int bi = 0; bi < n; bi++) {
      int row = 0;
      for (int t = 0; t < 2; t++) {
        float[] kern = w.get("heads.h." + t + ".weight").toFloatArray();
        float[] bias = w.get("heads.h." + t + ".bias").toFloatArray();
        int hw = sizes[t];
        for (int y = 0; y < hw; y++) {
          for (int xx = 0; xx < hw; xx++) {
            for (int a = 0; a < k; a++) {
              for (int u = 0; u < units; u++) {
                int o = a * units + u;
                double sum = bias[o];
                for (int ch = 0; ch < c; ch++) {
                  for (int dy = 0; dy < 3; dy++) {
                    for (int dx = 0; dx < 3; dx++) {
                      int yy = y + dy - 1;
                      int xs = xx + dx - 1;
                      if (yy >= 0 && yy < hw && xs >= 0 && xs < hw) {
                        sum +=
                            kern[((o * c + ch) * 3 + dy) * 3 + dx]
                                * maps[t][((bi * c + ch) * hw + yy) * hw + xs];
                      }
                    }
                  }
                }
                assertThat((double) got[(bi * anchors + row) * units + u])
                    .as("image %d anchor row %d unit %d", bi, row, u)
                    .isCloseTo(sum, within(1e-5));
              }
              row++;
            }
          }
        }
      }
      assertThat(row).isEqualTo(anchors);
    }
  }

  @Test
  void multiboxLossesTrainATappedModel() {
    // 3x8x8 -> conv 8 (0) -> bn (1) -> relu (2) -> conv 8 s2 (3) -> relu (4): maps 8x8 and 4x4
    int k = 2;
    int classes = 3; // background + 2
    ModelSpec spec =
        new ModelSpec(
            new long[] {3, 8, 8},
            List.of(
                new LayerSpec.Conv2d(8, 3, 1, 1),
                new LayerSpec.BatchNorm(),
                new LayerSpec.Relu(),
                new LayerSpec.Conv2d(8, 3, 2, 1),
                new LayerSpec.Relu()),
            List.of(
                HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(2, 4), k),
                HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, classes, List.of(2, 4), k)));
    int anchors = (64 + 16) * k;
    int n = 4;
    SplittableRandom r = new SplittableRandom(3);
    float[] x = TestData.uniform(r, n * 3 * 64, 0, 1);
    float[] boxes = TestData.normal(r, n * anchors * 4, 0.5);
    long[] labels = new long[n * anchors];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextDouble() < 0.05 ? 1 + r.nextInt(classes - 1) : 0;
    }
    Batch b =
        batch(
            "input", floats(x, n, 3, 8, 8),
            "boxes", floats(boxes, n, anchors, 4),
            "labels", longs(labels, n, anchors));
    LossSpec loss =
        lossSpec(
            loss("localisation", "multibox_loc", "loc", "boxes", "labels", "labels"),
            loss("classification", "multibox_conf", "conf", "labels", "neg_pos_ratio", 3));
    try (TrainingSession s =
        TestData.open(
            spec, Weights.initialize(spec, 1), loss, TestData.optimizer("adam", 0.01, 0, false, 0, 0))) {
      EvalResult before = s.evalStep(b);
      assertThat(before.outputs().get("loc").shape()).containsExactly(n, anchors, 4);
      assertThat(before.outputs().get("conf").shape()).containsExactly(n, anchors, classes);
      for (int step = 0; step < 40; step++) {
        LossBreakdown l = s.trainStep(b);
        assertThat(l.total()).isFinite();
      }
      EvalResult after = s.evalStep(b);
      double locBefore = before.loss().raw("localisation");
      double confBefore = before.loss().raw("classification");
      assertThat(after.loss().raw("localisation")).isLessThan(0.7 * locBefore);
      assertThat(after.loss().raw("classification")).isLessThan(0.7 * confBefore);
    }
  }

  /**
   * The default gather layout against the permute layout it replaced: the same outputs bit for bit
   * from the same weights, and the same training within float rounding, over six batch sizes in
   * turn (more than the index arrays cached per tap).
   */
  @Test
  void gatherLayoutTrainsExactlyAsPermute() {
    ModelSpec spec =
        new ModelSpec(
            new long[] {2, 6, 6},
            List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2)),
            List.of(HeadSpec.multiScale("h", HeadKind.REGRESSION, 3, List.of(1, 2), 2)));
    int anchors = (36 + 9) * 2;
    Weights w0 = Weights.initialize(spec, 4);
    LossSpec loss = lossSpec(loss("l", "mse", "h", "t"));
    SplittableRandom r = new SplittableRandom(8);
    Batch[] batches = new Batch[6];
    for (int i = 0; i < batches.length; i++) {
      int n = i + 1;
      batches[i] = batch("input", floats(TestData.normal(r, n * 72, 1), n, 2, 6, 6),
          "t", floats(TestData.normal(r, n * anchors * 3, 1), n, anchors, 3));
    }
    String old = System.getProperty(CompiledModel.LAYOUT_PROPERTY);
    try {
      System.setProperty(CompiledModel.LAYOUT_PROPERTY, "permute");
      TrainingSession permute = TestData.open(spec, w0, loss, TestData.optimizer("sgd", 0.05, 0.9, false, 0, 0));
      System.clearProperty(CompiledModel.LAYOUT_PROPERTY);
      try (permute;
          TrainingSession gather = TestData.open(spec, w0, loss, TestData.optimizer("sgd", 0.05, 0.9, false, 0, 0))) {
        for (Batch b : batches) {
          assertThat(gather.evalStep(b).outputs().get("h").toFloatArray()).as("outputs, same weights")
              .containsExactly(permute.evalStep(b).outputs().get("h").toFloatArray());
        }
        // the convolution's backward may round differently on a dense and a strided gradient
        for (int step = 0; step < 18; step++) {
          Batch b = batches[step % batches.length];
          assertThat(gather.trainStep(b).total()).as("loss at step %d", step)
              .isCloseTo(permute.trainStep(b).total(), within(1e-6));
        }
        Weights a = gather.weights();
        Weights e = permute.weights();
        for (String name : e.tensors().keySet()) {
          float[] x = a.get(name).toFloatArray();
          float[] y = e.get(name).toFloatArray();
          for (int i = 0; i < x.length; i++) {
            assertThat((double) x[i]).as("%s[%d]", name, i).isCloseTo(y[i], within(1e-6));
          }
        }
      }
    } finally {
      if (old == null) {
        System.clearProperty(CompiledModel.LAYOUT_PROPERTY);
      } else {
        System.setProperty(CompiledModel.LAYOUT_PROPERTY, old);
      }
    }
  }
}
