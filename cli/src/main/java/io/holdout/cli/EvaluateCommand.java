package io.holdout.cli;

import io.holdout.run.Experiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout evaluate RUN_FOLDER [--split val|test] [--backend NAME]}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {
      "Re-evaluate a run's weights on one split (same data, same split), optionally on another backend.",
      "Prints the loss breakdown and metrics, and writes them to eval-<split>-<backend>.json (full precision)",
      "and the per-sample results to eval-<split>-<backend>-predictions.csv (worst first)."})
final class EvaluateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_FOLDER", description = "A run folder written by holdout train.")
  Path run;

  @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--backend", description = "Evaluate on this backend instead of the run's.")
  String backend;

  @Option(names = "--weights", defaultValue = "weights.safetensors",
      description = "Weights file inside the run folder, e.g. checkpoints/best.safetensors (default: ${DEFAULT-VALUE}).")
  String weights;

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    Experiment.evaluate(run, split, backend, weights, spec.commandLine().getOut());
    return 0;
  }
}
