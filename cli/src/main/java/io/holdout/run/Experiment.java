package io.holdout.run;

import com.google.inject.Injector;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.DataConfig;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.MetricConfig;
import io.holdout.api.config.ModelConfig;
import io.holdout.api.config.Specs;
import io.holdout.api.config.SplitConfig;
import io.holdout.api.config.TrainerConfig;
import io.holdout.api.data.Split;
import io.holdout.api.extension.CallbackContext;
import io.holdout.api.extension.MetricContext;
import io.holdout.api.extension.Parts;
import io.holdout.api.inject.Bootstrap;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.io.Safetensors;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.metrics.ConfidenceInterval;
import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.IntervalEstimator;
import io.holdout.api.metrics.Metric;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ModelSpecJson;
import io.holdout.api.model.Weights;
import io.holdout.api.parallel.DataParallelProvider;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.Monitor;
import io.holdout.api.train.ReduceOnPlateau;
import io.holdout.api.train.RunResult;
import io.holdout.api.train.RunState;
import io.holdout.api.train.Trainer;
import io.holdout.api.train.TrainingInterruptedException;
import io.holdout.api.train.TrainingListener;
import io.holdout.checks.CheckResult;
import io.holdout.checks.CheckSettings;
import io.holdout.checks.Doctor;
import io.holdout.losses.ResolvedLoss;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * Runs experiments from configs: a fresh run, a resumed one, or a re-evaluation of a finished run.
 * Everything is built and checked first (backend, data, model, loss, metrics, monitor,
 * capabilities); only then is the run folder created and training started, so a bad config leaves
 * nothing behind.
 */
public final class Experiment {
  private Experiment() {}

  /** Where the run was written and what it measured. */
  public record Outcome(Path runFolder, RunResult result) {}

  /** Everything an experiment needs, built and validated from its config. */
  static final class Prepared implements AutoCloseable {
    final LoadedConfig loaded;
    final String file;
    final Backend backend;
    final Parts parts;
    final DataSetup data;
    final ModelSpec model;
    final LossSpec loss;
    /** The registered optimizer {@code optimizer.type} names, with its update rule. */
    final io.holdout.api.optim.OptimizerSpec optimizer;
    final Supplier<List<Metric>> metrics;
    final Monitor monitorTemplate;
    /** The executor of {@code trainer.dataParallel}; null when the run trains in this process. */
    final DataParallelProvider parallel;

    Prepared(LoadedConfig loaded, String backendOverride) {
      this.loaded = loaded;
      ExperimentConfig c = loaded.config();
      this.file = loaded.source().toString();
      Injector injector = inject(loaded, backendOverride);
      this.backend = backendOf(injector, loaded, backendOverride);
      this.parts = injector.getInstance(Parts.class);
      this.data = DataSetup.build(loaded, parts);
      try {
        this.model = data.model() != null ? data.model() : Specs.model(c.model(), data.dataset().schema(), file);
        this.loss = Specs.loss(c.loss());
        // every loss parameter, checked against the model's heads before any engine opens
        ResolvedLoss.resolve(loss, model, file);
        this.metrics = metrics(parts, c.metrics(), file, new MetricContext(loaded, model));
        parts.schedule(c.trainer().schedule(), file);
        this.optimizer = parts.optimizer(c.optimizer(), file);
        Map<String, Direction> directions = new LinkedHashMap<>();
        metrics.get().forEach(m -> directions.put(m.name(), m.direction()));
        Monitor m = null;
        if (data.val().size() > 0) {
          try {
            m = Monitor.resolve(c.trainer().monitor(), loss.names(), directions, c.trainer().minDelta());
          } catch (HoldoutException e) {
            throw new HoldoutException(file + ": " + e.getMessage());
          }
        } else if (c.trainer().earlyStopping() != null || c.trainer().plateau() != null) {
          throw new HoldoutException(file + ": trainer.earlyStopping and trainer.plateau need a validation split "
              + "(split.ratios.val is 0)");
        }
        this.monitorTemplate = m;
        this.parallel = parallelProvider(c.trainer().dataParallel(), file);
      } catch (RuntimeException e) {
        data.close();
        throw e;
      }
    }

