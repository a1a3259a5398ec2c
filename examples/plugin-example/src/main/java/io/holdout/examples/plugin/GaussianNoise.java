package io.holdout.examples.plugin;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.Transform;
import io.holdout.api.tensor.Batch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A training augmentation for tables: adds independent Gaussian noise of standard deviation {@code
 * std} to every input value of a sample, {@code x + std·z}, {@code z} drawn from the loader's
 * generator (seeded by the run's seed, the epoch and the sample), so each epoch sees new noise and a
 * run is repeatable. With {@code data.standardize} on, {@code std} is in standard deviations of
 * each feature. Targets are left as they are.
 */
public final class GaussianNoise implements Transform {
  /** The config name, in {@code data.transforms}. */
  public static final String TYPE = "gaussian_noise";

  private final double std;

  public GaussianNoise(double std) {
    if (!(std >= 0) || Double.isInfinite(std)) {
      throw new IllegalArgumentException("std must be a finite number >= 0, got " + std);
    }
    this.std = std;
  }

  /**
   * The transform of a config entry: {@code params.std} (default 0.1) on inputs that are a vector of
   * numbers.
   *
   * @throws HoldoutException one line naming the parameter, or saying the data is not a table
   */
  static GaussianNoise fromConfig(Map<String, Object> params, DatasetSchema schema) {
    for (String key : params.keySet()) {
      if (!key.equals("std")) {
        throw new HoldoutException("has no parameter '" + key + "' (known: std)");
      }
    }
    Object s = params.getOrDefault("std", 0.1);
    if (!(s instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
      throw new HoldoutException("parameter 'std' must be a number >= 0, got " + (s instanceof String ? "'" + s + "'"
          : s));
    }
    if (schema.inputShape().length != 1) {
      throw new HoldoutException("it adds noise to table rows, but the data's input is "
          + Arrays.toString(schema.inputShape()));
    }
    return new GaussianNoise(n.doubleValue());
  }

  @Override
  public Sample apply(Sample sample, RandomGenerator rng) {
    Field in = sample.input();
    float[] x = in.floats();
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (float) (x[i] + std * rng.nextGaussian());
    }
    Map<String, Field> fields = new LinkedHashMap<>(sample.fields());
    fields.put(Batch.INPUT, Field.floats(in.shape(), y));
    return new Sample(sample.id(), fields);
  }
}
