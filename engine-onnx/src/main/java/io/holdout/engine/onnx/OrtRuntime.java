package io.holdout.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.holdout.api.HoldoutException;

/**
 * Loads ONNX Runtime on first use (never earlier) and creates its sessions. The runtime's
 * environment is one per process (ONNX Runtime's rule); it logs errors only, so that warnings about
 * a model do not clutter the console.
 */
final class OrtRuntime {
  /** Where the bundled natives for this platform family sit (checked without loading them). */
  static final String NATIVES = "ai/onnxruntime/native/";

  private static final Object LOCK = new Object();
  private static volatile OrtEnvironment env;

  private OrtRuntime() {}

  /** The process's environment, loading the natives if needed. */
  static OrtEnvironment environment() {
    OrtEnvironment e = env;
    if (e != null) {
      return e;
    }
    synchronized (LOCK) {
      if (env == null) {
        env = load();
      }
      return env;
    }
  }

  /** Whether the natives have been loaded through this class. */
  static boolean loaded() {
    return env != null;
  }

  private static OrtEnvironment load() {
    try {
      return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "holdout");
    } catch (RuntimeException | LinkageError e) {
      String hint = OrtRuntime.class.getClassLoader().getResource(NATIVES) != null
          ? "the natives bundled in com.microsoft.onnxruntime:onnxruntime did not load on this machine"
          : "no ONNX Runtime natives on the class path (add com.microsoft.onnxruntime:onnxruntime)";
      throw new HoldoutException("backend '" + OnnxBackend.NAME + "': ONNX Runtime failed to load: "
          + hint + " (" + e + ")", e);
    }
  }

  /** ONNX Runtime's version, e.g. {@code 1.24.1} (loads the natives). */
  static String version() {
    return environment().getVersion();
  }

  /**
   * A session over a serialized model, on the CPU, with intra-op and inter-op thread pools of the
   * given sizes (0: ONNX Runtime's default, one thread per physical core for intra-op). Graph
   * optimisations are ONNX Runtime's defaults (all levels). With the system property {@code
   * holdout.onnx.profile=PREFIX}, ONNX Runtime profiles each session into {@code PREFIX_*.json}
   * (operator times, for {@code benchmarks/}).
   */
  static OrtSession session(byte[] model, int intraOpThreads, int interOpThreads) throws OrtException {
    return session(model, intraOpThreads, interOpThreads, false);
  }

  /**
   * {@link #session(byte[], int, int)}; for a {@code float64} graph ({@link Float64Lowering}) with
   * ONNX Runtime's basic optimisations only: its extended fusions (e.g. {@code FusedMatMul}) have
   * float kernels only.
   */
  static OrtSession session(byte[] model, int intraOpThreads, int interOpThreads, boolean float64)
      throws OrtException {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0, got intra-op " + intraOpThreads
          + ", inter-op " + interOpThreads);
    }
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      if (float64) {
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
      }
      if (intraOpThreads > 0) {
        o.setIntraOpNumThreads(intraOpThreads);
      }
      if (interOpThreads > 0) {
        o.setInterOpNumThreads(interOpThreads);
      }
      String profile = System.getProperty("holdout.onnx.profile");
      if (profile != null && !profile.isBlank()) {
        o.enableProfiling(profile); // ONNX Runtime writes <profile>_<date>.json per session: per-operator times
      }
      return environment().createSession(model, o);
    }
  }

  /**
   * A runtime message on one line, ONNX Runtime's {@code Error code - CODE - message: TEXT} turned
   * into {@code TEXT (CODE)}.
   */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    String s = message.replaceAll("\\s+", " ").trim();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Error code - (\\S+) - message: (.*)$").matcher(s);
    return m.matches() ? m.group(2).trim() + " (" + m.group(1) + ")" : s;
  }
}