    SessionSpec sessionSpec(Weights init, boolean train) {
      ExperimentConfig c = loaded.config();
      return new SessionSpec(model, init, loss, train ? optimizer : null,
          Device.parse(c.device()), c.seed(), c.engine().intraOpThreads(), c.engine().interOpThreads(),
          c.engine().precisionType());
    }

    /**
     * The training session: the backend's own, or with {@code trainer.dataParallel} that session
     * wrapped by the data-parallel executor, which trains each round on shards of the batches.
     */
    TrainingSession openTraining(SessionSpec spec) {
      TrainingSession local = backend.open(spec);
      if (parallel == null) {
        return local;
      }
      TrainerConfig.DataParallelConfig dp = loaded.config().trainer().dataParallel();
      try {
        return parallel.open(dp.master(), dp.shards(), dp.localSteps(), new ExperimentRecipe(loaded, model), local);
      } catch (RuntimeException e) {
        local.close();
        throw e instanceof HoldoutException ? new HoldoutException(file + ": trainer.dataParallel: " + e.getMessage())
            : e;
      }
    }

    /** What the self-check printed ({@code null} until it ran, or when it is off). */
    String selfCheck;

    /**
     * With {@code engine.selfCheck} on, checks before any file is written that the backend computes
     * this model's layer types and losses right on this machine, at the session's settings; refuses
     * with one line naming the first wrong number.
     */
    void selfCheck(SessionSpec spec) {
      if (!loaded.config().engine().selfCheck()) {
        return;
      }
      Doctor.Report r = Doctor.forModel(backend, model, loss,
          new CheckSettings(spec.device(), spec.intraOpThreads(), spec.interOpThreads(), spec.precision()));
      if (!r.passed()) {
        CheckResult f = r.failures().get(0);
        throw new HoldoutException(file + ": backend '" + backend.name() + "' computes wrong numbers on this machine ("
            + r.failures().size() + " of " + r.ran() + " checks; first: " + f.check() + ": " + f.verdict()
            + "); `holdout doctor --backend " + backend.name() + "` runs every check; set engine.selfCheck: false "
            + "to train anyway");
      }
      selfCheck = backend.name() + " on this CPU: " + r.ran() + " checks of the model's layers and losses ok"
          + String.format(Locale.ROOT, " (%.1f s)", r.seconds());
    }

    /** The backend's capability check, its message prefixed with the config file. */
    void checkCapabilities(SessionSpec spec) {
      try {
        backend.capabilities().check(backend.name(), spec);
      } catch (HoldoutException e) {
        throw new HoldoutException(file + ": " + e.getMessage());
      }
    }

    private RunIdentity identity;

    /** The run's identity: config, data content and split hashes (the data is read once, here). */
    RunIdentity identity() {
      if (identity == null) {
        identity = new RunIdentity(loaded.hash(), loaded.resolvedYaml(), data.split().hash(),
            DataHash.of(loaded.config()));
      }
      return identity;
    }

    /** The bootstrap of {@code trainer.intervals}, seeded with the experiment's seed; null when off. */
    IntervalEstimator intervals() {
      return Experiment.intervals(loaded);
    }

    Monitor freshMonitor() {
      return monitorTemplate == null ? null
          : new Monitor(monitorTemplate.key(), monitorTemplate.direction(), loaded.config().trainer().minDelta());
    }

    @Override
    public void close() {
      data.close();
    }
  }

  /** The data-parallel executor the config names, found with ServiceLoader (none loads its libraries yet). */
  static DataParallelProvider parallelProvider(TrainerConfig.DataParallelConfig dp, String file) {
    if (dp == null) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (DataParallelProvider p : ServiceLoader.load(DataParallelProvider.class)) {
      if (p.name().equals(dp.executor())) {
        return p;
      }
      names.add(p.name());
    }
    throw new HoldoutException(file + ": trainer.dataParallel.executor '" + dp.executor() + "' is not installed"
        + (names.isEmpty() ? " (no data-parallel executor is on the class path: add holdout-spark)"
            : " (installed: " + String.join(", ", names) + ")"));
  }

