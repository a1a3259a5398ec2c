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

  @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "The experiment config.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override any config key, e.g. --set backend=pytorch --set trainer.epochs=5 "
          + "(lists: loss.0.weight=2). Repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    LoadedConfig loaded = ConfigLoader.load(config, overrides);
    Experiment.Outcome outcome = Experiment.run(loaded, out);
    out.println("run folder: " + outcome.runFolder());
    out.flush();
    return 0;
  }
}
