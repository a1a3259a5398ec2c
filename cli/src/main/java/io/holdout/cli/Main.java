package io.holdout.cli;

import io.holdout.api.HoldoutException;
import io.holdout.api.train.Interruption;
import io.holdout.api.train.TrainingInterruptedException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
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
    subcommands = {TrainCommand.class, SweepCommand.class, EvaluateCommand.class, PredictCommand.class, ReportCommand.class, CompareCommand.class, ExportCommand.class, SplitCommand.class, BackendsCommand.class, LayersCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class})
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
    // By default Ctrl-C or SIGTERM makes the JVM run its shutdown hooks and exit; an engine's own
    // hook (ONNX Runtime releases its environment) then tears down native state under whatever
    // engine call is running. Instead, while training runs, a signal asks it to stop at its next
    // step boundary, and the command unwinds, saves and closes its session before the JVM exits
    // with the signal's code. Outside training, or on a second signal, the process stops at once
    // (files are written atomically, so nothing half-written stays behind).
    AtomicInteger signalled = new AtomicInteger();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          int code = 128 + sig.getNumber();
          if (Interruption.active() && signalled.compareAndSet(0, code)) {
            Interruption.request();
            return;
          }
          System.out.flush();
          System.err.flush();
          Runtime.getRuntime().halt(code);
        });
      } catch (IllegalArgumentException e) {
        // the signal is not available here (or the JVM uses it): keep the default behaviour
      }
    }
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(signalled.get() != 0 ? signalled.get() : code);
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