  /** The bootstrap of {@code trainer.intervals}, seeded with the experiment's seed; null when off. */
  static IntervalEstimator intervals(LoadedConfig loaded) {
    TrainerConfig.IntervalsConfig i = loaded.config().trainer().intervals();
    return i.resamples() == 0 ? null : new io.holdout.losses.metrics.Bootstrap(i.resamples(), i.level(), loaded.config().seed())
        .estimator();
  }

  /** The config's backend, or {@code override}, bound through Guice as the config names it. */
  static Backend bindBackend(LoadedConfig loaded, String override) {
    return backendOf(inject(loaded, override), loaded, override);
  }

  /** The run's injector: the registered parts and the config's backend, or {@code override}. */
  static Injector inject(LoadedConfig loaded, String override) {
    LoadedConfig forBackend = override == null ? loaded
        : ConfigLoader.parse(loaded.resolvedYaml(), loaded.source().toString(), loaded.baseDir(),
            List.of("backend=" + override));
    return Bootstrap.injector(forBackend);
  }

  private static Backend backendOf(Injector injector, LoadedConfig loaded, String override) {
    String backendName = override != null ? override : loaded.config().backend();
    Backend backend = injector.getInstance(Backend.class);
    if (!backend.name().equals(backendName)) {
      throw new IllegalStateException("bound backend " + backend.name() + " for " + backendName);
    }
    return backend;
  }

  /** Trains a fresh run. */
  public static Outcome run(LoadedConfig loaded, PrintWriter out) {
    return run(loaded, out, List.of());
  }

  /** Trains a fresh run with extra listeners (Java API users, tests). */
  public static Outcome run(LoadedConfig loaded, PrintWriter out, List<TrainingListener> extra) {
    return run(loaded, null, out, extra);
  }

  /**
   * Trains a fresh run into {@code runDir} instead of a new timestamped folder under {@code runs}
   * (a sweep's trial folder); the folder may exist but must not hold a run yet.
   */
  public static Outcome runInto(LoadedConfig loaded, Path runDir, PrintWriter out) {
    return run(loaded, runDir, out, List.of());
  }

  /** As {@link #runInto(LoadedConfig, Path, PrintWriter)}, with extra listeners (after the run's own). */
  public static Outcome runInto(LoadedConfig loaded, Path runDir, PrintWriter out, List<TrainingListener> extra) {
    return run(loaded, runDir, out, extra);
  }

  private static Outcome run(LoadedConfig loaded, Path runDir, PrintWriter out, List<TrainingListener> extra) {
    LoadedConfig absolute = withAbsoluteDataPath(loaded);
    try (Prepared p = new Prepared(absolute, null)) {
      ExperimentConfig c = absolute.config();
      Weights init = Specs.initialWeights(c.model(), p.model, p.data.dataset().schema(), absolute.source().toString(),
          c.seed());
      SessionSpec spec = p.sessionSpec(init, true);
      p.checkCapabilities(spec);
      p.selfCheck(spec);
      RunIdentity id = p.identity();
      // the session first: an engine or a data-parallel executor that cannot start leaves no run folder
      try (TrainingSession session = p.openTraining(spec)) {
        RunFolder run = runDir == null ? RunFolder.create(Path.of(c.runs()), c.name()) : RunFolder.createAt(runDir);
        AtomicFiles.writeString(run.file(RunFolder.CONFIG), absolute.resolvedYaml());
        writeDataState(p, run);
        Provenance.write(run.file("provenance.json"), absolute, p.backend, session.device(), id.splitHash(),
            id.dataHash());
        return train(p, id, run, session, RunState.fresh(c.optimizer().lr()), out, false, extra);
      }
    }
  }

  /**
   * The split manifest, the fitted standardizer, the model spec and the preprocessing record,
   * written at the start of a run (what evaluate, predict and export read instead of the training
   * data).
   */
  private static void writeDataState(Prepared p, RunFolder run) {
    p.data.manifest().write(run.file(RunFolder.SPLIT));
    if (p.data.standardizer() != null) {
      p.data.standardizer().write(run.file("standardizer.json"));
    }
    ModelSpecJson.write(run.file(SavedRun.MODEL), p.model);
    Preprocessing.of(p.loaded.config(), p.data.dataset().schema(), p.data.standardizer(), p.model,
        p.data.detection()).write(run.file(SavedRun.PREPROCESSING));
  }

