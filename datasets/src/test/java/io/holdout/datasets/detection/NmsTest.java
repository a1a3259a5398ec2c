package io.holdout.datasets.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.BoxTruth;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Non-maximum suppression, decoding and ground truth on hand-made boxes. */
class NmsTest {
  // A, B (IoU 0.95 with A), C (apart), D (IoU 0.6 with A), E (IoU 0.33 with A)
  static final float[] BOXES = {
      0, 0, 0.4f, 0.4f,
      0.02f, 0, 0.4f, 0.4f,
      0.5f, 0.5f, 0.9f, 0.9f,
      0.1f, 0, 0.5f, 0.4f,
      0.2f, 0, 0.6f, 0.4f};
  // per box: background, class 1, class 2
  static final float[] PROBS = {
      0.1f, 0.9f, 0,
      0.05f, 0.8f, 0.15f,
      0.3f, 0.7f, 0,
      0.4f, 0.6f, 0,
      0.45f, 0.5f, 0.05f};

  @Test
  void greedySuppressionKeepsBoxesThatOverlapLittle() {
    assertThat(Nms.suppress(BOXES, new int[] {0, 1, 2, 3, 4}, 0.45)).containsExactly(0, 2, 4);
    assertThat(Nms.suppress(BOXES, new int[] {0, 1, 2, 3, 4}, 0.7)).containsExactly(0, 2, 3, 4);
    assertThat(Nms.suppress(BOXES, new int[] {1, 0}, 0.45)).containsExactly(1);
  }

  @Test
  void perClassWithScoreThresholdAndTopK() {
    BoxPredictions p = new Nms(0.45, 0.1, 200, 10).apply(BOXES, PROBS, 3);
    // class 1 keeps A, C, E; class 2 keeps B alone (E's 0.05 is under the threshold)
    assertThat(p.classes()).containsExactly(1, 1, 1, 2);
    assertThat(p.scores()).containsExactly(0.9f, 0.7f, 0.5f, 0.15f);
    assertThat(java.util.Arrays.copyOfRange(p.boxes(), 8, 12)).containsExactly(0.2f, 0, 0.6f, 0.4f);
    assertThat(java.util.Arrays.copyOfRange(p.boxes(), 12, 16)).containsExactly(0.02f, 0, 0.4f, 0.4f);

    BoxPredictions top = new Nms(0.45, 0.1, 200, 2).apply(BOXES, PROBS, 3);
    assertThat(top.scores()).containsExactly(0.9f, 0.7f);
    // two candidates per class before suppression: class 1 sees A and B only
    BoxPredictions pre = new Nms(0.45, 0.1, 2, 10).apply(BOXES, PROBS, 3);
    assertThat(pre.classes()).containsExactly(1, 2);
  }

  @Test
  void decodingZeroOffsetsGivesTheAnchors() {
    Anchors a = EncodingTest.fiveAnchors();
    BoxDecoder d = new BoxDecoder(a, BoxCoder.ssd(), new Nms(0.45, 0.3, 200, 10));
    // anchor 3 is class 2 with probability e^2/(1+1+e^2) = 0.787 (class 1: 0.106, under 0.3);
    // every other anchor scores 1/3 for both classes; no two anchors overlap by more than 0.45
    float[] logits = new float[5 * 3];
    logits[3 * 3 + 2] = 2;
    BoxPredictions p = d.decode(new float[20], logits, 3);
    assertThat(p.classes()).containsExactly(2, 1, 1, 1, 1, 2, 2, 2, 2);
    assertThat(p.scores()[0]).isCloseTo((float) (Math.exp(2) / (2 + Math.exp(2))), within(1e-6f));
    assertThat(java.util.Arrays.copyOfRange(p.boxes(), 0, 4)).containsExactly(0.5f, 0.5f, 1, 1);
  }

  @Test
  void groundTruthSkipsPadding() {
    Tensor boxes = Tensor.ofFloats(new long[] {2, 2, 4}, 0, 0, 0.5f, 0.5f, 0.1f, 0.1f, 0.2f, 0.3f,
        0.5f, 0.5f, 1, 1, 0, 0, 0, 0);
    Tensor labels = Tensor.ofLongs(new long[] {2, 2}, 1, 3, 2, -1);
    Batch b = new Batch(List.of("a", "b"), Map.of(BoxEncoder.GT_BOXES, boxes, BoxEncoder.GT_LABELS, labels));
    List<BoxTruth> t = GroundTruth.of(b);
    assertThat(t.get(0).classes()).containsExactly(1, 3);
    assertThat(t.get(1).classes()).containsExactly(2);
    assertThat(t.get(1).boxes()).containsExactly(0.5f, 0.5f, 1, 1);
  }
}
