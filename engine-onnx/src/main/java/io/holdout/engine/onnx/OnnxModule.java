package io.holdout.engine.onnx;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.holdout.api.backend.Backend;

/**
 * Binds {@link Backend} to {@link OnnxBackend}, one per injector. Configuring it (and creating the
 * backend, even eagerly in {@code Stage.PRODUCTION}) loads nothing native.
 */
public final class OnnxModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(OnnxBackend.class).in(Singleton.class);
    bind(Backend.class).to(OnnxBackend.class);
  }
}
