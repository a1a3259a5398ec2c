package io.holdout.api.export;

import io.holdout.api.HoldoutException;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/**
 * A standalone model file (e.g. one an {@link Exporter} wrote) opened to run on inputs. Opened
 * through a {@link ModelFileProvider}; close it to free what the runtime holds.
 */
public interface ModelFile extends AutoCloseable {
  /** What the file declares. */
  ModelFileInfo info();

  /**
   * Runs the model on {@code input} (fed as its input {@value Batch#INPUT}, or as its only input)
   * and returns every float output, in the model's order.
   *
   * @throws HoldoutException when the runtime rejects the input (e.g. a wrong shape), naming the file
   */
  Map<String, Tensor> run(Tensor input);

  /**
   * Runs a model whose input takes decoded pixels ({@link ExportRequest.Input#IMAGE}) on uint8
   * {@code pixels} of shape {@code [batch, height, width, channels]}, row-major (RGB interleaved),
   * and returns every float output, in the model's order.
   *
   * @throws HoldoutException when the runtime rejects the input, naming the file
   */
  Map<String, Tensor> runPixels(byte[] pixels, long[] shape);

  @Override
  void close();
}
