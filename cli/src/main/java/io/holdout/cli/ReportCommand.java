package io.holdout.cli;

import io.holdout.run.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout report RUN_FOLDER}: rebuilds a finished run's report.html from its folder alone. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Rebuild report.html of a finished run from its folder alone (every run writes it at its end):",
        "the plan, loss curves beside untrained baselines, val metrics, learning rate, best epoch and why, test",
        "figures with intervals, and per task a confusion matrix, per-class figures and ROC curves, a residual",
        "plot, or per-class precision-recall curves and the worst test images. One self-contained file."})
public final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_FOLDER", description = "A finished run folder.")
  Path run;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Path file = Report.write(run);
    spec.commandLine().getOut().println("report: " + file);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
