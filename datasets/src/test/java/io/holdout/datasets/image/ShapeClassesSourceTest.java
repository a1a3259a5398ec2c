package io.holdout.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetKind;
import io.holdout.api.tensor.Batch;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShapeClassesSourceTest {
  @Test
  void deterministicBySeedAndIndex() {
    ShapeClassesSource a = ShapeClassesSource.builder(12, 32, 40).optSeed(3).build();
    ShapeClassesSource b = ShapeClassesSource.builder(12, 32, 40).optSeed(3).build();
    ShapeClassesSource c = ShapeClassesSource.builder(12, 32, 40).optSeed(4).build();
    // sample 7 does not depend on which samples were read before it, or on the set's size
    ShapeClassesSource longer = ShapeClassesSource.builder(500, 32, 40).optSeed(3).build();
    a.get(2);
    assertThat(a.get(7).input().floats()).containsExactly(b.get(7).input().floats());
    assertThat(longer.get(7).input().floats()).containsExactly(b.get(7).input().floats());
    assertThat(a.get(7).input().floats()).isNotEqualTo(c.get(7).input().floats());
    assertThat(a.get(7).input().floats()).isNotEqualTo(a.get(10).input().floats());
    assertThat(a.get(7).id()).isEqualTo("shape-classes-7").isEqualTo(a.id(7));
    assertThat(a.schema().inputShape()).containsExactly(3, 32, 40);
    assertThat(a.schema().target(ShapeClassesSource.TARGET).kind()).isEqualTo(TargetKind.CLASS);
    assertThat(a.schema().target(ShapeClassesSource.TARGET).classes())
        .containsExactly("rectangle", "ellipse", "triangle");
    assertThat(a.get(0).input().shape()).containsExactly(3, 32, 40);
  }

  @Test
  void classesAreBalancedAndKnownWithoutDrawing() {
    ShapeClassesSource src = ShapeClassesSource.builder(301, 16, 16).optSeed(9).build();
    int[] counts = new int[3];
    for (int i = 0; i < src.size(); i++) {
      long label = src.get(i).field(ShapeClassesSource.TARGET).longs()[0];
      assertThat(src.label(i, ShapeClassesSource.TARGET)).hasValue(label);
      assertThat(src.shape(i).label()).isEqualTo(label + 1);
      counts[(int) label]++;
    }
    assertThat(counts).containsExactly(101, 100, 100);
    assertThat(src.label(0, "labels")).isEmpty();
  }

  @Test
  void sizesAndPositionsVary() {
    ShapeClassesSource src = ShapeClassesSource.builder(600, 32, 32).optSeed(1).build();
    Set<Integer> widths = new HashSet<>();
    Set<Integer> heights = new HashSet<>();
    Set<Integer> lefts = new HashSet<>();
    for (int i = 0; i < src.size(); i++) {
      ShapesSource.Shape s = src.shape(i);
      int w = s.x1() - s.x0();
      int h = s.y1() - s.y0();
      assertThat(w).isBetween(5, 24);
      assertThat(h).isBetween(5, 24);
      assertThat(s.x0()).isGreaterThanOrEqualTo(0);
      assertThat(s.x1()).isLessThanOrEqualTo(32);
      assertThat(s.y1()).isLessThanOrEqualTo(32);
      widths.add(w);
      heights.add(h);
      lefts.add(s.x0());
    }
    assertThat(widths).hasSize(20).contains(5, 24);
    assertThat(heights).hasSize(20).contains(5, 24);
    assertThat(lefts.size()).isGreaterThan(20);
  }

  /**
   * Reads each noise-free image back and decides from its pixels alone what was drawn: a rectangle
   * fills its box, an ellipse is symmetric top to bottom and fills about pi/4 of it, a triangle is
   * wider at the bottom than at the top. That decision must be the label.
   */
  @Test
  void theLabelIsTheShapeDrawn() {
    int side = 32;
    ShapeClassesSource src = ShapeClassesSource.builder(300, side, side).optSeed(5).optNoise(0).build();
    int[] seen = new int[3];
    for (int i = 0; i < src.size(); i++) {
      Sample s = src.get(i);
      float[] px = s.input().floats();
      ShapesSource.Shape box = src.shape(i);
      // the background colour: the top-left pixel, or the top-right one when the box starts at the
      // left edge (a box is at most 3/4 of the side wide, so it cannot reach both)
      int bgPixel = box.x0() > 0 ? 0 : side - 1;
      int plane = side * side;
      int filled = 0;
      int topHalf = 0;
      int bottomHalf = 0;
      int h = box.y1() - box.y0();
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          int k = y * side + x;
          boolean shape = px[k] != px[bgPixel] || px[plane + k] != px[plane + bgPixel]
              || px[2 * plane + k] != px[2 * plane + bgPixel];
          if (!shape) {
            continue;
          }
          assertThat(x).as("image %d: pixel drawn outside the box", i).isBetween(box.x0(), box.x1() - 1);
          assertThat(y).as("image %d: pixel drawn outside the box", i).isBetween(box.y0(), box.y1() - 1);
          filled++;
          int dy = y - box.y0();
          if (2 * dy + 1 < h) {
            topHalf++;
          } else if (2 * dy + 1 > h) {
            bottomHalf++;
          }
        }
      }
      double fill = (double) filled / ((box.x1() - box.x0()) * h);
      int drawn;
      if (fill == 1) {
        drawn = 0;
      } else if (bottomHalf > topHalf + 1) {
        drawn = 2;
        assertThat(fill).as("image %d: triangle", i).isBetween(0.35, 0.7);
      } else {
        drawn = 1;
        assertThat(topHalf).as("image %d: ellipse", i).isEqualTo(bottomHalf);
        assertThat(fill).as("image %d: ellipse", i).isBetween(0.6, 0.95);
      }
      assertThat(s.field(ShapeClassesSource.TARGET).longs()).as("image %d", i).containsExactly(drawn);
      seen[drawn]++;
    }
    assertThat(seen).containsExactly(100, 100, 100);
  }

  @Test
  void noiseChangesPixelsWithinItsAmplitudeOnly() {
    ShapeClassesSource clean = ShapeClassesSource.builder(5, 24, 24).optSeed(2).optNoise(0).build();
    ShapeClassesSource noisy = ShapeClassesSource.builder(5, 24, 24).optSeed(2).optNoise(0.2f).build();
    for (int i = 0; i < 5; i++) {
      float[] a = clean.get(i).input().floats();
      float[] b = noisy.get(i).input().floats();
      int changed = 0;
      for (int k = 0; k < a.length; k++) {
        assertThat(b[k]).isBetween(0f, 1f);
        assertThat(Math.abs(b[k] - a[k])).isLessThanOrEqualTo(0.2f + 1e-6f);
        changed += a[k] != b[k] ? 1 : 0;
      }
      assertThat(changed).isGreaterThan(a.length / 2);
    }
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> ShapeClassesSource.builder(10, 4, 32)).hasMessageContaining("at least 8x8");
    assertThatThrownBy(() -> ShapeClassesSource.builder(-1, 32, 32)).hasMessageContaining("count");
    assertThatThrownBy(() -> ShapeClassesSource.builder(1, 32, 32).optNoise(2)).hasMessageContaining("noise");
    ShapeClassesSource src = ShapeClassesSource.builder(3, 16, 16).build();
    assertThatThrownBy(() -> src.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(src.get(1).fields()).containsOnlyKeys(Batch.INPUT, ShapeClassesSource.TARGET);
  }
}
