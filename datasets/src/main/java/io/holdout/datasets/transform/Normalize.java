package io.holdout.datasets.transform;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.Detection;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Per-channel {@code (x - mean[c]) / std[c]} on an image input {@code [C, H, W]}. */
public final class Normalize implements SampleTransform {
  private final float[] mean;
  private final float[] std;

  public Normalize(float[] mean, float[] std) {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException(
          "normalize: " + mean.length + " means, " + std.length + " stds");
    }
    for (float v : std) {
      if (!(v > 0)) {
        throw new IllegalArgumentException("normalize: std must be positive, got " + v);
      }
    }
    this.mean = mean.clone();
    this.std = std.clone();
  }

  @Override
  public Sample apply(Sample sample, RandomGenerator rng) {
    Field in = ImageOps.image(sample, "normalize");
    int c = (int) in.shape()[0];
    if (c != mean.length) {
      throw new HoldoutException(
          "normalize: sample "
              + sample.id()
              + " has "
              + c
              + " channels, the statistics have "
              + mean.length);
    }
    float[] x = in.floats();
    float[] y = new float[x.length];
    int plane = x.length / c;
    for (int ch = 0; ch < c; ch++) {
      float m = mean[ch];
      float inv = 1f / std[ch];
      for (int i = ch * plane, end = i + plane; i < end; i++) {
        y[i] = (x[i] - m) * inv;
      }
    }
    return Detection.with(sample, Map.of(Batch.INPUT, Field.floats(in.shape(), y)));
  }
}
