package io.holdout.sweep;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.sweep.RemoteFolders;
import io.holdout.api.sweep.TrialRunner;
import io.holdout.api.sweep.TrialStatus;
import io.holdout.api.sweep.TrialTask;
import io.holdout.api.train.RunState;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingInterruptedException;
import io.holdout.api.train.TrainingListener;
import io.holdout.run.Experiment;
import io.holdout.run.RunFolder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Runs one trial in this JVM (whichever executor placed it here): a fresh experiment into the
 * trial's folder, or the continuation of an interrupted one. The run's console output goes to
 * {@code trial.log}; the verdict, the wall time and the peak memory go to {@code trial.json},
 * written last. A failure of any kind (a bad config value, a NaN loss, out of memory, an exception)
 * is caught and recorded as one line; only an interruption (Ctrl-C) propagates.
 */
public final class TrialRun implements TrialRunner {
  private static final long serialVersionUID = 1L;
  static final String TRIAL_JSON = "trial.json";
  static final String TRIAL_LOG = "trial.log";
  static final String TRIAL_CONFIG = "trial-config.yaml";

  @Override
  public TrialStatus run(TrialTask task) {
    if (!RemoteFolders.isUri(task.trialDir())) {
      return run(task, Path.of(task.trialDir()), List.of());
    }
    // a trial folder on HDFS (or another file system Hadoop reaches): run in a local folder, then replace
    // the remote folder with it; a continued trial starts from a download of what is there
    URI remote = URI.create(task.trialDir());
    Path tmp = null;
    try {
      RemoteFolders store = RemoteFolders.find(remote);
      tmp = Files.createTempDirectory("holdout-trial-");
      Path dir = tmp.resolve(Sweep.TRIALS).resolve(task.id());
      if (task.resume()) {
        try {
          store.download(remote, dir);
        } catch (HoldoutException e) {
          // unreadable: the trial runs again from the start (its config is not there to resume from)
          deleteTree(dir);
        }
      } else {
        store.delete(remote); // what a lost attempt left there
      }
      TrialStatus status = run(task, dir, List.of(new Upload(store, dir, remote)));
      store.replace(dir, remote);
      return status;
    } catch (HoldoutException e) {
      return TrialStatus.failed(task.id(), oneLine(e));
    } catch (IOException e) {
      return TrialStatus.failed(task.id(), "trial folder " + remote + ": " + oneLine(e));
    } finally {
      if (tmp != null) {
        deleteTree(tmp);
      }
    }
  }

  /**
   * Copies the trial's run folder to its remote folder after every committed epoch (its checkpoint
   * written), so that a trial killed mid-run continues there from its last epoch on {@code --resume}.
   */
  private static final class Upload implements TrainingListener {
    private final RemoteFolders store;
    private final Path dir;
    private final URI remote;

    Upload(RemoteFolders store, Path dir, URI remote) {
      this.store = store;
      this.dir = dir;
      this.remote = remote;
    }

    @Override
    public void onEpochCommitted(TrainingContext ctx, RunState state) {
      try {
        store.replace(dir, remote);
      } catch (HoldoutException e) {
        // the next epoch (or the end of the trial) uploads again; training goes on
        System.err.println("holdout: after epoch " + state.completedEpochs() + ": " + e.getMessage()
            + "; trying again after the next epoch");
      }
    }
  }

  private static void deleteTree(Path root) {
    try {
      if (Files.exists(root)) {
        Sweep.deleteTree(root, false);
      }
    } catch (IOException e) {
      // a temporary folder left behind
    }
  }

  private TrialStatus run(TrialTask task, Path dir, List<TrainingListener> extra) {
    long start = System.nanoTime();
    MemoryWatch memory = MemoryWatch.start();
    TrialStatus status;
    try {
      if (!task.resume()) {
        // the driver hands fresh trials an empty folder; what is there is a lost attempt's (a retried task)
        Sweep.clearTrialFolder(dir);
      }
      Files.createDirectories(dir);
      AtomicFiles.writeString(dir.resolve(TRIAL_CONFIG), task.configYaml());
    } catch (IOException e) {
      memory.stop();
      return TrialStatus.failed(task.id(), "cannot write " + dir + " (" + e.getMessage() + ")");
    }
    try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(dir.resolve(TRIAL_LOG), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
      status = runLogged(task, dir, log, extra);
      if (!status.ok()) {
        log.println("trial failed: " + status.error());
      }
    } catch (IOException e) {
      status = TrialStatus.failed(task.id(), "cannot write " + dir.resolve(TRIAL_LOG) + " (" + e.getMessage() + ")");
    } finally {
      memory.stop();
    }
    writeJson(dir, status, (System.nanoTime() - start) / 1e9, memory);
    return status;
  }

