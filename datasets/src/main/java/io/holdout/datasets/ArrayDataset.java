package io.holdout.datasets;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An in-memory dataset for users of the Maven API: inputs as {@code float[][]} (one row per sample)
 * plus class or number targets, or any list of prepared {@link Sample}s.
 *
 * <pre>{@code
 * ArrayDataset ds = ArrayDataset.builder(x)
 *     .addClassTarget("label", y, List.of("cat", "dog"))
 *     .build();
 * }</pre>
 */
public final class ArrayDataset implements IdentifiedDataset {
  private final DatasetSchema schema;
  private final List<Sample> samples;

  private ArrayDataset(DatasetSchema schema, List<Sample> samples) {
    this.schema = schema;
    this.samples = samples;
  }

  /** Starts a dataset whose sample {@code i} has input {@code inputs[i]}. */
  public static Builder builder(float[][] inputs) {
    return new Builder(inputs);
  }

  /**
   * A dataset of prepared samples. Each sample must have the input and every target of {@code
   * schema}; the arrays inside the fields are not copied and must not be changed afterwards.
   */
  public static ArrayDataset ofSamples(DatasetSchema schema, List<Sample> samples) {
    Objects.requireNonNull(schema, "schema is null");
    List<Sample> copy = List.copyOf(Objects.requireNonNull(samples, "samples is null"));
    for (int i = 0; i < copy.size(); i++) {
      Sample s = copy.get(i);
      if (!s.fields().containsKey(Batch.INPUT)) {
        throw new HoldoutException(
            "sample " + i + " (" + s.id() + ") has no '" + Batch.INPUT + "'");
      }
      for (String t : schema.targets().keySet()) {
        if (!s.fields().containsKey(t)) {
          throw new HoldoutException("sample " + i + " (" + s.id() + ") has no target '" + t + "'");
        }
      }
    }
    return new ArrayDataset(schema, copy);
  }

  @Override
  public DatasetSchema schema() {
    return schema;
  }

  @Override
  public int size() {
    return samples.size();
  }

  @Override
  public Sample get(int index) {
    return samples.get(index);
  }

  @Override
  public String id(int index) {
    return samples.get(index).id();
  }

  @Override
  public String describe(int index) {
    return "sample " + index + " (" + samples.get(index).id() + ")";
  }

  @Override
  public OptionalLong label(int index, String target) {
    TargetInfo t = schema.targets().get(target);
    if (t == null || t.kind() != TargetKind.CLASS) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(samples.get(index).field(target).longs()[0]);
  }

  /** Builds an {@link ArrayDataset} from arrays; arrays are copied. */
  public static final class Builder {
    private final float[][] inputs;
    private long[] inputShape;
    private List<String> inputNames = List.of();
    private List<String> ids;
    private final Map<String, TargetInfo> targets = new LinkedHashMap<>();
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Builder(float[][] inputs) {
      Objects.requireNonNull(inputs, "inputs is null");
      this.inputs = new float[inputs.length][];
      for (int i = 0; i < inputs.length; i++) {
        this.inputs[i] = Objects.requireNonNull(inputs[i], "inputs[" + i + "] is null").clone();
      }
    }

    /** Per-sample input shape, e.g. {@code (1, 8, 8)}; default {@code [features]}. */
    public Builder optInputShape(long... shape) {
      this.inputShape = shape.clone();
      return this;
    }

    /** Names of the input features (for reports). */
    public Builder optInputNames(List<String> names) {
      this.inputNames = List.copyOf(names);
      return this;
    }

    /** Sample ids; default {@code "0"}, {@code "1"}, ... */
    public Builder optIds(List<String> ids) {
      this.ids = List.copyOf(ids);
      return this;
    }

    /** A class target: {@code labels[i]} in {@code [0, classes.size())}. */
    public Builder addClassTarget(String name, long[] labels, List<String> classes) {
      checkName(name);
      Objects.requireNonNull(labels, "labels is null");
      Objects.requireNonNull(classes, "classes is null");
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] < 0 || labels[i] >= classes.size()) {
          throw new HoldoutException(
              "target '"
                  + name
                  + "': label "
                  + labels[i]
                  + " of sample "
                  + i
                  + " is outside [0, "
                  + classes.size()
                  + ")");
        }
      }
      targets.put(name, TargetInfo.classes(classes));
      values.put(name, labels.clone());
      return this;
    }

    /** A number target: {@code values[i]} is sample {@code i}'s vector (all of one length). */
    public Builder addNumberTarget(String name, float[][] targetValues) {
      checkName(name);
      Objects.requireNonNull(targetValues, "values is null");
      int width = targetValues.length == 0 ? 1 : targetValues[0].length;
      float[][] copy = new float[targetValues.length][];
      for (int i = 0; i < copy.length; i++) {
        if (targetValues[i].length != width) {
          throw new HoldoutException(
              "target '"
                  + name
                  + "': sample "
                  + i
                  + " has "
                  + targetValues[i].length
                  + " values, sample 0 has "
                  + width);
        }
        checkFinite(targetValues[i], "target '" + name + "' of sample " + i);
        copy[i] = targetValues[i].clone();
      }
      targets.put(name, TargetInfo.number(width));
      values.put(name, copy);
      return this;
    }

    private void checkName(String name) {
      Objects.requireNonNull(name, "name is null");
      if (name.equals(Batch.INPUT) || targets.containsKey(name)) {
        throw new IllegalArgumentException("target name '" + name + "' is taken");
      }
    }

    public ArrayDataset build() {
      int n = inputs.length;
      int width = n == 0 ? 0 : inputs[0].length;
      long[] shape = inputShape != null ? inputShape : new long[] {width};
      if (n > 0 && Tensor.elementCount(shape) != width) {
        throw new HoldoutException(
            "input shape " + Arrays.toString(shape) + " does not hold " + width + " values");
      }
      if (ids != null && ids.size() != n) {
        throw new HoldoutException(ids.size() + " ids for " + n + " samples");
      }
      for (Map.Entry<String, Object> e : values.entrySet()) {
        int len = e.getValue() instanceof long[] l ? l.length : ((float[][]) e.getValue()).length;
        if (len != n) {
          throw new HoldoutException(
              "target '" + e.getKey() + "' has " + len + " values for " + n + " samples");
        }
      }
      List<Sample> samples = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (inputs[i].length != width) {
          throw new HoldoutException(
              "inputs[" + i + "] has " + inputs[i].length + " values, inputs[0] has " + width);
        }
        checkFinite(inputs[i], "inputs[" + i + "]");
        Map<String, Field> fields = new LinkedHashMap<>();
        fields.put(Batch.INPUT, Field.floats(shape, inputs[i]));
        for (Map.Entry<String, Object> e : values.entrySet()) {
          fields.put(
              e.getKey(),
              e.getValue() instanceof long[] l
                  ? Field.label(l[i])
                  : Field.vector(((float[][]) e.getValue())[i]));
        }
        samples.add(new Sample(ids != null ? ids.get(i) : Integer.toString(i), fields));
      }
      return new ArrayDataset(new DatasetSchema(shape, inputNames, targets), samples);
    }

    private static void checkFinite(float[] v, String what) {
      for (int j = 0; j < v.length; j++) {
        if (!Float.isFinite(v[j])) {
          throw new HoldoutException(what + "[" + j + "] is " + v[j] + ", not a finite number");
        }
      }
    }
  }
}
