package io.holdout.sweep;

import io.holdout.api.HoldoutException;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.sweep.RemoteFolders;
import io.holdout.api.sweep.SweepExecutor;
import io.holdout.api.sweep.SweepExecutorProvider;
import io.holdout.api.sweep.TrialStatus;
import io.holdout.api.sweep.TrialTask;
import io.holdout.run.RunFolder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Runs a sweep: plans its trials, leaves finished ones alone on {@code --resume}, hands the rest
 * to the executor, then writes {@code trials.csv}, {@code ranking.md} and the plots from the
 * trials' folders under {@code <sweep folder>/trials/<id>}.
 */
public final class Sweep {
  static final String TRIALS = "trials";

  private Sweep() {}

  /** What a sweep ended with. */
  /**
   * @param folder the sweep folder on this machine (for a URI, the local staging copy)
   * @param location the sweep folder as {@code runs:} names it (a path or a URI)
   */
  public record Outcome(Path folder, String location, int trials, int ok, int failed, int skipped, String result) {}

  /**
   * Runs the sweep file {@code file} with {@code overrides} on the executor named {@code
   * executorName} (options such as {@code master}).
   */
  public static Outcome run(Path file, List<String> overrides, boolean resume, String executorName,
      Map<String, String> options, PrintWriter out) {
    SweepSpec spec = SweepSpec.load(file, overrides);
    List<SweepSpec.Trial> trials = spec.trials();
    // a sweep folder named by a URI (hdfs://...) is mirrored in a local staging folder: what is there is
    // downloaded first, trials upload their own folders, and the sweep's files are uploaded at the end
    URI remote = spec.folder == null ? URI.create(spec.runs) : null;
    RemoteFolders store = remote == null ? null : RemoteFolders.find(remote);
    Path folder = remote == null ? spec.folder.toAbsolutePath().normalize() : staging(remote, store);
    Path trialsDir = folder.resolve(TRIALS);
    if (!resume && Files.isDirectory(trialsDir) && !empty(trialsDir)) {
      throw new HoldoutException(spec.file + ": the sweep folder " + spec.runs + " already holds trials: continue "
          + "it with --resume, or set runs: to a new folder");
    }
    // plan: what each trial needs; nothing is written before every trial's config is known
    List<TrialTask> tasks = new ArrayList<>();
    List<SweepSpec.Trial> skipped = new ArrayList<>();
    for (SweepSpec.Trial t : trials) {
      Path dir = trialsDir.resolve(t.id());
      String yaml = SweepSpec.yaml(t.config());
      Path recorded = dir.resolve(TrialRun.TRIAL_CONFIG);
      if (Files.isRegularFile(recorded) && !read(recorded).equals(yaml)) {
        throw new HoldoutException(dir + ": this trial ran with another config than " + spec.file + " gives it now "
            + "(the sweep file or its base changed): start a new sweep folder (runs:)");
      }
      if (resume && Files.isRegularFile(dir.resolve(RunFolder.TEST_REPORT))) {
        skipped.add(t);
        continue;
      }
      boolean continues = resume && Files.isRegularFile(dir.resolve(RunFolder.CONFIG));
      String where = remote == null ? dir.toString()
          : RemoteFolders.child(RemoteFolders.child(remote, TRIALS), t.id()).toString();
      tasks.add(new TrialTask(t.id(), where, yaml, spec.file + " trial " + t.id(), spec.baseDir.toString(), continues));
    }
    SweepExecutorProvider provider = provider(executorName);
    try {
      Files.createDirectories(trialsDir);
    } catch (IOException e) {
      throw new HoldoutException(folder + ": cannot create the sweep folder (" + e.getMessage() + ")");
    }
    AtomicFiles.writeString(folder.resolve("sweep.yaml"), SweepSpec.yaml(spec.resolved));
    if (store != null) {
      store.upload(folder.resolve("sweep.yaml"), remote);
    }
    out.printf(Locale.ROOT, "sweep   %s: %d trial%s, ranked by val.%s (%s) on the validation split; the test split "
        + "stays sealed until the chosen trial's figure is reported%n", spec.name, trials.size(),
        trials.size() == 1 ? "" : "s", spec.rankKey, spec.maximise ? "max" : "min");
    out.println("folder  " + (remote == null ? folder : remote + " (staged in " + folder + ")"));
    for (SweepSpec.Trial t : skipped) {
      out.printf(Locale.ROOT, "trial   %s finished earlier: kept as it is%n", t.id());
    }
    for (TrialTask t : tasks) {
      if (t.resume()) {
        out.printf(Locale.ROOT, "trial   %s was interrupted: continues from its checkpoint%n", t.id());
      } else if (remote == null) {
        clearTrialFolder(Path.of(t.trialDir()));
      }
    }
    Map<String, SweepSpec.Trial> byId = new HashMap<>();
    trials.forEach(t -> byId.put(t.id(), t));
    Map<String, TrialStatus> statuses = new HashMap<>();
    int[] done = {skipped.size()};
    try {
      if (!tasks.isEmpty()) {
        try (SweepExecutor executor = provider.open(options)) {
          out.println("executor " + executor.describe());
          out.flush();
          executor.run(tasks, new TrialRun(), s -> {
            statuses.put(s.id(), s);
            done[0]++;
            if (store != null) {
              Path local = trialsDir.resolve(s.id());
              clearTrialFolder(local);
              store.download(URI.create(taskDir(tasks, s.id())), local);
            }
            TrialResult r = TrialResult.read(byId.get(s.id()), trialsDir.resolve(s.id()));
            out.printf(Locale.ROOT, "trial %d/%d %s %s%n", done[0], trials.size(), s.id(), line(spec, r, s));
            out.flush();
          }).forEach(s -> statuses.putIfAbsent(s.id(), s));
        }
      }
    } finally {
      List<TrialResult> results = new ArrayList<>();
      for (SweepSpec.Trial t : trials) {
        TrialResult r = TrialResult.read(t, trialsDir.resolve(t.id()));
        TrialStatus s = statuses.get(t.id());
        if (s != null && !s.ok() && !Files.isRegularFile(trialsDir.resolve(t.id()).resolve(TrialRun.TRIAL_JSON))) {
          r = new TrialResult(t, "failed", s.error(), r.valEpochs(), r.samplesPerSecond(), r.secondsPerEpoch(),
              r.dataWaitShare(), r.heapPeakMb(), r.rssPeakMb(), r.seconds(), r.test(), r.testIntervals(), false);
        } else if (r.finished() && !r.ok() && !r.status().equals("failed")) {
          r = new TrialResult(t, "ok", "", r.valEpochs(), r.samplesPerSecond(), r.secondsPerEpoch(),
              r.dataWaitShare(), r.heapPeakMb(), r.rssPeakMb(), r.seconds(), r.test(), r.testIntervals(), true);
        }
        results.add(r);
      }
      SweepReport report = new SweepReport(spec, results);
      report.writeAll(folder);
      if (store != null) {
        try (Stream<Path> files = Files.list(folder)) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            store.upload(f, remote);
          }
        } catch (IOException e) {
          throw new HoldoutException(folder + ": cannot list the staged sweep files (" + e.getMessage() + ")");
        }
      }
      long ok = results.stream().filter(TrialResult::ok).count();
      out.printf(Locale.ROOT, "wrote   %s, %s and the plots (%s)%n", SweepReport.TRIALS_CSV, SweepReport.RANKING,
          String.join(", ", plots(folder)));
      out.printf(Locale.ROOT, "trials  %d ok, %d failed%s%n", ok, results.size() - ok,
          skipped.isEmpty() ? "" : " (" + skipped.size() + " finished earlier, kept)");
      out.println("result  " + report.result());
      out.flush();
      return new Outcome(folder, remote == null ? folder.toString() : remote.toString(), results.size(), (int) ok,
          (int) (results.size() - ok), skipped.size(), report.result());
    }
  }

  private static String taskDir(List<TrialTask> tasks, String id) {
    return tasks.stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow().trialDir();
  }

  /** A fresh local folder holding what the remote sweep folder holds so far. */
  private static Path staging(URI remote, RemoteFolders store) {
    try {
      Path dir = Files.createTempDirectory("holdout-sweep-");
      store.download(remote, dir);
      return dir;
    } catch (IOException e) {
      throw new HoldoutException(remote + ": cannot create a local staging folder (" + e.getMessage() + ")");
    }
  }

  private static List<String> plots(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** One line per finished trial: its verdict and figures. */
  private static String line(SweepSpec spec, TrialResult r, TrialStatus s) {
    if (!s.ok()) {
      return "failed: " + s.error();
    }
    int e = r.bestEpoch(spec.rankKey, spec.maximise);
    return String.format(Locale.ROOT, "ok | val %s %s (epoch %d) | %.1f samples/s | %.2f s/epoch | data-wait %.1f%%",
        spec.rankKey, SweepReport.fmt(r.valAtBest(spec.rankKey, spec.rankKey, spec.maximise)), e,
        r.samplesPerSecond(), r.secondsPerEpoch(), 100 * r.dataWaitShare());
  }

  /** The executor provider named {@code name}, found with ServiceLoader. */
  static SweepExecutorProvider provider(String name) {
    TreeSet<String> names = new TreeSet<>();
    for (SweepExecutorProvider p : ServiceLoader.load(SweepExecutorProvider.class)) {
      if (p.name().equals(name)) {
        return p;
      }
      names.add(p.name());
    }
    throw new HoldoutException("unknown executor '" + name + "'; executors present: " + String.join(", ", names)
        + (name.equals("spark") ? " (is holdout-spark on the class path?)" : ""));
  }

  /** Empties a trial's folder for a fresh start (only a folder directly under a sweep's trials/). */
  static void clearTrialFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    if (dir.getParent() == null || !dir.getParent().getFileName().toString().equals(TRIALS)) {
      throw new IllegalStateException("not a trial folder: " + dir);
    }
    try {
      deleteTree(dir, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + dir, e);
    }
  }

  /** Deletes everything under {@code root}, and {@code root} itself unless {@code keepRoot}. */
  static void deleteTree(Path root, boolean keepRoot) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!keepRoot || !p.equals(root)) {
          Files.delete(p);
        }
      }
    }
  }

  private static boolean empty(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new HoldoutException(p + ": cannot read (" + e.getMessage() + ")");
    }
  }
}