  /** Continues {@code runDir} after its last completed epoch, from {@code checkpoints/last}. */
  public static Outcome resume(Path runDir, PrintWriter out) {
    return resume(runDir, List.of(), out, List.of());
  }

  /**
   * Continues {@code runDir} from where it stopped, whatever the point: during an epoch (from the
   * last completed one), before its first checkpoint (from the initial weights), after the last
   * epoch but before or during the test (runs the test), or not at all (a finished run says so and
   * is left as it is).
   *
   * @param overrides {@code key=value} changes to the run's config; only {@link RunIdentity#MAY_CHANGE}
   *     keys may differ (e.g. {@code trainer.epochs=20} to train longer)
   * @return the outcome; its result is null when the run had already finished
   */
  public static Outcome resume(Path runDir, List<String> overrides, PrintWriter out, List<TrainingListener> extra) {
    RunFolder run = RunFolder.open(runDir);
    Path configFile = run.file(RunFolder.CONFIG);
    String onDisk;
    try {
      onDisk = Files.readString(configFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new HoldoutException(configFile + ": cannot read (" + e.getMessage() + ")");
    }
    LoadedConfig loaded = ConfigLoader.load(configFile, overrides);
    Path lastFile = run.file(Checkpoints.DIR).resolve(Checkpoints.LAST);
    Checkpoints.Loaded last = Files.exists(lastFile) ? Checkpoints.read(lastFile) : null;
    String started = last != null && last.meta().hasNonNull("config") ? last.meta().get("config").asText()
        : ConfigLoader.parse(onDisk, configFile.toString(), loaded.baseDir(), List.of()).resolvedYaml();
    RunIdentity.requireSameConfig(started, loaded.resolvedYaml(), configFile.toString());
    RunIdentity.requireSameSwitchedOff(started, loaded.resolvedYaml(), configFile.toString());
    List<String> changed = RunIdentity.changedKeys(started, loaded.resolvedYaml());
    if (Files.exists(run.file(RunFolder.TEST_REPORT))) {
      if (!changed.isEmpty()) {
        throw new HoldoutException(runDir + ": the run has finished and its test split was used; training it further "
            + "and testing again would make the test figure an optimistic one: start a new run instead");
      }
      out.println("finished " + runDir + ": " + finishedSummary(run.file(RunFolder.TEST_REPORT))
          + "; nothing to resume");
      out.flush();
      return new Outcome(run.dir(), null);
    }
    try (Prepared p = new Prepared(loaded, null)) {
      RunIdentity id = p.identity();
      RunState state;
      Weights init;
      if (last != null) {
        String dataHash = last.meta().path("data_hash").asText(null);
        if (dataHash != null && !dataHash.equals(id.dataHash())) {
          throw new HoldoutException(String.join(", ", DataHash.files(loaded.config()).values().stream()
              .map(Path::toString).toList()) + ": the data changed since the run started (content hash "
              + id.dataHash() + ", the run's " + dataHash + "); a resume needs the same data: start a new run");
        }
        String splitHash = last.meta().path("split_hash").asText();
        if (!splitHash.equals(id.splitHash())) {
          throw new HoldoutException(lastFile + ": the data now splits differently (split hash " + id.splitHash()
              + ", checkpoint " + splitHash + "): the data file changed since the run started");
        }
        last.weights().checkFits(p.model, lastFile.toString());
        Path bestFile = run.file(Checkpoints.DIR).resolve(Checkpoints.BEST);
        Weights best = Files.exists(bestFile) ? Checkpoints.read(bestFile).weights() : null;
        state = Checkpoints.runState(last, best, lastFile);
        init = last.weights();
      } else {
        ExperimentConfig c = loaded.config();
        state = RunState.fresh(c.optimizer().lr());
        init = Specs.initialWeights(c.model(), p.model, p.data.dataset().schema(), p.file, c.seed());
      }
      SessionSpec spec = p.sessionSpec(init, true);
      p.checkCapabilities(spec);
      p.selfCheck(spec);
      if (!changed.isEmpty()) {
        AtomicFiles.writeString(configFile, loaded.resolvedYaml());
      }
      try (TrainingSession session = p.openTraining(spec)) {
        if (last != null) {
          session.loadTrainingState(last.state());
          session.setLearningRate(last.meta().path("lr").asDouble());
        } else {
          writeDataState(p, run);
          if (!Files.exists(run.file("provenance.json"))) {
            Provenance.write(run.file("provenance.json"), loaded, p.backend, session.device(), id.splitHash(),
                id.dataHash());
          }
        }
        int epochs = loaded.config().trainer().epochs();
        String where = last == null ? "from the start: it stopped before its first checkpoint"
            : state.stopReason() != null || state.completedEpochs() >= epochs
                ? "after epoch " + state.completedEpochs() + ": training is done, the test is next"
                : "after epoch " + state.completedEpochs();
        out.printf(Locale.ROOT, "resume  %s %s%s%n", runDir, where,
            changed.isEmpty() ? "" : " (changed: " + String.join(", ", changed) + ")");
        return train(p, id, run, session, state, out, true, extra);
      }
    }
  }

  /** One line from a finished run's test report: why it stopped and its test figures. */
  private static String finishedSummary(Path report) {
    try {
      com.fasterxml.jackson.databind.JsonNode r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
          report.toFile());
      StringBuilder sb = new StringBuilder(r.path("stop_reason").asText("finished"));
      if (r.path("loss").has("total")) {
        sb.append(String.format(Locale.ROOT, "; test loss %.4f", r.path("loss").path("total").asDouble()));
      }
      r.path("metrics").fields().forEachRemaining(e -> sb.append(String.format(Locale.ROOT, " | test %s %.4f",
          e.getKey(), e.getValue().asDouble())));
      return sb.toString();
    } catch (IOException e) {
      throw new HoldoutException(report + ": cannot read the finished run's test report (" + e.getMessage() + ")");
    }
  }

