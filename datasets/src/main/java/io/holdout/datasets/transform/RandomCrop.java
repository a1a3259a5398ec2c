package io.holdout.datasets.transform;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.Detection;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Cuts a {@code height x width} window at a random position (uniform over all positions) out of an
 * image {@code [C, H, W]}. Detection boxes move with the window and are clipped to it; a box that
 * keeps less than {@code minVisible} of its area (default 0.25) is removed together with its label.
 */
public final class RandomCrop implements SampleTransform {
  private final int height;
  private final int width;
  private final double minVisible;

  public RandomCrop(int height, int width, double minVisible) {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("crop to " + height + "x" + width);
    }
    if (!(minVisible >= 0 && minVisible <= 1)) {
      throw new IllegalArgumentException("minVisible must be in [0, 1], not " + minVisible);
    }
    this.height = height;
    this.width = width;
    this.minVisible = minVisible;
  }

  public RandomCrop(int height, int width) {
    this(height, width, 0.25);
  }

  @Override
  public Sample apply(Sample sample, RandomGenerator rng) {
    Field in = ImageOps.image(sample, "random crop");
    long[] s = in.shape();
    int h = (int) s[1];
    int w = (int) s[2];
    if (h < height || w < width) {
      throw new HoldoutException(
          "random crop: sample "
              + sample.id()
              + " is "
              + w
              + "x"
              + h
              + ", smaller than the crop "
              + width
              + "x"
              + height
              + " (resize first)");
    }
    int top = rng.nextInt(h - height + 1);
    int left = rng.nextInt(w - width + 1);
    return crop(sample, in, top, left, height, width, minVisible);
  }

  /** The window at ({@code top}, {@code left}) (no randomness). */
  static Sample crop(
      Sample sample, Field in, int top, int left, int height, int width, double minVisible) {
    long[] s = in.shape();
    int c = (int) s[0];
    int h = (int) s[1];
    int w = (int) s[2];
    float[] x = in.floats();
    float[] y = new float[c * height * width];
    for (int ch = 0; ch < c; ch++) {
      for (int r = 0; r < height; r++) {
        System.arraycopy(x, ch * h * w + (top + r) * w + left, y, (ch * height + r) * width, width);
      }
    }
    Map<String, Field> out = new LinkedHashMap<>();
    out.put(Batch.INPUT, Field.floats(new long[] {c, height, width}, y));
    Field boxes = sample.fields().get(Detection.BOXES);
    Field labels = sample.fields().get(Detection.LABELS);
    if (boxes != null) {
      float[] b = boxes.floats();
      int m = b.length / 4;
      float[] nb = new float[b.length];
      long[] nl = new long[m];
      int kept = 0;
      for (int k = 0; k < m; k++) {
        // to pixels of the original, then into the window
        double x0 = b[4 * k] * (double) w - left;
        double y0 = b[4 * k + 1] * (double) h - top;
        double x1 = b[4 * k + 2] * (double) w - left;
        double y1 = b[4 * k + 3] * (double) h - top;
        double area = (x1 - x0) * (y1 - y0);
        double cx0 = clamp(x0, width);
        double cy0 = clamp(y0, height);
        double cx1 = clamp(x1, width);
        double cy1 = clamp(y1, height);
        double visible = Math.max(0, cx1 - cx0) * Math.max(0, cy1 - cy0);
        if (visible <= 0 || visible < minVisible * area) {
          continue;
        }
        nb[4 * kept] = (float) (cx0 / width);
        nb[4 * kept + 1] = (float) (cy0 / height);
        nb[4 * kept + 2] = (float) (cx1 / width);
        nb[4 * kept + 3] = (float) (cy1 / height);
        if (labels != null) {
          nl[kept] = labels.longs()[k];
        }
        kept++;
      }
      out.put(Detection.BOXES, Field.floats(new long[] {kept, 4}, Arrays.copyOf(nb, 4 * kept)));
      if (labels != null) {
        out.put(Detection.LABELS, Field.longs(new long[] {kept}, Arrays.copyOf(nl, kept)));
      }
    }
    return Detection.with(sample, out);
  }

  private static double clamp(double v, int max) {
    return Math.max(0, Math.min(max, v));
  }
}
