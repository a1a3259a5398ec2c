package io.holdout.engine.onnx;

import io.holdout.api.HoldoutException;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Batch;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an ONNX model file declares, as ONNX Runtime read it: its inputs and outputs with their
 * shapes ({@code -1} for a dynamic dimension such as the batch), its producer and its {@code
 * metadata_props}.
 *
 * @param source the file (or what the bytes came from), for messages
 * @param inputs input name to shape, in the model's order
 * @param outputs output name to shape, in the model's order
 * @param producer the model's {@code producer_name} ({@code holdout} for {@link OnnxExport}'s files)
 * @param metadata the model's {@code metadata_props}
 */
public record OnnxModelInfo(
    String source,
    Map<String, long[]> inputs,
    Map<String, long[]> outputs,
    String producer,
    Map<String, String> metadata) {

  public OnnxModelInfo {
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

  /** The same, as the api's engine-neutral {@link ModelFileInfo} (format {@code ONNX}). */
  public ModelFileInfo toModelFileInfo() {
    return new ModelFileInfo("ONNX", source, inputs, outputs, producer, metadata);
  }

  /**
   * Checks that the file can stand in for {@code model}; see {@link ModelFileInfo#checkFits(ModelSpec)}.
   *
   * @throws HoldoutException naming the file and the first mismatch
   */
  public void checkFits(ModelSpec model) {
    toModelFileInfo().checkFits(model);
  }

  /**
   * Checks that the file can stand in for {@code model} fed an input {@value Batch#INPUT} of shape
   * {@code [batch, ...input]}; see {@link ModelFileInfo#checkFits(ModelSpec, long[])}.
   *
   * @throws HoldoutException naming the file and the first mismatch
   */
  public void checkFits(ModelSpec model, long[] input) {
    toModelFileInfo().checkFits(model, input);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("OnnxModelInfo[" + source + ", inputs {");
    inputs.forEach((k, v) -> b.append(' ').append(k).append(ModelFileInfo.shape(v)));
    b.append(" }, outputs {");
    outputs.forEach((k, v) -> b.append(' ').append(k).append(ModelFileInfo.shape(v)));
    return b.append(" }, producer ").append(producer).append(", metadata ").append(metadata).append(']').toString();
  }
}
