package io.holdout.api.export;

import io.holdout.api.HoldoutException;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Batch;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a standalone model file declares, as its runtime read it: its inputs and outputs with their
 * shapes ({@code -1} for a dynamic dimension such as the batch), its producer and its metadata.
 *
 * @param format the file's format as messages name it ({@code ONNX})
 * @param source the file (or what the bytes came from), for messages
 * @param inputs input name to shape, in the model's order
 * @param outputs output name to shape, in the model's order
 * @param producer the program that wrote the file ({@code holdout} for holdout's exports)
 * @param metadata the file's key/value metadata
 */
public record ModelFileInfo(
    String format,
    String source,
    Map<String, long[]> inputs,
    Map<String, long[]> outputs,
    String producer,
    Map<String, String> metadata) {

  public ModelFileInfo {
    Objects.requireNonNull(format, "format is null");
    Objects.requireNonNull(source, "source is null");
    inputs = copy(inputs);
    outputs = copy(outputs);
    producer = producer == null ? "" : producer;
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  private static Map<String, long[]> copy(Map<String, long[]> m) {
    Map<String, long[]> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v.clone()));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Checks that the file can stand in for {@code model}: an input {@value Batch#INPUT} of shape
   * {@code [batch, ...inputShape]} and, for every head, an output of that name and shape {@code
   * [batch, ...outputShape]} (dynamic dimensions match anything).
   *
   * @throws HoldoutException naming the file and the first mismatch
   */
  public void checkFits(ModelSpec model) {
    Objects.requireNonNull(model, "model is null");
    checkFits(model, model.inputShape());
  }

  /**
   * Checks that the file can stand in for {@code model} fed an input {@value Batch#INPUT} of shape
   * {@code [batch, ...input]} ({@code -1} in {@code input}: a dynamic dimension, e.g. the height
   * of an exported image input), with every head's output as {@link #checkFits(ModelSpec)}.
   *
   * @throws HoldoutException naming the file and the first mismatch
   */
  public void checkFits(ModelSpec model, long[] input) {
    Objects.requireNonNull(model, "model is null");
    long[] in = inputs.get(Batch.INPUT);
    if (in == null) {
      throw new HoldoutException(source + ": the " + format + " model has no input '" + Batch.INPUT
          + "' (inputs: " + inputs.keySet() + ")");
    }
    checkShape("input '" + Batch.INPUT + "'", in, input);
    for (HeadSpec h : model.heads()) {
      long[] out = outputs.get(h.name());
      if (out == null) {
        throw new HoldoutException(source + ": the " + format + " model has no output '" + h.name()
            + "' for head '" + h.name() + "' (outputs: " + outputs.keySet() + ")");
      }
      checkShape("output '" + h.name() + "'", out, model.outputShape(h.name()));
    }
  }

  private void checkShape(String what, long[] actual, long[] perSample) {
    boolean ok = actual.length == perSample.length + 1;
    for (int i = 0; ok && i < perSample.length; i++) {
      ok = actual[i + 1] < 0 || perSample[i] < 0 || actual[i + 1] == perSample[i];
    }
    if (!ok) {
      throw new HoldoutException(source + ": " + what + " has shape " + shape(actual)
          + " but the model expects [batch, " + Arrays.toString(perSample).replace("-1", "?").replaceAll("[\\[\\]]", "")
          + "]");
    }
  }

  /** {@code shape} as {@code [?, 3]}, a dynamic dimension as {@code ?}. */
  public static String shape(long[] s) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < s.length; i++) {
      b.append(i == 0 ? "" : ", ").append(s[i] < 0 ? "?" : String.valueOf(s[i]));
    }
    return b.append(']').toString();
  }
}
