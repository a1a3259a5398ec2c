package io.holdout.api.backend;

/** Where to run: {@code auto} picks a GPU when the engine finds one, else the CPU. */
public enum Device {
  AUTO,
  CPU,
  GPU;

  public static Device parse(String s) {
    return switch (s == null ? "auto" : s.toLowerCase(java.util.Locale.ROOT)) {
      case "auto" -> AUTO;
      case "cpu" -> CPU;
      case "gpu", "cuda" -> GPU;
      default -> throw new IllegalArgumentException("device must be auto, cpu or gpu, got '" + s + "'");
    };
  }
}
