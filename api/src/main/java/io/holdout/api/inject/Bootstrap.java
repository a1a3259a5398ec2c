package io.holdout.api.inject;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Backends;
import io.holdout.api.config.LoadedConfig;

/**
 * The one place where a run's injector is built: {@link CoreModule} plus the module of the backend
 * named by {@code backend:} in the config, found on the class path. An unknown or absent backend
 * fails here, before anything runs, with the list of backends present.
 */
public final class Bootstrap {
  private Bootstrap() {}

  public static Injector injector(LoadedConfig config) {
    BackendProvider provider = Backends.find(config.config().backend());
    return Guice.createInjector(Stage.PRODUCTION, new CoreModule(config), provider.module());
  }
}
