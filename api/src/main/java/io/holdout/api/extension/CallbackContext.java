package io.holdout.api.extension;

import io.holdout.api.config.LoadedConfig;
import io.holdout.api.data.BatchSource;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.train.EpochSummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What a callback of a run may use. Engine-neutral: every member is an api type, the same on every
 * backend. Members a caller outside a run does not have are null ({@code loss}, {@code model},
 * {@code schema}, the splits, {@code identity}) or empty.
 *
 * @param config the run's loaded config (its file, resolved values and base folder)
 * @param runFolder the run folder, where a callback may write files of its own
 * @param console the run's console, where its epoch lines go
 * @param lossComponents the loss components' names, in config order
 * @param metrics the metrics' report keys, e.g. {@code species.accuracy}
 * @param loss the loss as the run computes it (components, weights, heads read)
 * @param model the model the run trains
 * @param schema what the data holds: input shape and names, targets and their classes
 * @param train the training split's batches (e.g. to compute what a trivial model scores)
 * @param val the validation split's batches (empty when the split has none)
 * @param test the test split's batches (empty when the split has none)
 * @param history the epochs completed before this process started: empty for a fresh run, the
 *     checkpoint's epochs for a resumed one
 * @param resumed whether this process continues an earlier one ({@code history} may still be empty
 *     when it stopped before its first checkpoint)
 * @param monitorKey what decides the best epoch, e.g. {@code val.total}; null without a validation
 *     split
 * @param identity what the run is (config, split and data hashes), as checkpoints record it
 */
public record CallbackContext(LoadedConfig config, Path runFolder, PrintStream console, List<String> lossComponents,
    List<String> metrics, LossSpec loss, ModelSpec model, DatasetSchema schema, BatchSource train, BatchSource val,
    BatchSource test, List<EpochSummary> history, boolean resumed, String monitorKey, Identity identity) {
  public CallbackContext {
    lossComponents = List.copyOf(lossComponents);
    metrics = List.copyOf(metrics);
    history = List.copyOf(history);
  }

  /** The context of a callback outside a run's data (tests, library code): no model, data or history. */
  public CallbackContext(LoadedConfig config, Path runFolder, PrintStream console, List<String> lossComponents,
      List<String> metrics) {
    this(config, runFolder, console, lossComponents, metrics, null, null, null, null, null, null, List.of(), false,
        null, null);
  }

  /**
   * What a sample is in speed figures: {@code img} for a model of image inputs ({@code [C, H, W]}),
   * {@code samples} otherwise.
   */
  public String unit() {
    return model != null && model.inputShape().length == 3 ? "img" : "samples";
  }

  /**
   * What a run is, as its checkpoints record it; a resume recomputes it and refuses when it changed.
   *
   * @param configHash SHA-256 prefix of the resolved config
   * @param configYaml the resolved config
   * @param splitHash the split manifest's hash
   * @param dataHash the content hash of every file the experiment reads
   */
  public record Identity(String configHash, String configYaml, String splitHash, String dataHash) {}
}
