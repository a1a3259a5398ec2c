package io.holdout.api.extension;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.export.ExporterProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every part registered by a set of {@link Plugin}s, by extension point and name. Built once from
 * the plugins on the class path ({@link #installed()}) or from an explicit list ({@link #of}); the
 * bootstrap binds each point as a Guice map binding.
 */
public final class Extensions {
  /** Extension point names, as error messages spell them. */
  public static final String METRIC = "metric";

  public static final String SCHEDULE = "schedule";

  public static final String LOSS = "loss type";

  public static final String DATA_SOURCE = "data source";

  public static final String SPLITTER = "split type";

  public static final String CALLBACK = "callback";

  public static final String OPTIMIZER = "optimizer";
  /** The extension point of engines. */
  public static final String BACKEND = "backend";
  /** The extension point of export formats. */
  public static final String EXPORTER = "export format";

  public static final String TRANSFORM = "transform";

  private static volatile Extensions installed;

  private final List<String> plugins;
  private final Map<String, MetricFactory> metrics;
  private final Map<String, ScheduleFactory> schedules;
  private final Map<String, PluginLoss> losses;
  private final Map<String, TransformFactory> transforms;
  private final List<String> defaultCallbacks;
  private final Map<String, DataSourceFactory> dataSources;
  private final Map<String, SplitterFactory> splitters;
  private final Map<String, CallbackFactory> callbacks;
  private final Map<String, OptimizerFactory> optimizers;
  private final Map<String, BackendProvider> backends;
  private final Map<String, ExporterProvider> exporters;
  private final Map<String, Map<String, String>> owners;

  private Extensions(Collector c) {
    this.plugins = List.copyOf(c.plugins);
    this.metrics = Collections.unmodifiableMap(new TreeMap<>(c.metrics));
    this.schedules = Collections.unmodifiableMap(new TreeMap<>(c.schedules));
    this.losses = Collections.unmodifiableMap(new TreeMap<>(c.losses));
    this.transforms = Collections.unmodifiableMap(new TreeMap<>(c.transforms));
    this.defaultCallbacks = List.copyOf(c.defaultCallbacks);
    this.dataSources = Collections.unmodifiableMap(new TreeMap<>(c.dataSources));
    this.splitters = Collections.unmodifiableMap(new TreeMap<>(c.splitters));
    this.callbacks = Collections.unmodifiableMap(new TreeMap<>(c.callbacks));
    this.optimizers = Collections.unmodifiableMap(new TreeMap<>(c.optimizers));
    this.backends = Collections.unmodifiableMap(new TreeMap<>(c.backends));
    this.exporters = Collections.unmodifiableMap(new TreeMap<>(c.exporters));
    Map<String, Map<String, String>> o = new LinkedHashMap<>();
    c.owners.forEach((k, v) -> o.put(k, Collections.unmodifiableMap(new TreeMap<>(v))));
    this.owners = Collections.unmodifiableMap(o);
  }

  /**
   * The parts of every plugin on the class path (found once, then cached).
   *
   * @throws HoldoutException when a plugin cannot be loaded or two register the same name
   */
  public static Extensions installed() {
    Extensions e = installed;
    if (e == null) {
      synchronized (Extensions.class) {
        e = installed;
        if (e == null) {
          e = of(discover(Thread.currentThread().getContextClassLoader()));
          installed = e;
        }
      }
    }
    return e;
  }

  /** The plugins listed in {@code META-INF/services/io.holdout.api.extension.Plugin}, sorted by name. */
  static List<Plugin> discover(ClassLoader loader) {
    List<Plugin> found = new ArrayList<>();
    Iterator<Plugin> it = ServiceLoader.load(Plugin.class, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        throw new HoldoutException("a holdout plugin on the class path cannot be loaded: "
            + String.valueOf(e.getMessage()).replace('\n', ' '), e);
      }
    }
    found.sort((a, b) -> a.name().compareTo(b.name()));
    return found;
  }

  /**
   * The parts of {@code plugins} alone (library users who pick their plugins, tests).
   *
   * @throws HoldoutException when two plugins register the same name at one point
   */
  public static Extensions of(List<? extends Plugin> plugins) {
    Collector c = new Collector();
    for (Plugin p : plugins) {
      c.current = Objects.requireNonNull(p.name(), "plugin name is null");
      c.plugins.add(c.current);
      p.register(c);
    }
    return new Extensions(c);
  }

  /** Names of parts: lower snake case. */
  private static final String PART_NAME = "[a-z][a-z0-9_]*";
  /** Names of engines and export formats: as their modules spell them ({@code java-reference}). */
  private static final String ENGINE_NAME = "[a-z][a-z0-9_-]*";

  /** Engines by config name. */
  public Map<String, BackendProvider> backends() {
    return backends;
  }

  /** Export formats by name. */
  public Map<String, ExporterProvider> exporters() {
    return exporters;
  }

  /** Names of the plugins that contributed, in registration order. */
  public List<String> plugins() {
    return plugins;
  }

  /** Metric factories by config name, sorted. */
  public Map<String, MetricFactory> metrics() {
    return metrics;
  }

  /** LR schedule factories by config name, sorted. */
  public Map<String, ScheduleFactory> schedules() {
    return schedules;
  }

  /** Plugin loss types by config name, sorted. */
  public Map<String, PluginLoss> losses() {
    return losses;
  }

  /** Training augmentations by config name, sorted. */
  public Map<String, TransformFactory> transforms() {
    return transforms;
  }

  /**
   * The callbacks every run has unless switched off ({@code -NAME} in {@code trainer.callbacks}),
   * in the order they run: plugins by name, each in its registration order. Each is among {@link
   * #callbacks()}.
   */
  public List<String> defaultCallbacks() {
    return defaultCallbacks;
  }

  /** Data source factories by config name, sorted. */
  public Map<String, DataSourceFactory> dataSources() {
    return dataSources;
  }

  /** Splitter factories by config name, sorted. */
  public Map<String, SplitterFactory> splitters() {
    return splitters;
  }

  /** Callback factories by config name, sorted. */
  public Map<String, CallbackFactory> callbacks() {
    return callbacks;
  }

  /** Optimizer factories by config name, sorted. */
  public Map<String, OptimizerFactory> optimizers() {
    return optimizers;
  }

  /** Which plugin registered each name of {@code point}, sorted by name. */
  public Map<String, String> owners(String point) {
    return owners.getOrDefault(point, Map.of());
  }

  /**
   * The part {@code name} of {@code parts}, or a one-line error: {@code FILE: KEY 'NAME' is not a
   * registered POINT (registered: a, b, c)}.
   */
  public static <T> T require(Map<String, T> parts, String point, String name, String file, String key) {
    T part = name == null ? null : parts.get(name);
    if (part == null) {
      throw new HoldoutException((file == null ? "" : file + ": ") + "'" + key + "' "
          + (name == null ? "is missing" : "'" + name + "' is not a registered " + point)
          + " (registered: " + (parts.isEmpty() ? "none" : String.join(", ", new TreeMap<>(parts).keySet()))
          + ")");
    }
    return part;
  }

  /** Records registrations, failing on a name registered twice at one point. */
  private static final class Collector implements Registry {
    final List<String> plugins = new ArrayList<>();
    final Map<String, MetricFactory> metrics = new LinkedHashMap<>();
    final Map<String, ScheduleFactory> schedules = new LinkedHashMap<>();
    final Map<String, PluginLoss> losses = new LinkedHashMap<>();
    final Map<String, TransformFactory> transforms = new LinkedHashMap<>();
    final List<String> defaultCallbacks = new ArrayList<>();
    final Map<String, DataSourceFactory> dataSources = new LinkedHashMap<>();
    final Map<String, SplitterFactory> splitters = new LinkedHashMap<>();
    final Map<String, CallbackFactory> callbacks = new LinkedHashMap<>();
    final Map<String, OptimizerFactory> optimizers = new LinkedHashMap<>();
    final Map<String, BackendProvider> backends = new LinkedHashMap<>();
    final Map<String, ExporterProvider> exporters = new LinkedHashMap<>();
    final Map<String, Map<String, String>> owners = new LinkedHashMap<>();
    String current;

    @Override
    public void metric(String name, MetricFactory factory) {
      put(METRIC, metrics, name, factory);
    }

    @Override
    public void schedule(String name, ScheduleFactory factory) {
      put(SCHEDULE, schedules, name, factory);
    }

    @Override
    public void dataSource(String name, DataSourceFactory factory) {
      put(DATA_SOURCE, dataSources, name, factory);
    }

    @Override
    public void splitter(String name, SplitterFactory factory) {
      put(SPLITTER, splitters, name, factory);
    }

    @Override
    public void callback(String name, CallbackFactory factory) {
      put(CALLBACK, callbacks, name, factory);
    }

    @Override
    public void optimizer(String name, OptimizerFactory factory) {
      put(OPTIMIZER, optimizers, name, factory);
    }

    @Override
    public void loss(String name, Map<String, Object> defaults, LossFactory factory) {
      Objects.requireNonNull(factory, () -> "plugin " + current + ": loss type '" + name + "' has no factory");
      Objects.requireNonNull(defaults, () -> "plugin " + current + ": loss type '" + name + "' has no defaults");
      PluginLoss loss;
      try {
        loss = new PluginLoss(defaults, factory);
      } catch (IllegalArgumentException e) {
        throw new HoldoutException("plugin '" + current + "' registers the loss type '" + name + "': "
            + e.getMessage());
      }
      put(LOSS, losses, name, loss);
    }

    @Override
    public void transform(String name, TransformFactory factory) {
      put(TRANSFORM, transforms, name, factory);
    }

    @Override
    public void defaultCallback(String name, CallbackFactory factory) {
      put(CALLBACK, callbacks, name, factory);
      defaultCallbacks.add(name);
    }

    @Override
    public void backend(BackendProvider provider) {
      Objects.requireNonNull(provider, () -> "plugin " + current + " registers a null backend");
      put(BACKEND, backends, provider.name(), provider, ENGINE_NAME);
    }

    @Override
    public void exporter(ExporterProvider provider) {
      Objects.requireNonNull(provider, () -> "plugin " + current + " registers a null export format");
      put(EXPORTER, exporters, provider.format(), provider, ENGINE_NAME);
    }

    private <T> void put(String point, Map<String, T> into, String name, T factory) {
      put(point, into, name, factory, PART_NAME);
    }

    private <T> void put(String point, Map<String, T> into, String name, T factory, String pattern) {
      Objects.requireNonNull(factory, () -> "plugin " + current + ": " + point + " '" + name + "' has no factory");
      if (name == null || !name.matches(pattern)) {
        throw new HoldoutException("plugin '" + current + "' registers a " + point + " named '" + name
            + "': names are lower case letters, digits and underscores" + (pattern.equals(ENGINE_NAME) ? " (or -)" : "")
            + ", starting with a letter");
      }
      Map<String, String> who = owners.computeIfAbsent(point, k -> new LinkedHashMap<>());
      String earlier = who.putIfAbsent(name, current);
      if (earlier != null) {
        throw new HoldoutException("the " + point + " '" + name + "' is registered twice: by plugin '" + earlier
            + "' and by plugin '" + current + "'");
      }
      into.put(name, factory);
    }
  }
}
