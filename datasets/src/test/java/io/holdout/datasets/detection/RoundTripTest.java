package io.holdout.datasets.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.datasets.Detection;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.losses.metrics.DetectionMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Encoded targets fed back as if a model had predicted them exactly decode to the ground truth:
 * loader, encoder, decoder, NMS and ground truth agree on layout and order.
 */
class RoundTripTest {
  @Test
  void perfectPredictionsScoreMapOne() {
    Anchors anchors =
        Anchors.ssd(new int[][] {{12, 12}, {6, 6}, {3, 3}}, new double[] {0.1, 0.2, 0.37, 0.54}, new double[] {2, 3});
    BoxEncoder enc = new BoxEncoder(anchors);
    ShapesSource shapes = ShapesSource.builder(64, 96, 96).optSeed(4).optObjects(1, 3).build();
    DetectionEvaluator ev =
        new DetectionEvaluator(BoxDecoder.matching(enc, Nms.forEvaluation()), "loc", "conf", DetectionMap.voc());
    int positives = 0;
    int objects = 0;
    try (DataLoader loader =
        DataLoader.builder(shapes, 16).optShuffle(false).optTransform(enc).optPadded(BoxEncoder.paddedFields()).optNumWorkers(2).build()) {
      Iterator<Batch> it = loader.epoch(0);
      while (it.hasNext()) {
        Batch b = it.next();
        Tensor boxes = b.get(Detection.BOXES);
        long[] labels = b.get(Detection.LABELS).toLongArray();
        assertThat(boxes.shape()).containsExactly(b.size(), anchors.size(), 4);
        float[] logits = new float[labels.length * 4];
        for (int i = 0; i < labels.length; i++) {
          logits[i * 4 + (int) labels[i]] = 10;
          positives += labels[i] > 0 ? 1 : 0;
        }
        for (long l : b.get(BoxEncoder.GT_LABELS).toLongArray()) {
          objects += l > 0 ? 1 : 0;
        }
        EvalResult r = new EvalResult(
            new LossBreakdown(Map.of(), Map.of(), b.size()),
            Map.of("loc", boxes, "conf", Tensor.ofFloats(new long[] {b.size(), anchors.size(), 4}, logits)),
            Map.of());
        ev.add(b, r);
      }
    }
    assertThat(ev.images()).isEqualTo(64);
    assertThat(positives).isGreaterThanOrEqualTo(objects);
    // not exactly 1: when two objects share a best anchor, the earlier may be left without any
    assertThat(ev.value()).isGreaterThan(0.98);
  }
}
