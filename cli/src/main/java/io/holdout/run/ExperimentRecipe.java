package io.holdout.run;

import com.google.inject.Injector;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.Specs;
import io.holdout.api.extension.Parts;
import io.holdout.api.inject.Bootstrap;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.ModelSpecJson;
import io.holdout.api.model.Weights;
import io.holdout.api.parallel.SessionRecipe;
import java.nio.file.Path;
import java.util.List;

/**
 * The training session of an experiment as a data-parallel executor opens it: the resolved config
 * and the model spec travel as text, and the executor binds the same backend and registered parts
 * (plugins included) through Guice, as the run itself did. No data is read there: the shards of each
 * batch come with the round.
 */
final class ExperimentRecipe implements SessionRecipe {
  private static final long serialVersionUID = 1L;
  private final String yaml;
  private final String source;
  private final String baseDir;
  private final String model;

  ExperimentRecipe(LoadedConfig loaded, ModelSpec model) {
    this.yaml = loaded.resolvedYaml();
    this.source = loaded.source().toString();
    this.baseDir = loaded.baseDir().toString();
    this.model = ModelSpecJson.toJson(model);
  }

  @Override
  public TrainingSession open(Weights initial) {
    LoadedConfig loaded = ConfigLoader.parse(yaml, source, Path.of(baseDir), List.of());
    ExperimentConfig c = loaded.config();
    Injector injector = Bootstrap.injector(loaded);
    Backend backend = injector.getInstance(Backend.class);
    Parts parts = injector.getInstance(Parts.class);
    SessionSpec spec = new SessionSpec(ModelSpecJson.fromJson(model, source), initial, Specs.loss(c.loss()),
        parts.optimizer(c.optimizer(), source), Device.parse(c.device()), c.seed(), c.engine().intraOpThreads(),
        c.engine().interOpThreads(), c.engine().precisionType());
    return backend.open(spec);
  }
}
