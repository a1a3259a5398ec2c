package io.holdout.engine.pytorch;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.model.LayerCatalog;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PyTorch backend ({@code pytorch}), on DJL's PyTorch engine. It trains and evaluates every
 * layer and loss of the neutral catalogue with {@code sgd}, {@code adam} and {@code adamw}, on the
 * CPU or, with CUDA natives and a visible GPU, on {@code gpu(0)}.
 *
 * <p>Creating it is cheap: the native libraries load on the first {@link #open} or {@link
 * #versions} call (and for {@link #capabilities} only when the bundled natives are a CUDA build, to
 * ask whether a GPU is visible).
 */
public final class PyTorchBackend implements Backend {
  /** The config name. */
  public static final String NAME = "pytorch";

  /** Every catalogue layer, for training and evaluation. */
  static final Set<String> LAYERS = LayerCatalog.types();

  private static final Logger LOG = LoggerFactory.getLogger(PyTorchBackend.class);

  private final TorchRuntime runtime = new TorchRuntime();

  @Inject
  public PyTorchBackend() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@code holdout-engine-pytorch} (this module), {@code torch} (the loaded libtorch), {@code djl}
   * and {@code natives} (the bundled build, e.g. {@code cpu linux-x86_64}). Loads the engine.
   */
  @Override
  public Map<String, String> versions() {
    Engine e = runtime.engine();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("holdout-engine-pytorch", moduleVersion());
    v.put("torch", e.getVersion());
    v.put("djl", Engine.getDjlVersion());
    Properties natives = TorchRuntime.nativeProperties();
    if (natives != null) {
      v.put("natives", natives.getProperty("flavor") + " " + natives.getProperty("classifier"));
    }
    return v;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(
        true,
        runtime.gpuVisible(),
        LAYERS,
        Set.copyOf(LossComponent.TYPES),
        Set.copyOf(OptimizerSpec.TYPES),
        Map.of(
            "gpu",
            "PyTorch sees no GPU here (the bundled natives are "
                + nativeFlavor()
                + "); use device: cpu or auto, or build with -Pgpu on a CUDA machine"))
        .withPrecisions(Set.of(Precision.FLOAT32, Precision.FLOAT64));
  }

  /**
   * Checks {@link #capabilities()} against {@code spec}, loads the engine if needed and compiles
   * the model, loss and optimizer into a new session.
   */
  @Override
  public TrainingSession open(SessionSpec spec) {
    Objects.requireNonNull(spec, "spec is null");
    capabilities().check(NAME, spec);
    int intra = TorchRuntime.resolveIntraOpThreads(spec.intraOpThreads());
    Engine engine = runtime.engine(intra, spec.interOpThreads());
    if (spec.interOpThreads() > 0 && spec.interOpThreads() != JniUtils.getNumInteropThreads()) {
      LOG.warn(
          "PyTorch runs {} inter-op threads, fixed when it loaded; {} requested",
          JniUtils.getNumInteropThreads(),
          spec.interOpThreads());
    }
    return new PyTorchSession(spec, engine, runtime.device(spec.device()), intra);
  }

  /** Whether this instance has loaded the native libraries yet. */
  boolean nativesLoaded() {
    return runtime.loaded();
  }

  private static String nativeFlavor() {
    Properties p = TorchRuntime.nativeProperties();
    return p == null ? "missing" : p.getProperty("flavor", "unknown");
  }

  static String moduleVersion() {
    try (InputStream in = PyTorchBackend.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
