package io.holdout.datasets.transform;

import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.Detection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Mirrors the image left-right with probability {@code p}; detection boxes move with it: {@code
 * xmin' = 1 - xmax}, {@code xmax' = 1 - xmin}.
 */
public final class RandomHorizontalFlip implements SampleTransform {
  private final double p;

  public RandomHorizontalFlip(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("flip probability must be in [0, 1], not " + p);
    }
    this.p = p;
  }

  public RandomHorizontalFlip() {
    this(0.5);
  }

  @Override
  public Sample apply(Sample sample, RandomGenerator rng) {
    Field in = ImageOps.image(sample, "random flip");
    if (!(rng.nextDouble() < p)) {
      return sample;
    }
    return flip(sample, in);
  }

  /** The mirrored sample (no randomness). */
  static Sample flip(Sample sample, Field in) {
    long[] s = in.shape();
    int rows = (int) (s[0] * s[1]);
    int w = (int) s[2];
    float[] x = in.floats();
    float[] y = new float[x.length];
    for (int r = 0; r < rows; r++) {
      int o = r * w;
      for (int i = 0; i < w; i++) {
        y[o + i] = x[o + w - 1 - i];
      }
    }
    Map<String, Field> out = new LinkedHashMap<>();
    out.put(Batch.INPUT, Field.floats(s, y));
    Field boxes = sample.fields().get(Detection.BOXES);
    if (boxes != null) {
      float[] b = boxes.floats();
      float[] nb = new float[b.length];
      for (int k = 0; k < b.length; k += 4) {
        nb[k] = 1f - b[k + 2];
        nb[k + 1] = b[k + 1];
        nb[k + 2] = 1f - b[k];
        nb[k + 3] = b[k + 3];
      }
      out.put(Detection.BOXES, Field.floats(boxes.shape(), nb));
    }
    return Detection.with(sample, out);
  }
}
