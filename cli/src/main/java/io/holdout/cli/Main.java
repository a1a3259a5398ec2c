package io.holdout.cli;

import io.holdout.api.HoldoutException;
import io.holdout.api.train.Interruption;
import io.holdout.api.train.TrainingInterruptedException;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code holdout} command. User errors (a {@link HoldoutException}: bad config, data, checkpoint
 * or arguments) print one line on stderr and exit with code 2; no stack trace unless {@code
 * --verbose}.
 */
@Command(
    name = "holdout",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Run deep-learning experiments the right way: train, validate every epoch, test once.",
    subcommands = {TrainCommand.class, SweepCommand.class, EvaluateCommand.class, PredictCommand.class, ExportCommand.class, SplitCommand.class, BackendsCommand.class, LayersCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit code for user errors. */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Exit code of a run stopped by {@link Interruption} (from inside; a signal's own exit code wins). */
  public static final int INTERRUPTED = 130;

  public static void main(String[] args) {
    // On Ctrl-C or SIGTERM the JVM runs its shutdown hooks and exits, tearing down the engines'
    // native state under whatever engine call is running. Instead, this hook asks training to stop
    // at its next step boundary and waits until the command has unwound and closed its session.
    CountDownLatch finished = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (finished.getCount() == 0 || !Interruption.active()) {
        return;
      }
      Interruption.request();
      try {
        finished.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "holdout-interrupt"));
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    finished.countDown();
    System.exit(code);
  }

  /** Runs the CLI with the given streams and returns the exit code (used by tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    Logging.configure(verbose);
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      Throwable t = ex;
      while (!(t instanceof HoldoutException) && t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      if (t instanceof TrainingInterruptedException) {
        err.println("holdout: " + t.getMessage());
        err.flush();
        return INTERRUPTED;
      }
      if (t instanceof HoldoutException) {
        err.println("holdout: error: " + t.getMessage());
        if (verbose) {
          ex.printStackTrace(err);
        }
        err.flush();
        return USAGE;
      }
      err.println("holdout: internal error: " + ex + (verbose ? "" : " (run with --verbose for details)"));
      if (verbose) {
        ex.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("holdout: error: " + ex.getMessage());
      err.println("try: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help");
      err.flush();
      return USAGE;
    });
    return cl.execute(args);
  }

  /** Prints the holdout version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"holdout " + Versions.holdout()};
    }
  }
}
