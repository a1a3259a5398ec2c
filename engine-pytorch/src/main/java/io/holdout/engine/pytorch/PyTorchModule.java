package io.holdout.engine.pytorch;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.holdout.api.backend.Backend;

/**
 * Binds {@link Backend} to {@link PyTorchBackend}, one per injector. Configuring it loads nothing
 * native.
 */
public final class PyTorchModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(PyTorchBackend.class).in(Singleton.class);
    bind(Backend.class).to(PyTorchBackend.class);
  }
}