  private static Outcome train(Prepared p, RunIdentity id, RunFolder run, TrainingSession session, RunState state,
      PrintWriter out, boolean resumed, List<TrainingListener> extra) {
    ExperimentConfig c = p.loaded.config();
    TrainerConfig tc = c.trainer();
    out.printf(Locale.ROOT, "data    %s: %d samples, input %s, targets %s%n",
        c.data().path() != null ? c.data().path() : c.data().source() + " (generated)", p.data.dataset().size(),
        Arrays.toString(p.model.inputShape()), p.data.dataset().schema().targets().keySet());
    if ("csv".equals(c.data().source()) && !resumed) {
      // cheap for tables; for image sets run `holdout split` to check
      out.println(p.data.leakage().summary(3));
    }
    out.printf(Locale.ROOT, "backend %s %s on %s%n", p.backend.name(), p.backend.versions(), session.device());
    String imported = Specs.describeImport(p.loaded.config().model(), p.data.dataset().schema(), p.file);
    if (imported != null) {
      out.println("model   " + imported);
    }
    if (p.selfCheck != null) {
      out.println("checked " + p.selfCheck);
    }
    if (p.data.detection() != null) {
      DetectionSetup d = p.data.detection();
      out.printf(Locale.ROOT, "anchors %d default boxes: %d per cell of the %s feature maps%n", d.anchors().size(),
          d.anchors().perLocation(), String.join(", ", p.model.tapShapes(d.config().loc()).stream()
              .map(t -> t[1] + "x" + t[2]).toList()));
    }
    out.flush();
    PrintStream console = new PrintStream(new WriterOutputStream(out), true, StandardCharsets.UTF_8);
    List<String> metricNames = p.metrics.get().stream().map(Metric::name).toList();
    Monitor monitor = p.freshMonitor();
    CallbackContext context = new CallbackContext(p.loaded, run.dir(), console, p.loss.names(), metricNames, p.loss,
        p.model, p.data.dataset().schema(), p.data.train(), p.data.val(), p.data.test(), state.history(), resumed,
        monitor == null ? null : monitor.key(),
        new CallbackContext.Identity(id.configHash(), id.configYaml(), id.splitHash(), id.dataHash()));
    List<TrainingListener> callbacks = new ArrayList<>();
    boolean finished = false;
    try {
      // the default callbacks (console, metrics.csv, curves, test predictions, progress, checkpoints)
      // and the config's own, each built by the registered part its name names
      callbacks.addAll(p.parts.callbacks(tc.callbacks(), context));
      Trainer.Builder b = Trainer.builder()
          .setEpochs(tc.epochs())
          .optMetrics(p.metrics)
          .optSchedule(p.parts.schedule(tc.schedule(), p.file))
          .optTestOnBest(tc.testOnBest());
      callbacks.forEach(b::addListener);
      if (monitor != null) {
        b.optMonitor(monitor);
        if (tc.earlyStopping() != null) {
          b.optEarlyStopping(tc.earlyStopping().patience());
        }
        if (tc.plateau() != null) {
          b.optPlateau(new ReduceOnPlateau(tc.plateau().factor(), tc.plateau().patience(), tc.plateau().cooldown(),
              tc.plateau().minLr()));
        }
      }
      IntervalEstimator intervals = p.intervals();
      if (intervals != null) {
        b.optTestIntervals(intervals);
      }
      extra.forEach(b::addListener);
      RunResult result;
      try {
        result = b.build().fit(session, p.data.train(), p.data.val(), p.data.test(), state);
      } catch (TrainingInterruptedException e) {
        Path last = run.file(Checkpoints.DIR).resolve(Checkpoints.LAST);
        throw new TrainingInterruptedException(e.getMessage() + "; " + (Files.exists(last)
            ? "the run keeps epoch " + Checkpoints.read(last).epoch() : "no epoch was completed")
            + ": continue with `holdout train --resume " + run.dir() + "`");
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("format", "holdout");
      meta.put("config_hash", id.configHash());
      meta.put("split_hash", id.splitHash());
      meta.put("data_hash", id.dataHash());
      meta.put("backend", p.backend.name());
      Safetensors.write(run.file(RunFolder.WEIGHTS), session.weights().tensors(), meta);
      writeReport(run, result, monitor);
      console.flush();
      finished = true;
      return new Outcome(run.dir(), result);
    } finally {
      close(callbacks, finished);
    }
  }

  /**
   * Closes the callbacks that hold files open (metrics.csv); after a finished run the first failure
   * is rethrown, after a failed one the run's own exception is what the caller sees.
   */
  private static void close(List<TrainingListener> callbacks, boolean rethrow) {
    RuntimeException failed = null;
    for (TrainingListener l : callbacks) {
      if (l instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          if (failed == null) {
            failed = e instanceof RuntimeException r ? r : new UncheckedIOException(new IOException(e.getMessage(), e));
          }
        }
      }
    }
    if (failed != null && rethrow) {
      throw failed;
    }
  }

