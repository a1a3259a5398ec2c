package io.holdout.api.extension;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.MetricConfig;
import io.holdout.api.config.TrainerConfig;
import io.holdout.api.loss.CustomLoss;
import io.holdout.api.metrics.Metric;
import io.holdout.api.train.LrSchedule;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Objects;

/**
 * The registered parts of a run, injected as Guice map bindings (one per extension point), and
 * looked up by the names its config uses. An unknown name fails with one line listing the
 * registered ones.
 */
public final class Parts {
  private final Map<String, MetricFactory> metrics;
  private final Map<String, ScheduleFactory> schedules;
  private final Map<String, CustomLoss> losses;
  private final Map<String, DataSourceFactory> dataSources;
  private final Map<String, SplitterFactory> splitters;
  private final Map<String, CallbackFactory> callbacks;
  private final Map<String, OptimizerFactory> optimizers;

  @Inject
  public Parts(Map<String, MetricFactory> metrics, Map<String, ScheduleFactory> schedules,
      Map<String, CustomLoss> losses, Map<String, DataSourceFactory> dataSources,
      Map<String, SplitterFactory> splitters, Map<String, CallbackFactory> callbacks,
      Map<String, OptimizerFactory> optimizers) {
    this.optimizers = Map.copyOf(Objects.requireNonNull(optimizers, "optimizers"));
    this.callbacks = Map.copyOf(Objects.requireNonNull(callbacks, "callbacks"));
    this.dataSources = Map.copyOf(Objects.requireNonNull(dataSources, "data sources"));
    this.splitters = Map.copyOf(Objects.requireNonNull(splitters, "splitters"));
    this.metrics = Map.copyOf(Objects.requireNonNull(metrics, "metrics"));
    this.schedules = Map.copyOf(Objects.requireNonNull(schedules, "schedules"));
    this.losses = Map.copyOf(Objects.requireNonNull(losses, "losses"));
  }

  /** The parts of {@code extensions}, without an injector (checks, library code). */
  public static Parts of(Extensions extensions) {
    return new Parts(extensions.metrics(), extensions.schedules(), extensions.losses(), extensions.dataSources(),
        extensions.splitters(), extensions.callbacks(), extensions.optimizers());
  }

  /** Custom loss types by name (the built-in catalogue is not among them). */
  public Map<String, CustomLoss> losses() {
    return losses;
  }

  /** Registered metric names. */
  public java.util.Set<String> metricNames() {
    return new java.util.TreeSet<>(metrics.keySet());
  }

  /** Registered schedule names. */
  public java.util.Set<String> scheduleNames() {
    return new java.util.TreeSet<>(schedules.keySet());
  }

  /** Registered optimizer names. */
  public java.util.Set<String> optimizerNames() {
    return new java.util.TreeSet<>(optimizers.keySet());
  }

  /**
   * The optimizer {@code optimizer:} describes: its registered factory's update rule, with the
   * section's learning rate and clipping.
   *
   * @throws HoldoutException {@code FILE: 'optimizer.type' 'x' is not a registered optimizer
   *     (registered: ...)}, or the factory's own one-line complaint prefixed with the file
   */
  public io.holdout.api.optim.OptimizerSpec optimizer(io.holdout.api.config.OptimizerConfig config, String file) {
    return build(optimizers, config, file);
  }

  /** {@link #optimizer} over {@code factories} (the validator uses the installed ones). */
  public static io.holdout.api.optim.OptimizerSpec build(Map<String, OptimizerFactory> factories,
      io.holdout.api.config.OptimizerConfig config, String file) {
    OptimizerFactory f = Extensions.require(factories, Extensions.OPTIMIZER, config.type(), file, "optimizer.type");
    String prefix = file == null ? "" : file + ": ";
    io.holdout.api.optim.UpdateRule rule;
    try {
      rule = Objects.requireNonNull(f.create(config), () -> "optimizer factory " + config.type() + " returned null");
    } catch (HoldoutException e) {
      throw new HoldoutException(prefix + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(prefix + "optimizer '" + config.type() + "': " + e.getMessage(), e);
    }
    return io.holdout.api.config.Specs.optimizer(config, rule);
  }

  /**
   * The dataset {@code data:} describes, opened by the source {@code data.source} names.
   *
   * @throws HoldoutException {@code FILE: 'data.source' 'x' is not a registered data source
   *     (registered: ...)}, or the source's own one-line complaint
   */
  public io.holdout.api.data.Dataset openData(io.holdout.api.config.DataConfig data,
      io.holdout.api.config.LoadedConfig config) {
    return Extensions.require(dataSources, Extensions.DATA_SOURCE, data.source(), config.source().toString(),
        "data.source").open(data, config);
  }

  /**
   * The splitter {@code split:} describes, built by the type {@code split.type} names.
   *
   * @throws HoldoutException {@code FILE: 'split.type' 'x' is not a registered split type
   *     (registered: ...)}, or the splitter's own one-line complaint
   */
  public io.holdout.api.data.Splitter splitter(io.holdout.api.config.SplitConfig split,
      io.holdout.api.config.LoadedConfig config) {
    return Extensions.require(splitters, Extensions.SPLITTER, split.type(), config.source().toString(),
        "split.type").create(split, config);
  }

  /**
   * The callback entry {@code index} of {@code trainer.callbacks} names, for one run.
   *
   * @throws HoldoutException {@code FILE: 'trainer.callbacks.I' 'x' is not a registered callback
   *     (registered: ...)}, or the callback's own complaint prefixed with the file
   */
  public io.holdout.api.train.TrainingListener callback(String name, int index, CallbackContext context) {
    String file = context.config().source().toString();
    CallbackFactory f = Extensions.require(callbacks, Extensions.CALLBACK, name, file, "trainer.callbacks." + index);
    try {
      return Objects.requireNonNull(f.create(context), () -> "callback factory " + name + " returned null");
    } catch (HoldoutException e) {
      throw new HoldoutException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A fresh metric for entry {@code index} of {@code metrics:}.
   *
   * @throws HoldoutException {@code FILE: 'metrics.I.type' 'x' is not a registered metric
   *     (registered: ...)}, or the factory's own complaint prefixed with the file
   */
  public Metric metric(MetricConfig config, int index, String file) {
    MetricFactory f = Extensions.require(metrics, Extensions.METRIC, config.type(), file,
        "metrics." + index + ".type");
    MetricConfig withParams = config.params() != null ? config
        : new MetricConfig(config.type(), config.output(), config.target(), Map.of());
    try {
      return Objects.requireNonNull(f.create(withParams), () -> "metric factory " + config.type() + " returned null");
    } catch (HoldoutException e) {
      throw new HoldoutException(file + ": metrics: " + e.getMessage(), e);
    }
  }

  /**
   * The schedule {@code trainer.schedule} names.
   *
   * @throws HoldoutException naming the file and key when it is unknown or its settings are bad
   */
  public LrSchedule schedule(TrainerConfig.ScheduleConfig config, String file) {
    ScheduleFactory f = Extensions.require(schedules, Extensions.SCHEDULE, config.type(), file,
        "trainer.schedule.type");
    try {
      return Objects.requireNonNull(f.create(config), () -> "schedule factory " + config.type() + " returned null");
    } catch (HoldoutException e) {
      throw new HoldoutException(file + ": " + e.getMessage(), e);
    }
  }
}