  private static TrialStatus runLogged(TrialTask task, Path dir, PrintWriter log, List<TrainingListener> extra) {
    if (task.resume() && Files.exists(dir.resolve(RunFolder.CONFIG))) {
      try {
        Experiment.resume(dir, List.of(), log, extra);
        return TrialStatus.ok(task.id());
      } catch (TrainingInterruptedException e) {
        throw e;
      } catch (HoldoutException e) {
        log.println("cannot resume (" + e.getMessage() + "): running the trial again from the start");
      } catch (RuntimeException | Error e) {
        log.println("cannot resume (" + oneLine(e) + "): running the trial again from the start");
      }
      Sweep.clearTrialFolder(dir);
    }
    try {
      LoadedConfig loaded = ConfigLoader.parse(task.configYaml(), task.configName(), Path.of(task.baseDir()),
          List.of());
      Experiment.runInto(loaded, dir, log, extra);
      return TrialStatus.ok(task.id());
    } catch (TrainingInterruptedException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      return TrialStatus.failed(task.id(), oneLine(e));
    }
  }

  /** The one line a failed trial is recorded with. */
  static String oneLine(Throwable e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().strip().split("\\R", 2)[0];
    if (e instanceof HoldoutException) {
      return msg;
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + msg + ")";
    }
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof HoldoutException) {
        return oneLine(c);
      }
    }
    return e.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
  }

  private static void writeJson(Path dir, TrialStatus s, double seconds, MemoryWatch memory) {
    String json = String.format(Locale.ROOT, "{\n  \"id\": \"%s\",\n  \"status\": \"%s\",\n  \"error\": \"%s\",\n"
        + "  \"seconds\": %.3f,\n  \"heap_peak_mb\": %.1f,\n  \"rss_peak_mb\": %s\n}\n", esc(s.id()),
        s.ok() ? "ok" : "failed", esc(s.error()), seconds, memory.heapPeakMb(),
        Double.isNaN(memory.rssPeakMb()) ? "null" : String.format(Locale.ROOT, "%.1f", memory.rssPeakMb()));
    try {
      AtomicFiles.writeString(dir.resolve(TRIAL_JSON), json);
    } catch (UncheckedIOException e) {
      // the status still travels back to the driver
    }
  }

  private static String esc(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }

  /**
   * Peak memory during a trial: the JVM heap (the heap pools' peak usage, reset when the trial
   * starts) and the process resident set (sampled from {@code /proc/self/status} every 200 ms; NaN
   * where there is none). Trials that run at the same time in one JVM (Spark local[N]) share both.
   */
  static final class MemoryWatch {
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile double rssPeakKb = Double.NaN;
    private double heapPeakMb;

    private MemoryWatch() {
      sampler = new Thread(() -> {
        while (running) {
          sampleRss();
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "holdout-trial-memory");
      sampler.setDaemon(true);
    }

    static MemoryWatch start() {
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP && p.isValid()) {
          p.resetPeakUsage();
        }
      }
      MemoryWatch w = new MemoryWatch();
      w.sampleRss();
      w.sampler.start();
      return w;
    }

    void stop() {
      running = false;
      sampler.interrupt();
      sampleRss();
      long used = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP && p.isValid() && p.getPeakUsage() != null) {
          used += p.getPeakUsage().getUsed();
        }
      }
      heapPeakMb = used / (1024.0 * 1024.0);
    }

    double heapPeakMb() {
      return heapPeakMb;
    }

    double rssPeakMb() {
      return rssPeakKb / 1024.0;
    }

    private synchronized void sampleRss() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) {
            double kb = Double.parseDouble(line.substring(6).replace("kB", "").strip());
            rssPeakKb = Double.isNaN(rssPeakKb) ? kb : Math.max(rssPeakKb, kb);
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: no resident set figure
      }
    }
  }
}
