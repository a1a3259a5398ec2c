package io.holdout.datasets.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.datasets.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Feature standardisation {@code (x - mean) / std}, element by element of the input. Fit it on the
 * <b>training part only</b> ({@link #fit}), then apply the same statistics to train, val and test,
 * and record it in the run folder ({@link #write}): statistics taken from all the data let the
 * validation and test sets leak into training.
 *
 * <p>{@code std} is the population standard deviation (divisor {@code n}); a feature whose std is
 * below {@code 1e-12} (a constant column) gets std 1, so it is only centred.
 */
public final class Standardizer implements SampleTransform {
  private static final ObjectMapper JSON = Json.MAPPER;

  /** The {@code type} written into the JSON record. */
  public static final String TYPE = "standardize";

  private final List<String> features;
  private final float[] mean;
  private final float[] std;
  private final int samples;

  /**
   * @param features names of the input elements (may be empty)
   * @param mean per-element mean
   * @param std per-element standard deviation, all positive
   * @param samples how many samples the statistics were fitted on (for the record)
   */
  public Standardizer(List<String> features, float[] mean, float[] std, int samples) {
    this.features = List.copyOf(features);
    this.mean = mean.clone();
    this.std = std.clone();
    this.samples = samples;
    if (mean.length != std.length || (!features.isEmpty() && features.size() != mean.length)) {
      throw new IllegalArgumentException(
          "standardizer: "
              + features.size()
              + " names, "
              + mean.length
              + " means, "
              + std.length
              + " stds");
    }
    for (int i = 0; i < std.length; i++) {
      if (!(std[i] > 0) || !Float.isFinite(std[i]) || !Float.isFinite(mean[i])) {
        throw new IllegalArgumentException(
            "standardizer: element " + i + " has mean " + mean[i] + " and std " + std[i]);
      }
    }
  }

  /**
   * Fits mean and std of every input element over {@code train}, the training part of a split.
   *
   * @throws HoldoutException when {@code train} is empty
   */
  public static Standardizer fit(Dataset train) {
    Objects.requireNonNull(train, "train is null");
    int n = train.size();
    if (n == 0) {
      throw new HoldoutException("standardizer: the training part is empty, nothing to fit on");
    }
    double[] m = null;
    double[] m2 = null;
    for (int i = 0; i < n; i++) {
      float[] x = train.get(i).input().floats();
      if (x == null) {
        throw new HoldoutException(
            "standardizer: the input of " + train.describe(i) + " is not float");
      }
      if (m == null) {
        m = new double[x.length];
        m2 = new double[x.length];
      } else if (x.length != m.length) {
        throw new HoldoutException(
            "standardizer: "
                + train.describe(i)
                + " has "
                + x.length
                + " input values, not "
                + m.length);
      }
      for (int j = 0; j < x.length; j++) { // Welford
        double d = x[j] - m[j];
        m[j] += d / (i + 1);
        m2[j] += d * (x[j] - m[j]);
      }
    }
    float[] mean = new float[m.length];
    float[] std = new float[m.length];
    for (int j = 0; j < m.length; j++) {
      mean[j] = (float) m[j];
      double s = Math.sqrt(m2[j] / n);
      std[j] = s < 1e-12 ? 1f : (float) s;
    }
    List<String> names = train.schema().inputNames();
    return new Standardizer(names.size() == m.length ? names : List.of(), mean, std, n);
  }

  @Override
  public Sample apply(Sample sample, RandomGenerator rng) {
    Field in = sample.input();
    if (in.dtype() != DType.FLOAT32 || in.floats().length != mean.length) {
      throw new HoldoutException(
          "standardizer fitted on "
              + mean.length
              + " float values cannot standardise the input "
              + Arrays.toString(in.shape())
              + " of "
              + sample.id());
    }
    float[] x = in.floats();
    float[] y = new float[x.length];
    for (int j = 0; j < x.length; j++) {
      y[j] = (x[j] - mean[j]) / std[j];
    }
    Map<String, Field> fields = new LinkedHashMap<>(sample.fields());
    fields.put(Batch.INPUT, Field.floats(in.shape(), y));
    return new Sample(sample.id(), fields);
  }

  /** {@code dataset} seen through this standardizer. */
  public TransformedDataset applyTo(Dataset dataset) {
    return new TransformedDataset(dataset, this, 0);
  }

  public List<String> features() {
    return features;
  }

  public float[] mean() {
    return mean.clone();
  }

  public float[] std() {
    return std.clone();
  }

  /** Number of training samples the statistics come from. */
  public int samples() {
    return samples;
  }

  /**
   * The record as JSON: {@code {"type":"standardize","fitted_on_samples":n,"features":[...],
   * "mean":[...],"std":[...]}}.
   */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", TYPE);
    o.put("fitted_on_samples", samples);
    ArrayNode f = o.putArray("features");
    features.forEach(f::add);
    ArrayNode mu = o.putArray("mean");
    for (float v : mean) {
      mu.add(v);
    }
    ArrayNode sd = o.putArray("std");
    for (float v : std) {
      sd.add(v);
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a record written by {@link #toJson}.
   *
   * @param where the file name for messages
   */
  public static Standardizer fromJson(String json, String where) {
    JsonNode o = Json.parse(json, where);
    if (o == null || !o.isObject() || !TYPE.equals(o.path("type").asText())) {
      throw new HoldoutException(
          where + ": not a standardizer record (type must be '" + TYPE + "')");
    }
    float[] mean = floats(o, "mean", where);
    float[] std = floats(o, "std", where);
    List<String> names = new ArrayList<>();
    o.path("features").forEach(n -> names.add(n.asText()));
    try {
      return new Standardizer(names, mean, std, o.path("fitted_on_samples").asInt());
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(where + ": " + e.getMessage());
    }
  }

  private static float[] floats(JsonNode o, String key, String where) {
    JsonNode a = o.get(key);
    if (a == null || !a.isArray()) {
      throw new HoldoutException(where + ": '" + key + "' must be an array of numbers");
    }
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      if (!a.get(i).isNumber()) {
        throw new HoldoutException(where + ": " + key + "[" + i + "] is not a number");
      }
      out[i] = a.get(i).floatValue();
    }
    return out;
  }

  /** Writes {@link #toJson} to {@code file}, atomically. */
  public void write(Path file) {
    try {
      AtomicFiles.writeString(file, toJson());
    } catch (java.io.UncheckedIOException e) {
      throw new HoldoutException(file + ": cannot write: " + e.getCause().getMessage(), e);
    }
  }

  public static Standardizer read(Path file) {
    try {
      return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": file not found");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardizer s
        && features.equals(s.features)
        && Arrays.equals(mean, s.mean)
        && Arrays.equals(std, s.std)
        && samples == s.samples;
  }

  @Override
  public int hashCode() {
    return Objects.hash(features, Arrays.hashCode(mean), Arrays.hashCode(std), samples);
  }

  @Override
  public String toString() {
    return "Standardizer[" + mean.length + " features, fitted on " + samples + " samples]";
  }
}
