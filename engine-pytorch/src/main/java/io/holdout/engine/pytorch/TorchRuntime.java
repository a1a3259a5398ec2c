package io.holdout.engine.pytorch;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Device;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the PyTorch engine on first use (never earlier) with explicit thread counts, and answers
 * questions about it: its version, whether it sees a GPU, which device a session runs on.
 *
 * <p>Thread counts: DJL reads {@code ai.djl.pytorch.num_threads} and {@code
 * ai.djl.pytorch.num_interop_threads} once, when the engine loads. Unless the user set them, they
 * are set here from the first session (0 = every available processor for intra-op work, and 1
 * inter-op thread, since steps run one operation at a time). PyTorch keeps the intra-op count per
 * calling thread, so sessions re-apply theirs on the thread that runs each step ({@link
 * #applyIntraOpThreads}).
 */
final class TorchRuntime {
  static final String ENGINE = "PyTorch";
  static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";
  static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
  static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

  private static final Logger LOG = LoggerFactory.getLogger(TorchRuntime.class);

  private final Object lock = new Object();
  private volatile Engine engine;

  /** The engine, loading the native libraries on the first call. */
  Engine engine(int intraOpThreads, int interOpThreads) {
    Engine e = engine;
    if (e != null) {
      return e;
    }
    synchronized (lock) {
      if (engine == null) {
        engine = load(intraOpThreads, interOpThreads);
      }
      return engine;
    }
  }

  Engine engine() {
    return engine(0, 0);
  }

  /** Whether this runtime has loaded the engine (for tests: Guice wiring must not load it). */
  boolean loaded() {
    return engine != null;
  }

  private static Engine load(int intra, int inter) {
    if (System.getProperty("ai.djl.offline") == null) {
      // the natives come from the bundled jar; never fall back to a download
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty(NUM_THREADS) == null) {
      System.setProperty(NUM_THREADS, Integer.toString(resolveIntraOpThreads(intra)));
    }
    if (System.getProperty(NUM_INTEROP_THREADS) == null) {
      System.setProperty(NUM_INTEROP_THREADS, Integer.toString(inter > 0 ? inter : 1));
    }
    Properties natives = nativeProperties();
    try {
      Engine e = Engine.getEngine(ENGINE);
      LOG.debug(
          "PyTorch {} loaded ({} natives), {} intra-op / {} inter-op threads",
          e.getVersion(),
          natives == null ? "unknown" : natives.getProperty("flavor"),
          JniUtils.getNumThreads(),
          JniUtils.getNumInteropThreads());
      return e;
    } catch (RuntimeException | UnsatisfiedLinkError ex) {
      String hint =
          natives == null
              ? "no PyTorch native jar on the class path (add ai.djl.pytorch:pytorch-native-cpu,"
                    + " classifier linux-x86_64, or build with -Pgpu for CUDA)"
              : "natives "
                  + natives.getProperty("version")
                  + " ("
                  + natives.getProperty("flavor")
                  + ", "
                  + natives.getProperty("classifier")
                  + ") did not load on this machine";
      throw new HoldoutException(
          "backend 'pytorch': the PyTorch engine failed to load: "
              + hint
              + " ("
              + ex.getMessage()
              + ")",
          ex);
    }
  }

  /**
   * The intra-op thread count a request of {@code n} means: {@code n}, or every processor for 0.
   */
  static int resolveIntraOpThreads(int n) {
    return n > 0 ? n : Runtime.getRuntime().availableProcessors();
  }

  /**
   * Sets PyTorch's intra-op thread count for the calling thread if it differs; cheap when it does
   * not.
   */
  static void applyIntraOpThreads(int n) {
    if (JniUtils.getNumThreads() != n) {
      JniUtils.setNumThreads(n);
    }
  }

  /**
   * The bundled native build's description ({@code version}, {@code flavor} such as {@code cpu} or
   * {@code cu124}, {@code classifier}), read from the native jar without loading it; null without
   * one.
   */
  static Properties nativeProperties() {
    ClassLoader cl = TorchRuntime.class.getClassLoader();
    try (InputStream in = cl.getResourceAsStream(NATIVE_PROPERTIES)) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether PyTorch sees a GPU. A CPU-only native build cannot, so it is answered without loading
   * anything; a CUDA build is loaded and asked.
   */
  boolean gpuVisible() {
    Properties p = nativeProperties();
    if (p == null || "cpu".equals(p.getProperty("flavor"))) {
      return false;
    }
    return engine().getGpuCount() > 0;
  }

  /** The DJL device a session asking for {@code device} runs on. */
  ai.djl.Device device(Device device) {
    return switch (device) {
      case CPU -> ai.djl.Device.cpu();
      case GPU -> {
        if (!gpuVisible()) {
          throw new HoldoutException(
              "backend 'pytorch' does not support GPU devices: PyTorch sees no GPU on this machine;"
                  + " use device: cpu or auto");
        }
        yield ai.djl.Device.gpu(0);
      }
      case AUTO -> gpuVisible() ? ai.djl.Device.gpu(0) : ai.djl.Device.cpu();
    };
  }
}
