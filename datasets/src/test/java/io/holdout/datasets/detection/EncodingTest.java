package io.holdout.datasets.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.datasets.Detection;
import io.holdout.datasets.internal.Rng;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Matching and centre/size encoding against hand-worked boxes. */
class EncodingTest {
  /** Four quadrants and a centred box of side 0.5. */
  static Anchors fiveAnchors() {
    return Anchors.ofCorners(new float[] {
        0, 0, 0.5f, 0.5f,
        0.5f, 0, 1, 0.5f,
        0, 0.5f, 0.5f, 1,
        0.5f, 0.5f, 1, 1,
        0.25f, 0.25f, 0.75f, 0.75f}, 1);
  }

  @Test
  void matchingByThresholdAndForcedBestAnchor() {
    AnchorMatcher m = new AnchorMatcher(fiveAnchors());
    float[] gt = {
        0, 0, 0.5f, 0.5f, // g0: IoU 1 with the top-left quadrant
        0.5f, 0.55f, 1, 1, // g1: IoU 0.9 with the bottom-right quadrant
        0.3f, 0.3f, 0.7f, 0.6f}; // g2: best IoU 0.48 (centre box), under 0.5, forced
    assertThat(m.match(gt)).containsExactly(0, -1, -1, 1, 2);
    // without g2 the centre anchor is background (best IoU 0.143 with g0)
    assertThat(m.match(java.util.Arrays.copyOf(gt, 8))).containsExactly(0, -1, -1, 1, -1);
    // a lower threshold takes the centre anchor for g2 by IoU alone
    assertThat(new AnchorMatcher(fiveAnchors(), 0.4).match(new float[] {0.3f, 0.3f, 0.7f, 0.6f}))
        .containsExactly(-1, -1, -1, -1, 0);
  }

  @Test
  void twoBoxesWithTheSameBestAnchorLeaveItToTheLater() {
    AnchorMatcher m = new AnchorMatcher(fiveAnchors());
    // both overlap the top-left quadrant most (IoU 1 and 0.81)
    int[] got = m.match(new float[] {0, 0, 0.5f, 0.5f, 0, 0, 0.45f, 0.45f});
    assertThat(got[0]).isEqualTo(1);
  }

  @Test
  void boxesWithoutAreaAreNotMatched() {
    assertThat(new AnchorMatcher(fiveAnchors()).match(new float[] {0.2f, 0.2f, 0.2f, 0.4f}))
        .containsOnly(-1);
  }

  @Test
  void encodingByHand() {
    Anchors a = fiveAnchors();
    BoxCoder c = BoxCoder.ssd();
    // centre anchor (0.5, 0.5, 0.5, 0.5), box centre (0.5, 0.45), size (0.4, 0.3)
    float[] t = c.encode(new float[] {0.3f, 0.3f, 0.7f, 0.6f}, a, 4);
    assertThat(t[0]).isCloseTo(0f, within(1e-5f));
    assertThat(t[1]).isCloseTo(-1f, within(1e-5f)); // -0.05 / (0.5 * 0.1)
    assertThat(t[2]).isCloseTo((float) (Math.log(0.8) / 0.2), within(1e-5f)); // -1.11572
    assertThat(t[3]).isCloseTo((float) (Math.log(0.6) / 0.2), within(1e-5f)); // -2.55413
    // bottom-right quadrant (0.75, 0.75, 0.5, 0.5), box centre (0.75, 0.775), size (0.5, 0.45)
    float[] u = c.encode(new float[] {0.5f, 0.55f, 1, 1}, a, 3);
    assertThat(u).usingComparatorWithPrecision(1e-5f)
        .containsExactly(0f, 0.5f, 0f, (float) (Math.log(0.9) / 0.2));
  }

  @Test
  void decodeInvertsEncode() {
    Anchors a = Anchors.ssd(new int[][] {{4, 4}, {2, 2}}, new double[] {0.2, 0.4, 0.7}, new double[] {2, 3});
    BoxCoder c = new BoxCoder(0.1, 0.2);
    SplittableRandom r = new SplittableRandom(5);
    float[] back = new float[4];
    for (int k = 0; k < 200; k++) {
      float x1 = (float) r.nextDouble(0, 0.8);
      float y1 = (float) r.nextDouble(0, 0.8);
      float[] box = {x1, y1, x1 + (float) r.nextDouble(0.01, 0.2), y1 + (float) r.nextDouble(0.01, 0.2)};
      int anchor = r.nextInt(a.size());
      float[] t = c.encode(box, a, anchor);
      c.decode(t, 0, a, anchor, back, 0);
      assertThat(back).usingComparatorWithPrecision(1e-5f).containsExactly(box);
    }
  }

  @Test
  void theTransformReplacesTargetsAndKeepsTheRawBoxes() {
    BoxEncoder enc = new BoxEncoder(fiveAnchors());
    float[] boxes = {0, 0, 0.5f, 0.5f, 0.3f, 0.3f, 0.7f, 0.6f};
    Sample s = Detection.sample("x", Field.floats(new long[] {3, 2, 2}, new float[12]), boxes, new long[] {3, 1});
    Sample out = enc.apply(s, new Rng(1));
    assertThat(out.field(Detection.BOXES).shape()).containsExactly(5, 4);
    assertThat(out.field(Detection.LABELS).longs()).containsExactly(3, 0, 0, 0, 1);
    float[] offsets = out.field(Detection.BOXES).floats();
    assertThat(java.util.Arrays.copyOfRange(offsets, 0, 4)).containsOnly(0f); // exact match
    assertThat(java.util.Arrays.copyOfRange(offsets, 4, 16)).containsOnly(0f); // background
    assertThat(offsets[17]).isCloseTo(-1f, within(1e-5f));
    assertThat(out.field(BoxEncoder.GT_BOXES).floats()).containsExactly(boxes);
    assertThat(out.field(BoxEncoder.GT_LABELS).longs()).containsExactly(3, 1);
    assertThat(out.input()).isSameAs(s.input());
  }

  @Test
  void anImageWithoutObjectsIsAllBackground() {
    BoxEncoder.Targets t = new BoxEncoder(fiveAnchors()).encode(new float[0], new long[0]);
    assertThat(t.labels()).containsOnly(0L);
    assertThat(t.offsets()).containsOnly(0f);
  }

  @Test
  void zeroLabelsAreRefused() {
    assertThatThrownBy(() -> new BoxEncoder(fiveAnchors()).encode(new float[] {0, 0, 1, 1}, new long[] {0}))
        .hasMessageContaining("1-based");
  }

}
