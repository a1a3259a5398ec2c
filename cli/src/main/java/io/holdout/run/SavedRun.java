package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.Specs;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ModelSpecJson;
import io.holdout.api.model.Weights;
import io.holdout.losses.ResolvedLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run as its folder records it: the resolved config ({@code config.yaml}), the model ({@code
 * model.json}), the preprocessing ({@code preprocessing.json}) and, for a detector, its anchors and
 * box coding rebuilt from these. {@code evaluate}, {@code predict} and {@code export} start here:
 * none of them opens the training data or refits anything, and an imported model is not read from
 * its original file again.
 *
 * <p>A folder written before {@code model.json} existed is read by rebuilding the experiment from
 * its config, which needs the training data where it was.
 */
final class SavedRun {
  /** The model spec's file in a run folder. */
  static final String MODEL = "model.json";

  /** The preprocessing record's file in a run folder. */
  static final String PREPROCESSING = "preprocessing.json";

  final RunFolder run;
  final LoadedConfig loaded;
  /** The config file, for messages. */
  final String file;
  final ModelSpec model;
  final Preprocessing prep;
  /** Anchors, encoder and decoder of a detector, else null. */
  final DetectionSetup detection;
  final LossSpec loss;

  private SavedRun(RunFolder run, LoadedConfig loaded, ModelSpec model, Preprocessing prep) {
    this.run = run;
    this.loaded = loaded;
    this.file = loaded.source().toString();
    this.model = model;
    this.prep = prep;
    ExperimentConfig c = loaded.config();
    this.detection = c.detection() == null ? null : DetectionSetup.of(c.detection(), model, file);
    this.loss = Specs.loss(c.loss());
    // every loss parameter, checked against the model's heads before any engine opens
    ResolvedLoss.resolve(loss, model, file);
  }

  /** Reads the run folder {@code dir}; every problem is one line naming the file. */
  static SavedRun open(Path dir) {
    RunFolder run = RunFolder.open(dir);
    LoadedConfig loaded = ConfigLoader.load(run.file(RunFolder.CONFIG), List.of());
    Path modelFile = run.file(MODEL);
    Path prepFile = run.file(PREPROCESSING);
    if (!Files.exists(modelFile) && !Files.exists(prepFile)) {
      return rebuilt(run, loaded);
    }
    ModelSpec model = ModelSpecJson.read(modelFile);
    Preprocessing prep = Preprocessing.read(prepFile);
    prep.checkFits(model, prepFile.toString());
    return new SavedRun(run, loaded, model, prep);
  }

  /** An older folder: the model and preprocessing rebuilt from the config and the training data. */
  private static SavedRun rebuilt(RunFolder run, LoadedConfig loaded) {
    String file = loaded.source().toString();
    try (DataSetup data = DataSetup.build(loaded)) {
      ExperimentConfig c = loaded.config();
      ModelSpec model = data.model() != null ? data.model() : Specs.model(c.model(), data.dataset().schema(), file);
      Preprocessing prep = Preprocessing.of(c, data.dataset().schema(), data.standardizer(), model, data.detection());
      return new SavedRun(run, loaded, model, prep);
    }
  }

  /** The run's backend, or {@code override}, bound as training binds it. */
  Backend backend(String override) {
    return Experiment.bindBackend(loaded, override);
  }

  /** The weights file {@code name} inside the run folder, checked against the model. */
  Weights weights(String name) {
    Path f = run.dir().resolve(name);
    Weights w = Experiment.readWeights(f);
    w.checkFits(model, f.toString());
    return w;
  }

  /** An inference session's spec on {@code backend}, its capabilities checked (a one-line error naming the config). */
  SessionSpec sessionSpec(Backend backend, Weights w) {
    ExperimentConfig c = loaded.config();
    SessionSpec spec = new SessionSpec(model, w, loss, null, Device.parse(c.device()), c.seed(),
        c.engine().intraOpThreads(), c.engine().interOpThreads(), c.engine().precisionType());
    try {
      backend.capabilities().check(backend.name(), spec);
    } catch (HoldoutException e) {
      throw new HoldoutException(file + ": " + e.getMessage());
    }
    return spec;
  }

  /** Head name to whether it outputs class logits. */
  Map<String, Boolean> classificationHeads() {
    Map<String, Boolean> m = new LinkedHashMap<>();
    for (HeadSpec h : model.heads()) {
      m.put(h.name(), prep.classifies(h.name()));
    }
    return m;
  }

  /** Per-sample results of one evaluation, written to {@code file}. */
  Predictions predictions(String split, Path file) {
    if (detection == null) {
      return new Predictions(split, file, loss, classificationHeads());
    }
    return new Predictions(split, file, loss, classificationHeads(), detection, prep.detectionClasses());
  }

  /** The split hash recorded in {@code split.json}, or null when the folder has none. */
  String splitHash() {
    Path m = run.file(RunFolder.SPLIT);
    return Files.exists(m) ? io.holdout.datasets.split.SplitManifest.read(m).split().hash() : null;
  }
}
