package io.holdout.losses.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.BoxTruth;
import org.junit.jupiter.api.Test;

/**
 * Image A: two class-1 objects, g1 [0,0,10,10] and g2 [20,20,30,30]; detections d1 = g1 (0.9), a
 * duplicate d2 [1,1,10,10] of g1 (IoU 0.81, 0.8) and d3 far away (0.7). Image B: g3 [0,0,10,10]
 * detected by d4 [0,0,10,9.2] (IoU 0.92, 0.6), and a class-2 object [0,0,4,4] detected exactly
 * (0.3), plus a class-3 detection with no class-3 object. g2 is missed.
 */
class DetectionMapTest {
  private static final double TOL = 1e-9;

  private static void addFixture(DetectionMap m) {
    m.add(BoxTruth.of(new float[] {0, 0, 10, 10, 20, 20, 30, 30}, new int[] {1, 1}),
        new BoxPredictions(new float[] {0, 0, 10, 10, 1, 1, 10, 10, 50, 50, 60, 60},
            new float[] {0.9f, 0.8f, 0.7f}, new int[] {1, 1, 1}));
    m.add(BoxTruth.of(new float[] {0, 0, 10, 10, 0, 0, 4, 4}, new int[] {1, 2}),
        new BoxPredictions(new float[] {0, 0, 10, 9.2f, 0, 0, 4, 4, 5, 5, 6, 6},
            new float[] {0.6f, 0.3f, 0.95f}, new int[] {1, 2, 3}));
  }

  @Test
  void vocWithADuplicateAndAMissedObject() {
    DetectionMap voc = DetectionMap.voc();
    addFixture(voc);
    // class 1 ranked: d1 TP, d2 FP (g1 taken), d3 FP, d4 TP; 3 objects
    //   recall 1/3 1/3 1/3 2/3, precision 1 1/2 1/3 1/2; envelope 1 (to R 1/3), 1/2 (to R 2/3)
    //   AP = 1/3·1 + 1/3·1/2 = 1/2
    // class 2: AP 1; class 3 has no object: left out
    DetectionMapResult r = voc.result();
    assertThat(r.perClass()).containsOnlyKeys(1, 2);
    assertThat(r.perClass().get(1)).isCloseTo(0.5, within(TOL));
    assertThat(r.perClass().get(2)).isCloseTo(1.0, within(TOL));
    assertThat(r.map()).isCloseTo(0.75, within(TOL));
    assertThat(r.perThreshold()).containsOnlyKeys(0.5);
  }

  @Test
  void cocoAveragesTenThresholdsWith101Points() {
    DetectionMap coco = DetectionMap.coco();
    addFixture(coco);
    // class 1 at IoU 0.50 … 0.90 (d4 matches at 0.92): as VOC; 101 points: recall levels 0 … 0.33 read
    //   precision 1 (34 points), 0.34 … 0.66 read 1/2 (33 points), the rest 0 → 50.5/101 = 1/2
    // at 0.95 d4 is a false positive: recall never passes 1/3 → 34/101
    double class1 = (9 * 0.5 + 34.0 / 101) / 10;
    DetectionMapResult r = coco.result();
    assertThat(r.perClass().get(1)).isCloseTo(class1, within(TOL)); // 0.4836634
    assertThat(r.perClass().get(2)).isCloseTo(1.0, within(TOL));
    assertThat(r.map()).isCloseTo((class1 + 1) / 2, within(TOL)); // 0.7418317
    assertThat(r.perThreshold()).hasSize(10);
    assertThat(r.perThreshold().get(0.95)).isCloseTo((34.0 / 101 + 1) / 2, within(TOL));
  }

  @Test
  void difficultObjectsNeitherCountNorPenalise() {
    DetectionMap voc = DetectionMap.voc();
    // one plain object detected, one difficult object detected: AP 1 (the second detection is ignored)
    voc.add(new BoxTruth(new float[] {0, 0, 10, 10, 20, 20, 30, 30}, new int[] {1, 1}, new boolean[] {false, true}),
        new BoxPredictions(new float[] {20, 20, 30, 30, 0, 0, 10, 10}, new float[] {0.9f, 0.5f}, new int[] {1, 1}));
    assertThat(voc.value()).isCloseTo(1.0, within(TOL));
  }

  @Test
  void edgeCases() {
    DetectionMap voc = DetectionMap.voc();
    assertThat(voc.value()).as("no images").isNaN();
    voc.add(BoxTruth.of(new float[0], new int[0]), new BoxPredictions(new float[] {0, 0, 1, 1}, new float[] {1}, new int[] {1}));
    assertThat(voc.value()).as("no ground truth").isNaN();
    voc.add(BoxTruth.of(new float[] {0, 0, 1, 1}, new int[] {4}), BoxPredictions.none());
    assertThat(voc.value()).as("an object and no detection of it").isZero();
  }
}
