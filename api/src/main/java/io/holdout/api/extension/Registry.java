package io.holdout.api.extension;

/**
 * Where a {@link Plugin} records its parts: one method per extension point, each taking the name a
 * config uses for the part and a factory that builds it. A name may be registered once per point
 * across all plugins; a second registration fails, naming both plugins.
 */
public interface Registry {
  /** A data source, named in config as {@code data.source: NAME}. */
  void dataSource(String name, DataSourceFactory factory);

  /** A splitter, named in config as {@code split.type: NAME}. */
  void splitter(String name, SplitterFactory factory);

  /** A metric, named in config as {@code metrics: - {type: NAME, ...}}. */
  void metric(String name, MetricFactory factory);

  /**
   * A loss type without parameters, named in config as {@code loss: - {type: NAME, ...}}:
   * engine-neutral, so every backend trains or evaluates with it. Names of the built-in catalogue
   * ({@code mse}, ...) are taken. The same as {@link #loss(String, java.util.Map, LossFactory)} with
   * no parameters.
   */
  default void loss(String name, io.holdout.api.loss.CustomLoss definition) {
    java.util.Objects.requireNonNull(definition, () -> "loss type '" + name + "' has no definition");
    loss(name, java.util.Map.of(), params -> definition);
  }

  /** A training callback, named in config as {@code trainer.callbacks: [NAME, ...]}. */
  void callback(String name, CallbackFactory factory);

  /** A learning-rate schedule, named in config as {@code trainer.schedule.type: NAME}. */
  void schedule(String name, ScheduleFactory factory);

  /**
   * An optimizer, named in config as {@code optimizer: {type: NAME, lr: ..., other keys}}: the
   * factory turns the section into an engine-neutral {@link io.holdout.api.optim.UpdateRule}, which
   * every training backend compiles. The built-ins {@code sgd}, {@code adam} and {@code adamw} are
   * registered by the core plugin.
   */
  void optimizer(String name, OptimizerFactory factory);

  /**
   * An engine, named in config as {@code backend: NAME} ({@link
   * io.holdout.api.backend.BackendProvider#name()}). Engine modules list their provider in {@code
   * META-INF/services}; the core plugin registers every one found.
   */
  void backend(io.holdout.api.backend.BackendProvider provider);

  /**
   * An export format, named on the command line as {@code holdout export --format NAME} ({@link
   * io.holdout.api.export.ExporterProvider#format()}); the core plugin registers every one found.
   */
  void exporter(io.holdout.api.export.ExporterProvider provider);

  /**
   * A loss type with parameters, named in config as {@code loss: - {type: NAME, params: {KEY:
   * VALUE}}}: {@code factory} builds each entry's loss from its parameters over {@code defaults}.
   * A key not in {@code defaults} fails at start with one line naming it; {@code reduction} is
   * holdout's and is not declared here.
   */
  void loss(String name, java.util.Map<String, Object> defaults, LossFactory factory);

  /**
   * A training augmentation, named in config as {@code data.transforms: - {type: NAME, params:
   * {...}}}; it runs on training samples only, in the listed order.
   */
  void transform(String name, TransformFactory factory);

  /**
   * A callback that every run has unless its config switches it off with {@code -NAME} in {@code
   * trainer.callbacks}; default callbacks run in registration order, before the listed ones.
   */
  void defaultCallback(String name, CallbackFactory factory);
}