  /**
   * Re-evaluates a finished run's weights on one split, optionally on another backend, and writes
   * {@code eval-<split>-<backend>.json} and {@code eval-<split>-<backend>-predictions.csv} into the run folder.
   */
  public static EvalSummary evaluate(Path runDir, String split, String backendOverride, String weightsName,
      PrintWriter out) {
    return evaluate(runDir, split, backendOverride, weightsName, null, out);
  }

  /**
   * Re-evaluates a finished run's weights from its folder alone: the model, standardisation and
   * class lists recorded there, on the config's data split by {@code split.json} (part {@code
   * split}), or with {@code dataFile} on every row of that file (same columns or layout as the
   * training data; reported as {@code data-<file name>}). Writes {@code eval-<name>-<backend>.json}
   * and {@code eval-<name>-<backend>-predictions.csv} into the run folder.
   */
  public static EvalSummary evaluate(Path runDir, String split, String backendOverride, String weightsName,
      Path dataFile, PrintWriter out) {
    if (dataFile == null && !List.of(Split.TRAIN, Split.VAL, Split.TEST).contains(split)) {
      throw new HoldoutException("--split must be train, val or test, got '" + split + "'");
    }
    SavedRun saved = SavedRun.open(runDir);
    Injector injector = inject(saved.loaded, backendOverride);
    Backend backend = backendOf(injector, saved.loaded, backendOverride);
    SessionSpec spec = saved.sessionSpec(backend, saved.weights(weightsName));
    String name = dataFile == null ? split : "data-" + stem(dataFile);
    try (DataSetup d = DataSetup.forRun(saved, dataFile)) {
      var source = switch (dataFile == null ? split : Split.TEST) {
        case Split.VAL -> d.val();
        case Split.TRAIN -> d.train();
        default -> d.test();
      };
      List<Metric> metrics = metrics(injector.getInstance(Parts.class), saved.loaded.config().metrics(), saved.file,
          new MetricContext(saved.loaded, saved.model)).get();
      Predictions preds = saved.predictions(name, saved.run.file("eval-" + name + "-" + backend.name()
          + "-predictions.csv"));
      try (TrainingSession session = backend.open(spec)) {
        EvalSummary measured = Trainer.evaluate(session, name, source, metrics, preds::add);
        IntervalEstimator intervals = intervals(saved.loaded);
        EvalSummary s = intervals == null ? measured : measured.withIntervals(intervals.estimate(metrics));
        preds.write();
        writeEvalReport(saved.run.file("eval-" + name + "-" + backend.name() + ".json"), s, backend.name(),
            weightsName, dataFile);
        out.printf(Locale.ROOT, "%s on %s (%s, %s): loss %s%n", dataFile == null ? split
            : name + " (" + d.dataset().size() + " rows of " + dataFile + ")", backend.name(), session.device(),
            weightsName, s.loss().describe());
        s.metrics().forEach((k, v) -> out.printf(Locale.ROOT, "  %s %s%n", k, ConsoleReporter.withInterval(k, v,
            s.intervals())));
        out.println("worst samples: " + String.join("; ", preds.worst(3)));
        return s;
      }
    }
  }

