package io.holdout.api.extension;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.MetricConfig;
import io.holdout.api.config.TrainerConfig;
import io.holdout.api.metrics.Metric;
import io.holdout.api.train.LrSchedule;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The registered parts of a run, injected as Guice map bindings (one per extension point), and
 * looked up by the names its config uses. An unknown name fails with one line listing the
 * registered ones.
 */
public final class Parts {
  private final Map<String, MetricFactory> metrics;
  private final Map<String, ScheduleFactory> schedules;
  private final Map<String, PluginLoss> losses;
  private final Map<String, DataSourceFactory> dataSources;
  private final Map<String, SplitterFactory> splitters;
  private final Map<String, CallbackFactory> callbacks;
  private final Map<String, OptimizerFactory> optimizers;
  private final Map<String, TransformFactory> transforms;
  private final List<String> defaultCallbacks;

  @Inject
  public Parts(Map<String, MetricFactory> metrics, Map<String, ScheduleFactory> schedules,
      Map<String, PluginLoss> losses, Map<String, DataSourceFactory> dataSources,
      Map<String, SplitterFactory> splitters, Map<String, CallbackFactory> callbacks,
      Map<String, OptimizerFactory> optimizers, Map<String, TransformFactory> transforms,
      DefaultCallbacks defaultCallbacks) {
    this.optimizers = Map.copyOf(Objects.requireNonNull(optimizers, "optimizers"));
    this.transforms = Map.copyOf(Objects.requireNonNull(transforms, "transforms"));
    this.defaultCallbacks = Objects.requireNonNull(defaultCallbacks, "default callbacks").names();
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
        extensions.splitters(), extensions.callbacks(), extensions.optimizers(), extensions.transforms(),
        new DefaultCallbacks(extensions.defaultCallbacks()));
  }

  /** Plugin loss types by name (the built-in catalogue is not among them). */
  public Map<String, PluginLoss> losses() {
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
   * The callbacks of one run, in the order they run: the default ones ({@link
   * Extensions#defaultCallbacks()}) less those {@code trainer.callbacks} switches off with {@code
   * -NAME}, then the ones it lists.
   *
   * @throws HoldoutException {@code FILE: 'trainer.callbacks.I' 'x' is not a registered callback
   *     (registered: ...)}, another one-line complaint about the list, or a callback's own
   *     complaint prefixed with the file
   */
  public List<io.holdout.api.train.TrainingListener> callbacks(List<String> entries, CallbackContext context) {
    String file = context.config().source().toString();
    List<io.holdout.api.train.TrainingListener> out = new ArrayList<>();
    for (Map.Entry<String, String> e : callbackNames(entries, callbacks, defaultCallbacks, file).entrySet()) {
      CallbackFactory f = callbacks.get(e.getValue());
      try {
        out.add(Objects.requireNonNull(f.create(context), () -> "callback factory " + e.getValue()
            + " returned null"));
      } catch (HoldoutException ex) {
        throw new HoldoutException(file + ": " + e.getKey() + " (" + e.getValue() + "): " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  /**
   * The callbacks {@code trainer.callbacks} gives a run, checked: config key → name, in run order
   * (the default ones under {@code trainer.callbacks (default)}).
   *
   * @param entries {@code trainer.callbacks}: names to add, {@code -NAME} to switch a default one off
   * @throws HoldoutException one line naming the file and the entry at fault
   */
  public static Map<String, String> callbackNames(List<String> entries, Map<String, ?> registered,
      List<String> defaults, String file) {
    Set<String> off = new LinkedHashSet<>();
    Map<String, String> added = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      String key = "trainer.callbacks." + i;
      if (entry != null && entry.startsWith("-")) {
        String name = entry.substring(1);
        if (!defaults.contains(name)) {
          throw new HoldoutException(file + ": '" + key + "' '" + entry + "': only a default callback can be switched"
              + " off (default: " + (defaults.isEmpty() ? "none" : String.join(", ", defaults)) + ")");
        }
        if (!off.add(name)) {
          throw new HoldoutException(file + ": '" + key + "' switches '" + name + "' off twice");
        }
        continue;
      }
      Extensions.require(registered, Extensions.CALLBACK, entry, file, key);
      if (defaults.contains(entry)) {
        throw new HoldoutException(file + ": '" + key + "' '" + entry + "' runs by default: list it only as '-"
            + entry + "' to switch it off");
      }
      added.put(key, entry);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String d : defaults) {
      if (!off.contains(d)) {
        out.put("trainer.callbacks (default " + d + ")", d);
      }
    }
    out.putAll(added);
    return out;
  }

  /**
   * The training augmentation of entry {@code index} of {@code data.transforms}.
   *
   * @throws HoldoutException {@code FILE: 'data.transforms.I.type' 'x' is not a registered transform
   *     (registered: ...)}, or the factory's complaint prefixed with the file and the entry
   */
  public io.holdout.api.data.Transform transform(io.holdout.api.config.TransformConfig entry, int index,
      io.holdout.api.data.DatasetSchema schema, String file) {
    TransformFactory f = Extensions.require(transforms, Extensions.TRANSFORM, entry.type(), file,
        "data.transforms." + index + ".type");
    try {
      return Objects.requireNonNull(f.create(entry.params() == null ? Map.of() : entry.params(), schema),
          () -> "transform factory " + entry.type() + " returned null");
    } catch (HoldoutException e) {
      throw new HoldoutException(file + ": data.transforms." + index + " (" + entry.type() + "): " + e.getMessage(),
          e);
    }
  }

  /**
   * A fresh metric for entry {@code index} of {@code metrics:}.
   *
   * @throws HoldoutException {@code FILE: 'metrics.I.type' 'x' is not a registered metric
   *     (registered: ...)}, or the factory's own complaint prefixed with the file
   */
  public Metric metric(MetricConfig config, int index, String file) {
    return metric(config, index, file, null);
  }

  /**
   * A fresh metric for entry {@code index} of {@code metrics:} in a run ({@code context} may be null
   * outside one: a metric that needs it then refuses).
   *
   * @throws HoldoutException {@code FILE: 'metrics.I.type' 'x' is not a registered metric
   *     (registered: ...)}, or the factory's own complaint prefixed with the file
   */
  public Metric metric(MetricConfig config, int index, String file, MetricContext context) {
    MetricFactory f = Extensions.require(metrics, Extensions.METRIC, config.type(), file,
        "metrics." + index + ".type");
    MetricConfig withParams = config.params() != null ? config
        : new MetricConfig(config.type(), config.output(), config.target(), Map.of());
    try {
      Metric m = context == null ? f.create(withParams) : f.create(withParams, context);
      return Objects.requireNonNull(m, () -> "metric factory " + config.type() + " returned null");
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
