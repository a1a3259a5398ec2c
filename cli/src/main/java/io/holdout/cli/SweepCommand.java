package io.holdout.cli;

import io.holdout.sweep.Sweep;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code holdout sweep SWEEP.yaml [--resume] [--executor inprocess|spark] [--parallel N] [--master URL] [--set
 * k=v ...]}.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = {
      "Run a sweep: one full experiment (train, val, test) per trial over the axes of SWEEP.yaml, each in its own "
          + "run folder under <sweep folder>/trials/<id>.",
      "Writes trials.csv, ranking.md (ranked on val only) and plots; a failed trial is recorded and the sweep goes "
          + "on. Only the chosen trial's test figure is the sweep's result.",
      "Exit code 1 when no trial finished."})
final class SweepCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "The sweep file (docs/sweeps.md).")
  Path file;

  @Option(names = "--resume", description = "Continue the sweep's folder: finished trials are kept, interrupted ones "
      + "continue from their checkpoint, missing and failed ones run.")
  boolean resume;

  @Option(names = "--executor", paramLabel = "NAME", defaultValue = "inprocess",
      description = "Where trials run: inprocess (default; one after another, or --parallel N at a time) or spark (each trial a Spark task; "
          + "needs holdout-spark).")
  String executor;

  @Option(names = "--master", paramLabel = "URL", description = "The Spark master for --executor spark: local[N] "
      + "(default local[*]), spark://host:port, yarn, k8s://...")
  String master;

  @Option(names = "--parallel", paramLabel = "N", description = "With the in-process executor: run N trials at a "
      + "time on threads of this process (default 1).")
  Integer parallel;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key of the sweep file, e.g. "
      + "--set base.trainer.epochs=1 --set budget=3. Repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> options = new LinkedHashMap<>();
    if (master != null) {
      if (!executor.equals("spark")) {
        throw new io.holdout.api.HoldoutException("--master is a setting of --executor spark");
      }
      options.put("master", master);
    }
    if (parallel != null) {
      if (!executor.equals("inprocess")) {
        throw new io.holdout.api.HoldoutException("--parallel is a setting of --executor inprocess (on spark, "
            + "--master local[N] runs N trials at a time)");
      }
      options.put("parallel", parallel.toString());
    }
    Sweep.Outcome o = Sweep.run(file, overrides, resume, executor, options, out);
    out.println("sweep folder: " + o.location());
    out.flush();
    return o.ok() == 0 ? 1 : 0;
  }
}
