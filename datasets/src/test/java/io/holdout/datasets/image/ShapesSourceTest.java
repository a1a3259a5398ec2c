package io.holdout.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetKind;
import io.holdout.datasets.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapesSourceTest {
  @Test
  void deterministicBySeed() {
    ShapesSource a = ShapesSource.builder(10, 32, 48).optSeed(3).build();
    ShapesSource b = ShapesSource.builder(10, 32, 48).optSeed(3).build();
    ShapesSource c = ShapesSource.builder(10, 32, 48).optSeed(4).build();
    assertThat(a.get(7).input().floats()).containsExactly(b.get(7).input().floats());
    assertThat(a.get(7).field(Detection.BOXES).floats())
        .containsExactly(b.get(7).field(Detection.BOXES).floats());
    assertThat(a.get(7).input().floats()).isNotEqualTo(c.get(7).input().floats());
    assertThat(a.schema().inputShape()).containsExactly(3, 32, 48);
    assertThat(a.schema().target(Detection.BOXES).kind()).isEqualTo(TargetKind.DETECTION);
    assertThat(a.schema().target(Detection.LABELS).classes())
        .containsExactly("rectangle", "ellipse", "triangle");
  }

  @Test
  void noObjectIsMostlyHiddenByAnother() {
    ShapesSource src = ShapesSource.builder(400, 96, 96).optObjects(1, 3).optSeed(4).build();
    int pairs = 0;
    for (int i = 0; i < src.size(); i++) {
      List<ShapesSource.Shape> shapes = src.shapes(i);
      for (int a = 0; a < shapes.size(); a++) {
        for (int b = a + 1; b < shapes.size(); b++) {
          ShapesSource.Shape p = shapes.get(a);
          ShapesSource.Shape q = shapes.get(b);
          int iw = Math.max(0, Math.min(p.x1(), q.x1()) - Math.max(p.x0(), q.x0()));
          int ih = Math.max(0, Math.min(p.y1(), q.y1()) - Math.max(p.y0(), q.y0()));
          double smaller = Math.min((p.x1() - p.x0()) * (p.y1() - p.y0()), (q.x1() - q.x0()) * (q.y1() - q.y0()));
          assertThat(iw * ih / smaller).as("image %d objects %d, %d", i, a, b).isLessThanOrEqualTo(0.25);
          pairs++;
        }
      }
    }
    assertThat(pairs).isGreaterThan(300);
  }

  @Test
  void boxesAreTheExactExtentOfTheDrawnShapes() {
    // no noise, one object: the pixels that differ from the background are the object
    ShapesSource src =
        ShapesSource.builder(60, 24, 40).optNoise(0).optObjects(1, 1).optSeed(1).build();
    int[] seen = new int[4];
    for (int i = 0; i < src.size(); i++) {
      Sample s = src.get(i);
      float[] px = s.input().floats();
      float bg = px[0]; // red of a corner pixel (objects are at most half the image)
      List<ShapesSource.Shape> shapes = src.shapes(i);
      assertThat(shapes).hasSize(1);
      ShapesSource.Shape sh = shapes.get(0);
      if (sh.x0() == 0 && sh.y0() == 0) {
        continue; // the corner is covered; skip this one
      }
      float[] b = s.field(Detection.BOXES).floats();
      assertThat(b)
          .containsExactly(
              (float) sh.x0() / 40,
              (float) sh.y0() / 24,
              (float) sh.x1() / 40,
              (float) sh.y1() / 24);
      assertThat(s.field(Detection.LABELS).longs()).containsExactly(sh.label());
      int minX = 99;
      int minY = 99;
      int maxX = -1;
      int maxY = -1;
      for (int y = 0; y < 24; y++) {
        for (int x = 0; x < 40; x++) {
          int k = y * 40 + x;
          boolean differs = px[k] != px[0] || px[960 + k] != px[960] || px[1920 + k] != px[1920];
          if (differs) {
            minX = Math.min(minX, x);
            minY = Math.min(minY, y);
            maxX = Math.max(maxX, x);
            maxY = Math.max(maxY, y);
          }
        }
      }
      assertThat(bg).isBetween(0f, 1f);
      // every drawn pixel lies in the box
      assertThat(minX).isGreaterThanOrEqualTo(sh.x0());
      assertThat(minY).isGreaterThanOrEqualTo(sh.y0());
      assertThat(maxX).isLessThan(sh.x1());
      assertThat(maxY).isLessThan(sh.y1());
      if (sh.label() == 1) { // a rectangle fills its box exactly
        assertThat(new int[] {minX, minY, maxX + 1, maxY + 1})
            .containsExactly(sh.x0(), sh.y0(), sh.x1(), sh.y1());
      } else { // ellipses and triangles touch the box within a pixel on each side
        assertThat(minX).isLessThanOrEqualTo(sh.x0() + 1);
        assertThat(maxX + 1).isGreaterThanOrEqualTo(sh.x1() - 1);
        assertThat(maxY + 1).isEqualTo(sh.y1());
      }
      seen[sh.label()]++;
    }
    assertThat(seen[1]).isPositive();
    assertThat(seen[2]).isPositive();
    assertThat(seen[3]).isPositive();
  }
}
