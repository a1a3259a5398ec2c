package io.holdout.api.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BoxesTest {
  private static final double TOL = 1e-9;

  @Test
  void iouOfCornerBoxes() {
    // overlap 1x1, union 4 + 4 - 1
    assertThat(Boxes.iou(0, 0, 2, 2, 1, 1, 3, 3)).isCloseTo(1.0 / 7, within(TOL));
    assertThat(Boxes.iou(0, 0, 2, 2, 0, 0, 2, 2)).isCloseTo(1.0, within(TOL));
    assertThat(Boxes.iou(0, 0, 1, 1, 2, 2, 3, 3)).as("disjoint").isZero();
    assertThat(Boxes.iou(0, 0, 0, 0, 0, 0, 0, 0)).as("empty union").isZero();
  }

  @Test
  void boxTypesReadWithoutCopiesAndCheckTheirCorners() {
    BoxTruth t = new BoxTruth(new float[] {0, 1, 2, 3}, new int[] {4}, new boolean[] {true});
    assertThat(t.size()).isEqualTo(1);
    assertThat(t.box(0, 2)).isEqualTo(2f);
    assertThat(t.classOf(0)).isEqualTo(4);
    assertThat(t.isDifficult(0)).isTrue();
    BoxPredictions p = new BoxPredictions(new float[] {0, 1, 2, 3}, new float[] {0.5f}, new int[] {2});
    assertThat(p.box(0, 3)).isEqualTo(3f);
    assertThat(p.score(0)).isEqualTo(0.5f);
    assertThat(p.classOf(0)).isEqualTo(2);
    assertThat(BoxPredictions.none().size()).isZero();
    assertThatThrownBy(() -> BoxTruth.of(new float[] {2, 0, 1, 1}, new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x2 >= x1");
    assertThatThrownBy(() -> new BoxPredictions(new float[] {0, 0, 1, 1}, new float[] {Float.NaN}, new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
  }
}
