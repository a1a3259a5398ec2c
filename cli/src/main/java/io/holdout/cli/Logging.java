package io.holdout.cli;

/**
 * Keeps engine log noise quiet: slf4j-simple logs warnings only, unless {@code --verbose}. Must run
 * before any logger is created.
 */
final class Logging {
  private Logging() {}

  static void configure(boolean verbose) {
    String level = verbose ? "info" : "warn";
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    if (!verbose) {
      // DJL warns about CUDA probing on machines without a GPU: not news to the user
      System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
    }
    // never let an engine reach for the network for natives or models
    System.setProperty("ai.djl.offline", "true");
    if (!verbose) {
      // TensorFlow's C++ logging
      System.setProperty("TF_CPP_MIN_LOG_LEVEL", "2");
    }
  }
}
