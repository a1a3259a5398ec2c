package io.holdout.api.inject;

import com.google.inject.AbstractModule;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import java.util.Objects;

/**
 * Engine-neutral bindings of one run: the loaded config. The injector is strict: every binding is
 * explicit and circular proxies are disabled.
 */
public final class CoreModule extends AbstractModule {
  private final LoadedConfig config;

  public CoreModule(LoadedConfig config) {
    this.config = Objects.requireNonNull(config, "config is null");
  }

  @Override
  protected void configure() {
    binder().requireExplicitBindings();
    binder().disableCircularProxies();
    bind(LoadedConfig.class).toInstance(config);
    bind(ExperimentConfig.class).toInstance(config.config());
  }
}
