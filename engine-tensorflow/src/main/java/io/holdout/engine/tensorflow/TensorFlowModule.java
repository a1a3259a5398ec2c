package io.holdout.engine.tensorflow;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.holdout.api.backend.Backend;

/**
 * Binds {@link Backend} to {@link TensorFlowBackend}, one per injector. Configuring it (and creating
 * the backend, even eagerly in {@code Stage.PRODUCTION}) loads nothing native.
 */
public final class TensorFlowModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(TensorFlowBackend.class).in(Singleton.class);
    bind(Backend.class).to(TensorFlowBackend.class);
  }
}