  /** A file's name without its extension(s) ({@code rows.csv.gz} -> {@code rows}). */
  static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.indexOf('.');
    return (dot > 0 ? n.substring(0, dot) : n).replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** The model weights of a weights file or checkpoint (optimizer state left out). */
  static Weights readWeights(Path weightsFile) {
    return new Weights(Safetensors.read(weightsFile).tensors().entrySet().stream()
        .filter(e -> !e.getKey().startsWith(Checkpoints.STATE_PREFIX))
        .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
  }

  /**
   * The config with every path (data, COCO images, split lists, split manifest) made absolute, so
   * the run folder's copy works from anywhere.
   */
  static LoadedConfig withAbsoluteDataPath(LoadedConfig loaded) {
    ExperimentConfig c = loaded.config();
    DataConfig d = c.data();
    SplitConfig s = c.split();
    ModelConfig m = c.model();
    java.util.function.UnaryOperator<String> abs =
        v -> v == null ? null : loaded.resolve(v).toAbsolutePath().toString();
    Map<String, String> lists = null;
    if (s.lists() != null) {
      lists = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : s.lists().entrySet()) {
        lists.put(e.getKey(), abs.apply(e.getValue()));
      }
    }
    ExperimentConfig changed = new ExperimentConfig(c.name(), c.seed(), c.backend(), c.device(),
        new DataConfig(d.source(), abs.apply(d.path()), d.features(), d.targets(), d.standardize(), d.missing(),
            d.delimiter(), abs.apply(d.images()), d.imageSize(), d.classes(), d.imageSet(), d.count(), d.minObjects(),
            d.maxObjects(), d.noise(), d.skipBadSamples(), d.transforms()),
        new SplitConfig(s.type(), s.ratios(), s.stratifyBy(), s.folds(), s.fold(), lists, abs.apply(s.path())),
        c.loader(), new ModelConfig(m.architecture(), m.width(), abs.apply(m.onnx()), m.layers(), m.heads()),
        c.loss(), c.optimizer(), c.trainer(), c.metrics(), c.engine(), c.runs(), c.detection());
    if (changed.equals(c)) {
      return loaded;
    }
    return ConfigLoader.parse(ConfigLoader.toYaml(changed), loaded.source().toString(), loaded.baseDir(), List.of());
  }

  /**
   * Fresh metrics of the config's {@code metrics:} entries, each built by the registered part its
   * {@code type} names, in the run's context (its config and model: {@code map} reads the
   * detection section).
   */
  static Supplier<List<Metric>> metrics(Parts parts, List<MetricConfig> configs, String file,
      MetricContext context) {
    return () -> {
      List<Metric> out = new ArrayList<>();
      for (int i = 0; i < configs.size(); i++) {
        out.add(parts.metric(configs.get(i), i, file, context));
      }
      return out;
    };
  }

