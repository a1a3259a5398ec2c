package io.holdout.datasets.transform;

import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.Detection;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Resizes the image input {@code [C, H, W]} to {@code [C, height, width]} (bilinear, half-pixel
 * centres). Detection boxes are normalised, so they do not change.
 */
public final class Resize implements SampleTransform {
  private final int height;
  private final int width;

  public Resize(int height, int width) {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("resize to " + height + "x" + width);
    }
    this.height = height;
    this.width = width;
  }

  @Override
  public Sample apply(Sample sample, RandomGenerator rng) {
    Field in = ImageOps.image(sample, "resize");
    long[] s = in.shape();
    int c = (int) s[0];
    int h = (int) s[1];
    int w = (int) s[2];
    if (h == height && w == width) {
      return sample;
    }
    float[] out = ImageOps.resize(in.floats(), c, h, w, height, width);
    return Detection.with(
        sample, Map.of(Batch.INPUT, Field.floats(new long[] {c, height, width}, out)));
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }
}
