package io.holdout.engine.tensorflow;

import io.holdout.api.HoldoutException;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.ConfigProto;

/**
 * Loads TensorFlow's native libraries on first use (never earlier) and answers questions about
 * them. JavaCPP unpacks the bundled natives into {@code ~/.javacpp/cache} the first time (seconds,
 * about 650 MB), later loads take well under a second.
 */
final class TfRuntime {
  /** Where the bundled CPU natives sit on the class path (checked without loading them). */
  static final String NATIVES = "org/tensorflow/internal/c_api/linux-x86_64/";

  static final String CLASSIFIER = "linux-x86_64";

  private final Object lock = new Object();
  private volatile String version;

  /** Loads the natives if needed and returns TensorFlow's version, e.g. {@code 2.18.0}. */
  String load() {
    String v = version;
    if (v != null) {
      return v;
    }
    synchronized (lock) {
      if (version == null) {
        version = doLoad();
      }
      return version;
    }
  }

  /** Whether this runtime has loaded the natives yet (Guice wiring must not). */
  boolean loaded() {
    return version != null;
  }

  private static String doLoad() {
    try {
      return TensorFlow.version();
    } catch (RuntimeException | LinkageError e) {
      String hint = nativesPresent()
          ? "the bundled natives (tensorflow-core-native, " + CLASSIFIER + ") did not load on this machine"
          : "no TensorFlow native jar on the class path (add org.tensorflow:tensorflow-core-native,"
              + " classifier " + CLASSIFIER + ")";
      throw new HoldoutException("backend 'tensorflow': TensorFlow failed to load: " + hint + " ("
          + e + ")", e);
    }
  }

  /** Whether the CPU natives are on the class path, answered without loading them. */
  static boolean nativesPresent() {
    return TfRuntime.class.getClassLoader().getResource(NATIVES) != null;
  }

  /**
   * The session configuration: intra-op and inter-op thread pools of the given sizes (0 lets
   * TensorFlow choose: one thread per core), CPU only.
   */
  static ConfigProto config(int intraOpThreads, int interOpThreads) {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0, got intra-op " + intraOpThreads
          + ", inter-op " + interOpThreads);
    }
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(interOpThreads)
        .putDeviceCount("GPU", 0)
        .setAllowSoftPlacement(true)
        .build();
  }
}
