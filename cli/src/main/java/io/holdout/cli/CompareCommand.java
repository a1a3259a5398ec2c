package io.holdout.cli;

import io.holdout.run.Compare;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout compare RUN RUN...}: config differences and test figures of finished runs side by side. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Compare finished runs: the config keys that differ, the test figures with their 95% intervals",
        "and whether the differences are within them (every pair of intervals overlaps), and compare.html with",
        "the curves overlaid."})
public final class CompareCommand implements Callable<Integer> {
  @Parameters(arity = "2..*", paramLabel = "RUN_FOLDER", description = "Two or more finished run folders.")
  List<Path> runs;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Folder for compare.html (default: the first run's parent folder, e.g. runs/).")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter w = spec.commandLine().getOut();
    Compare.run(runs, out, w);
    return 0;
  }
}
