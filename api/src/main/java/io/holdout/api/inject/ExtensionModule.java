package io.holdout.api.inject;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.export.ExporterProvider;
import io.holdout.api.extension.CallbackFactory;
import io.holdout.api.extension.DataSourceFactory;
import io.holdout.api.extension.Extensions;
import io.holdout.api.extension.MetricFactory;
import io.holdout.api.extension.OptimizerFactory;
import io.holdout.api.extension.Parts;
import io.holdout.api.extension.PluginLoss;
import io.holdout.api.extension.DefaultCallbacks;
import io.holdout.api.extension.TransformFactory;
import io.holdout.api.extension.ScheduleFactory;
import io.holdout.api.extension.SplitterFactory;
import java.util.Objects;

/**
 * Binds every registered part as a {@link MapBinder} per extension point, keyed by its config
 * name, and {@link Parts}, which looks them up. Built-in parts arrive here through their plugins,
 * exactly as a user's do.
 */
public final class ExtensionModule extends AbstractModule {
  private final Extensions extensions;

  public ExtensionModule(Extensions extensions) {
    this.extensions = Objects.requireNonNull(extensions, "extensions is null");
  }

  @Override
  protected void configure() {
    MapBinder<String, MetricFactory> metrics = MapBinder.newMapBinder(binder(), String.class, MetricFactory.class);
    extensions.metrics().forEach((name, f) -> metrics.addBinding(name).toInstance(f));
    MapBinder<String, ScheduleFactory> schedules =
        MapBinder.newMapBinder(binder(), String.class, ScheduleFactory.class);
    extensions.schedules().forEach((name, f) -> schedules.addBinding(name).toInstance(f));
    MapBinder<String, PluginLoss> losses = MapBinder.newMapBinder(binder(), String.class, PluginLoss.class);
    extensions.losses().forEach((name, d) -> losses.addBinding(name).toInstance(d));
    MapBinder<String, DataSourceFactory> sources =
        MapBinder.newMapBinder(binder(), String.class, DataSourceFactory.class);
    extensions.dataSources().forEach((name, f) -> sources.addBinding(name).toInstance(f));
    MapBinder<String, SplitterFactory> splitters =
        MapBinder.newMapBinder(binder(), String.class, SplitterFactory.class);
    extensions.splitters().forEach((name, f) -> splitters.addBinding(name).toInstance(f));
    MapBinder<String, CallbackFactory> callbacks =
        MapBinder.newMapBinder(binder(), String.class, CallbackFactory.class);
    extensions.callbacks().forEach((name, f) -> callbacks.addBinding(name).toInstance(f));
    MapBinder<String, OptimizerFactory> optimizers =
        MapBinder.newMapBinder(binder(), String.class, OptimizerFactory.class);
    extensions.optimizers().forEach((name, f) -> optimizers.addBinding(name).toInstance(f));
    MapBinder<String, BackendProvider> backends =
        MapBinder.newMapBinder(binder(), String.class, BackendProvider.class);
    extensions.backends().forEach((name, p) -> backends.addBinding(name).toInstance(p));
    MapBinder<String, ExporterProvider> exporters =
        MapBinder.newMapBinder(binder(), String.class, ExporterProvider.class);
    extensions.exporters().forEach((name, p) -> exporters.addBinding(name).toInstance(p));
    MapBinder<String, TransformFactory> transforms =
        MapBinder.newMapBinder(binder(), String.class, TransformFactory.class);
    extensions.transforms().forEach((name, f) -> transforms.addBinding(name).toInstance(f));
    bind(DefaultCallbacks.class).toInstance(new DefaultCallbacks(extensions.defaultCallbacks()));
    bind(Parts.class);
  }
}
