package io.holdout.datasets.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.datasets.Detection;
import io.holdout.datasets.internal.Rng;
import org.junit.jupiter.api.Test;

class ImageTransformsTest {
  /** A 1-channel 4x4 image with pixel value 10 y + x and two boxes. */
  private static Sample fourByFour() {
    float[] px = new float[16];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        px[4 * y + x] = 10 * y + x;
      }
    }
    return Detection.sample(
        "s",
        Field.floats(new long[] {1, 4, 4}, px),
        new float[] {0.25f, 0.25f, 0.75f, 0.75f, 0f, 0f, 0.25f, 0.25f},
        new long[] {2, 3});
  }

  @Test
  void flipMirrorsPixelsAndBoxes() {
    Sample s = RandomHorizontalFlip.flip(fourByFour(), fourByFour().input());
    assertThat(java.util.Arrays.copyOfRange(s.input().floats(), 4, 8))
        .containsExactly(13, 12, 11, 10);
    // (xmin, xmax) -> (1 - xmax, 1 - xmin)
    assertThat(s.field(Detection.BOXES).floats())
        .containsExactly(0.25f, 0.25f, 0.75f, 0.75f, 0.75f, 0f, 1f, 0.25f);
    assertThat(s.field(Detection.LABELS).longs()).containsExactly(2, 3);
    // p = 0 never flips, p = 1 always does
    assertThat(new RandomHorizontalFlip(0).apply(fourByFour(), new Rng(1)).input().floats()[0])
        .isZero();
    assertThat(new RandomHorizontalFlip(1).apply(fourByFour(), new Rng(1)).input().floats()[0])
        .isEqualTo(3);
  }

  @Test
  void cropMovesClipsAndDropsBoxes() {
    // window rows 1..2, columns 2..3
    Sample s = RandomCrop.crop(fourByFour(), fourByFour().input(), 1, 2, 2, 2, 0.25);
    assertThat(s.input().shape()).containsExactly(1, 2, 2);
    assertThat(s.input().floats()).containsExactly(12, 13, 22, 23);
    // box 1 in pixels (1,1)-(3,3) -> (-1,0)-(1,2) -> clipped (0,0)-(1,2): half its area, kept
    // box 2 (0,0)-(1,1) falls outside: removed with its label
    assertThat(s.field(Detection.BOXES).shape()).containsExactly(1, 4);
    assertThat(s.field(Detection.BOXES).floats()).containsExactly(0f, 0f, 0.5f, 1f);
    assertThat(s.field(Detection.LABELS).longs()).containsExactly(2);
    // with minVisible 0.6, half the area is not enough
    Sample strict = RandomCrop.crop(fourByFour(), fourByFour().input(), 1, 2, 2, 2, 0.6);
    assertThat(strict.field(Detection.LABELS).longs()).isEmpty();
    assertThat(strict.field(Detection.BOXES).shape()).containsExactly(0, 4);
  }

  @Test
  void randomCropIsSomeWindowAndTooSmallImagesFail() {
    Sample s = new RandomCrop(3, 3).apply(fourByFour(), new Rng(5));
    float corner = s.input().floats()[0]; // 10 top + left
    int top = (int) corner / 10;
    int left = (int) corner % 10;
    assertThat(top).isBetween(0, 1);
    assertThat(left).isBetween(0, 1);
    assertThat(s.input().floats()[8]).isEqualTo(10 * (top + 2) + left + 2);
    assertThatThrownBy(() -> new RandomCrop(5, 5).apply(fourByFour(), new Rng(5)))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("random crop: sample s is 4x4, smaller than the crop 5x5 (resize first)");
  }

  @Test
  void resizeIsBilinearWithHalfPixelCentresAndKeepsNormalisedBoxes() {
    Sample s =
        Detection.sample(
            "r",
            Field.floats(new long[] {1, 2, 2}, 0, 1, 2, 3),
            new float[] {0, 0.5f, 0.5f, 1},
            new long[] {1});
    Sample r = new Resize(4, 4).apply(s, new Rng(0));
    float[] v = r.input().floats();
    assertThat(r.input().shape()).containsExactly(1, 4, 4);
    // source x for output x: (x + 0.5) / 2 - 0.5 = 0 (clamped), 0.25, 0.75, 1.25 -> 1 (edge)
    assertThat(java.util.Arrays.copyOfRange(v, 0, 4)).containsExactly(0f, 0.25f, 0.75f, 1f);
    assertThat(java.util.Arrays.copyOfRange(v, 4, 8)).containsExactly(0.5f, 0.75f, 1.25f, 1.5f);
    assertThat(java.util.Arrays.copyOfRange(v, 12, 16)).containsExactly(2f, 2.25f, 2.75f, 3f);
    assertThat(r.field(Detection.BOXES).floats()).containsExactly(0, 0.5f, 0.5f, 1);
  }

  @Test
  void resizeThenFlipThenCropGivesHandComputedBoxes() {
    // 8x8 image, box in pixels (2,1)-(6,5): normalised (0.25, 0.125, 0.75, 0.625)
    Sample s =
        Detection.sample(
            "c",
            Field.floats(new long[] {3, 8, 8}, new float[3 * 64]),
            new float[] {0.25f, 0.125f, 0.75f, 0.625f},
            new long[] {1});
    Sample r = new Resize(16, 16).apply(s, new Rng(0)); // pixels (4,2)-(12,10), same normalised
    Field in = r.input();
    Sample f = RandomHorizontalFlip.flip(r, in); // x -> 16 - x: (4,2)-(12,10)
    assertThat(f.field(Detection.BOXES).floats()).containsExactly(0.25f, 0.125f, 0.75f, 0.625f);
    // crop 8x8 at top 4, left 6: (4-6, 2-4)-(12-6, 10-4) = (-2,-2)-(6,6) -> (0,0)-(6,6) / 8
    Sample c = RandomCrop.crop(f, f.input(), 4, 6, 8, 8, 0.25);
    assertThat(c.field(Detection.BOXES).floats()).containsExactly(0f, 0f, 0.75f, 0.75f);
  }

  @Test
  void normalizeIsPerChannel() {
    Sample s =
        Detection.sample(
            "n", Field.floats(new long[] {2, 1, 2}, 1, 3, 10, 20), new float[0], new long[0]);
    float[] v =
        new Normalize(new float[] {1, 10}, new float[] {2, 5})
            .apply(s, new Rng(0))
            .input()
            .floats();
    assertThat(v[0]).isCloseTo(0f, within(1e-6f));
    assertThat(v[1]).isCloseTo(1f, within(1e-6f));
    assertThat(v[2]).isCloseTo(0f, within(1e-6f));
    assertThat(v[3]).isCloseTo(2f, within(1e-6f));
    assertThatThrownBy(() -> new Normalize(new float[] {0}, new float[] {1}).apply(s, new Rng(0)))
        .hasMessage("normalize: sample n has 2 channels, the statistics have 1");
  }
}
