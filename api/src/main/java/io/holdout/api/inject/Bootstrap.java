package io.holdout.api.inject;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Backends;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.extension.Extensions;

/**
 * The one place where a run's injector is built: {@link CoreModule}, the {@link ExtensionModule} of
 * the registered parts (every {@link io.holdout.api.extension.Plugin} on the class path, built-in
 * ones included) and the module of the backend named by {@code backend:} in the config, found on
 * the registry (engine modules on the class path are registered by the core plugin). An unknown or
 * absent backend fails here, before anything runs, with the list of backends present.
 */
public final class Bootstrap {
  private Bootstrap() {}

  /** The injector of a run, with the plugins found on the class path. */
  public static Injector injector(LoadedConfig config) {
    return injector(config, Extensions.installed());
  }

  /** The injector of a run with the parts of {@code extensions} (library users who pick plugins). */
  public static Injector injector(LoadedConfig config, Extensions extensions) {
    String name = config.config().backend();
    BackendProvider provider = extensions.backends().get(name);
    if (provider == null) {
      throw Backends.notFound(name, extensions.backends().keySet());
    }
    return Guice.createInjector(Stage.PRODUCTION, new CoreModule(config), new ExtensionModule(extensions),
        provider.module());
  }
}
