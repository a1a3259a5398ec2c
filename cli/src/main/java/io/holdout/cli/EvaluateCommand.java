package io.holdout.cli;

import io.holdout.api.HoldoutException;
import io.holdout.run.Experiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout evaluate RUN_FOLDER [--split val|test | --data FILE] [--backend NAME]}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {
      "Re-evaluate a run's weights from its folder (model, standardisation, class lists), optionally on another",
      "backend: on one split of the config's data (split as split.json records), or on every row of --data FILE.",
      "Prints the loss breakdown and metrics, and writes them to eval-<split>-<backend>.json (full precision)",
      "and the per-sample results to eval-<split>-<backend>-predictions.csv (worst first); with --data the",
      "name is data-<file name>."})
final class EvaluateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_FOLDER", description = "A run folder written by holdout train.")
  Path run;

  @Option(names = "--split", description = "train, val or test (default: test).")
  String split;

  @Option(names = "--data", description = "Score every row of this file instead (same columns, or same layout for"
      + " image folders, as the training data; the run's split is not applied).")
  Path data;

  @Option(names = "--backend", description = "Evaluate on this backend instead of the run's.")
  String backend;

  @Option(names = "--weights", defaultValue = "weights.safetensors",
      description = "Weights file inside the run folder, e.g. checkpoints/best.safetensors (default: ${DEFAULT-VALUE}).")
  String weights;

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    if (data != null && split != null) {
      throw new HoldoutException("--split and --data do not go together: --data scores every row of " + data);
    }
    Experiment.evaluate(run, split == null ? "test" : split, backend, weights, data, spec.commandLine().getOut());
    return 0;
  }
}
