package io.holdout.datasets.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnchorsTest {
  private static final float EPS = 1e-6f;

  private static void assertBox(Anchors a, int i, double x1, double y1, double x2, double y2) {
    float[] c = a.corners();
    assertThat(c[4 * i]).as("anchor %d xmin", i).isCloseTo((float) x1, within(EPS));
    assertThat(c[4 * i + 1]).as("anchor %d ymin", i).isCloseTo((float) y1, within(EPS));
    assertThat(c[4 * i + 2]).as("anchor %d xmax", i).isCloseTo((float) x2, within(EPS));
    assertThat(c[4 * i + 3]).as("anchor %d ymax", i).isCloseTo((float) y2, within(EPS));
  }

  @Test
  void oneSmallMapByHand() {
    // a 2x2 map, sizes 0.5 and 0.8, extra ratio 2: 4 anchors per cell, 16 in all
    Anchors a = Anchors.ssd(new int[][] {{2, 2}}, new double[] {0.5, 0.8}, new double[] {2});
    assertThat(a.size()).isEqualTo(16);
    assertThat(a.perLocation()).isEqualTo(4);
    double big = Math.sqrt(0.5 * 0.8) / 2; // half side of the larger square, 0.31623
    double wide = 0.5 * Math.sqrt(2) / 2; // 0.35355
    double narrow = 0.5 / Math.sqrt(2) / 2; // 0.17678
    // cell (y 0, x 0), centre (0.25, 0.25)
    assertBox(a, 0, 0, 0, 0.5, 0.5);
    assertBox(a, 1, 0, 0, 0.25 + big, 0.25 + big); // clipped at 0
    assertBox(a, 2, 0, 0.25 - narrow, 0.25 + wide, 0.25 + narrow); // wide, clipped left
    assertBox(a, 3, 0.25 - narrow, 0, 0.25 + narrow, 0.25 + wide); // tall, clipped at the top
    // cell (y 0, x 1), centre (0.75, 0.25): rows run along x first
    assertBox(a, 4, 0.5, 0, 1, 0.5);
    // cell (y 1, x 0), centre (0.25, 0.75)
    assertBox(a, 8, 0, 0.5, 0.5, 1);
    // cell (y 1, x 1), larger square, clipped at 1
    assertBox(a, 13, 0.75 - big, 0.75 - big, 1, 1);
    // centre form follows the clipped corners
    float[] c = a.centres();
    assertThat(c[4]).isCloseTo((float) ((0.25 + big) / 2), within(EPS));
    assertThat(c[6]).isCloseTo((float) (0.25 + big), within(EPS));
    assertThat(c[0]).isCloseTo(0.25f, within(EPS));
    assertThat(c[2]).isCloseTo(0.5f, within(EPS));
  }

  @Test
  void countsOverSeveralMaps() {
    Anchors a = Anchors.ssd(new int[][] {{2, 3}, {1, 1}}, new double[] {0.3, 0.6, 0.9}, new double[] {2, 3});
    assertThat(a.perLocation()).isEqualTo(6);
    assertThat(a.size()).isEqualTo((6 + 1) * 6);
    // first anchor of the second map: the 1x1 map's square of side 0.6, centred
    assertBox(a, 36, 0.2, 0.2, 0.8, 0.8);
    // its ratio-3 tall box: w = 0.6/sqrt(3), h = 0.6*sqrt(3) > 1 -> clipped vertically
    double hw = 0.6 / Math.sqrt(3) / 2;
    assertBox(a, 41, 0.5 - hw, 0, 0.5 + hw, 1);
  }

  @Test
  void theExampleNetworkHas1134Anchors() {
    Anchors a = Anchors.ssd(new int[][] {{12, 12}, {6, 6}, {3, 3}}, new double[] {0.1, 0.2, 0.4, 0.6}, new double[] {2, 3});
    assertThat(a.size()).isEqualTo(1134);
  }

  @Test
  void anchorsForAModelHeadFollowItsTaps() {
    ModelSpec m = new ModelSpec(new long[] {3, 16, 16},
        List.of(new LayerSpec.Conv2d(4, 3, 2, 1), new LayerSpec.Relu(), new LayerSpec.Conv2d(4, 3, 2, 1)),
        List.of(HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(1, 2), 4)));
    Anchors a = Anchors.forHead(m, "loc", new double[] {0.2, 0.5, 0.8}, new double[] {2});
    assertThat(a.size()).isEqualTo((int) m.outputShape("loc")[0]).isEqualTo((64 + 16) * 4);
    assertThatThrownBy(() -> Anchors.forHead(m, "loc", new double[] {0.2, 0.5, 0.8}, new double[] {2, 3}))
        .hasMessageContaining("4 anchors per location");
    assertThatThrownBy(() -> Anchors.forHead(m, "loc", new double[] {0.2, 0.5}, new double[] {2}))
        .hasMessageContaining("need 3 anchor sizes");
  }

  @Test
  void badRecipesAreRefused() {
    assertThatThrownBy(() -> Anchors.ssd(new int[][] {{2, 2}}, new double[] {0.5, 0.3}, new double[] {2}))
        .hasMessageContaining("non-decreasing");
    assertThatThrownBy(() -> Anchors.ssd(new int[][] {{2, 2}}, new double[] {0.3, 0.5}, new double[] {0.5}))
        .hasMessageContaining("> 1");
    assertThatThrownBy(() -> Anchors.ssd(new int[][] {{0, 2}}, new double[] {0.3, 0.5}, new double[] {}))
        .hasMessageContaining("height, width");
  }
}