  /**
   * Writes {@code test-report.json}, the last file of a run: its presence marks the run finished
   * (resume then says so). A run without a test split gets one too, saying so.
   */
  private static void writeReport(RunFolder run, RunResult r, Monitor monitor) {
    StringBuilder sb = new StringBuilder("{\n  \"split\": \"test\",\n  \"evaluated\": \"")
        .append(r.test() == null ? "never: the run has no test split" : "once, after training").append("\",\n");
    sb.append("  \"epochs_trained\": ").append(r.lastEpoch() == null ? 0 : r.lastEpoch().epoch()).append(",\n");
    sb.append("  \"stop_reason\": \"").append(r.stopReason().replace("\"", "'")).append("\",\n");
    if (monitor != null && monitor.bestEpoch() > 0) {
      sb.append("  \"weights\": \"best: epoch ").append(monitor.bestEpoch()).append(" by ").append(monitor.key())
          .append("\",\n");
    } else {
      sb.append("  \"weights\": \"last epoch\",\n");
    }
    if (r.test() == null) {
      sb.setLength(sb.length() - 2);
      AtomicFiles.writeString(run.file(RunFolder.TEST_REPORT), sb.append("\n}\n").toString());
      return;
    }
    appendLossAndMetrics(sb, r.test());
    AtomicFiles.writeString(run.file(RunFolder.TEST_REPORT), sb.toString());
  }

  /** {@code eval-<split>-<backend>.json}: the loss breakdown and metrics at full precision. */
  private static void writeEvalReport(Path file, EvalSummary s, String backend, String weights, Path data) {
    StringBuilder sb = new StringBuilder("{\n  \"split\": \"").append(s.split()).append("\",\n");
    if (data != null) {
      sb.append("  \"data\": \"").append(data.toAbsolutePath().toString().replace("\\", "/").replace("\"", "'"))
          .append("\",\n");
    }
    sb.append("  \"backend\": \"").append(backend).append("\",\n");
    sb.append("  \"weights\": \"").append(weights.replace("\"", "'")).append("\",\n");
    appendLossAndMetrics(sb, s);
    AtomicFiles.writeString(file, sb.toString());
  }

  /** The last two members of a report: the loss breakdown and the metrics, then the closing brace. */
  private static void appendLossAndMetrics(StringBuilder sb, EvalSummary s) {
    sb.append("  \"loss\": {\"total\": ").append(num(s.loss().total()));
    s.loss().raw().forEach((k, v) -> sb.append(", \"").append(k).append("\": ").append(num(v)));
    sb.append("},\n  \"metrics\": {");
    boolean first = true;
    for (Map.Entry<String, Double> e : s.metrics().entrySet()) {
      sb.append(first ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(num(e.getValue()));
      first = false;
    }
    sb.append('}');
    if (!s.intervals().isEmpty()) {
      sb.append(",\n  \"intervals\": {");
      first = true;
      for (Map.Entry<String, ConfidenceInterval> e : s.intervals().entrySet()) {
        ConfidenceInterval ci = e.getValue();
        sb.append(first ? "\n    " : ",\n    ").append('"').append(e.getKey()).append("\": {\"low\": ")
            .append(num(ci.low())).append(", \"high\": ").append(num(ci.high())).append(", \"level\": ")
            .append(num(ci.level())).append(", \"resamples\": ").append(ci.resamples())
            .append(", \"method\": \"percentile bootstrap over test samples, seeded\"}");
        first = false;
      }
      sb.append("\n  }");
    }
    sb.append("\n}\n");
  }

  /** A report figure at full precision: the shortest decimal that reads back as the same double. */
  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  /** Bridges the reporter's PrintStream onto the command's writer. */
  private static final class WriterOutputStream extends java.io.OutputStream {
    private final Writer writer;
    private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

    WriterOutputStream(Writer writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
      buf.write(b);
      if (b == '\n') {
        flush();
      }
    }

    @Override
    public void flush() throws IOException {
      writer.write(buf.toString(StandardCharsets.UTF_8));
      writer.flush();
      buf.reset();
    }
  }
}
