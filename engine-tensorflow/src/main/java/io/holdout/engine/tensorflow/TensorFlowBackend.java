package io.holdout.engine.tensorflow;

import io.holdout.api.model.LayerCatalog;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.optim.OptimizerSpec;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The TensorFlow backend ({@code tensorflow}), on TensorFlow Java in graph mode. It trains and
 * evaluates every layer (multi-scale heads included) and loss of the neutral catalogue with {@code
 * sgd}, {@code adam} and {@code adamw} on the CPU (the bundled natives are CPU-only), with the PyTorch backend's
 * semantics, so the same experiment gives the same numbers on either engine.
 *
 * <p>Creating it is cheap: the native libraries load on the first {@link #open} or {@link
 * #versions} call.
 */
public final class TensorFlowBackend implements Backend {
  /** The config name. */
  public static final String NAME = "tensorflow";

  /** Every catalogue layer. */
  static final Set<String> LAYERS = LayerCatalog.types();

  private final TfRuntime runtime = new TfRuntime();

  @Inject
  public TensorFlowBackend() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@code holdout-engine-tensorflow} (this module), {@code tensorflow} (the loaded native
   * library), {@code tensorflow-java} and {@code natives} (the bundled build). Loads the natives.
   */
  @Override
  public Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    Properties p = moduleProperties();
    v.put("holdout-engine-tensorflow", p.getProperty("version", "unknown"));
    v.put("tensorflow", runtime.load());
    v.put("tensorflow-java", p.getProperty("tensorflow-java", "unknown"));
    v.put("natives", "cpu " + TfRuntime.CLASSIFIER);
    return v;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(
        true,
        false,
        LAYERS,
        Set.copyOf(LossComponent.TYPES),
        Set.copyOf(OptimizerSpec.TYPES),
        Map.of("gpu", "the TensorFlow backend bundles CPU natives only (tensorflow-core-native "
            + TfRuntime.CLASSIFIER + "); use device: cpu or auto, or backend: pytorch built with -Pgpu"
            + " on a CUDA machine"))
        .withPrecisions(Set.of(Precision.FLOAT32, Precision.FLOAT64));
  }

  /**
   * Checks {@link #capabilities()} against {@code spec}, loads the natives if needed and compiles
   * the model, loss and optimizer into one graph in a new session. Thread counts come from {@code
   * spec} (0: TensorFlow's default).
   */
  @Override
  public TrainingSession open(SessionSpec spec) {
    Objects.requireNonNull(spec, "spec is null");
    capabilities().check(NAME, spec);
    runtime.load();
    return new TensorFlowSession(spec, TfRuntime.config(spec.intraOpThreads(), spec.interOpThreads()));
  }

  /** Whether this instance has loaded the native libraries yet. */
  boolean nativesLoaded() {
    return runtime.loaded();
  }

  private static Properties moduleProperties() {
    Properties p = new Properties();
    try (InputStream in = TensorFlowBackend.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
