package io.holdout.cli;

import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.LoadedConfig;
import io.holdout.run.Experiment;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout train CONFIG.yaml [--set key=value ...]}. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {
      "Train an experiment: train on the training split, validate every epoch, test once at the end.",
      "The last line printed names the run folder (config, metrics.csv, weights, test report)."})
final class TrainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG.yaml", description = "The experiment config.")
  Path config;

  @Option(names = "--resume", paramLabel = "RUN_FOLDER",
      description = {"Continue an interrupted run from where it stopped (after its last completed epoch, or the test "
          + "if training was done); refused if the config or the data changed.",
          "With --resume, --set may change only trainer.epochs, trainer.progress, trainer.progressSeconds, trainer.callbacks, runs, backend (checkpoints use the same tensor names on every engine) and trainer.dataParallel.master."})
  Path resume;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override any config key, e.g. --set backend=pytorch --set trainer.epochs=5 "
          + "(lists: loss.0.weight=2). Repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Experiment.Outcome outcome;
    if (resume != null) {
      if (config != null) {
        throw new io.holdout.api.HoldoutException("--resume takes the run folder, not a config: the run's own config.yaml "
            + "is used (--set trainer.epochs=N may extend it)");
      }
      outcome = Experiment.resume(resume, overrides, out, List.of());
    } else {
      if (config == null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'CONFIG.yaml'");
      }
      LoadedConfig loaded = ConfigLoader.load(config, overrides);
      outcome = Experiment.run(loaded, out);
    }
    out.println("run folder: " + outcome.runFolder());
    out.flush();
    return 0;
  }
}
