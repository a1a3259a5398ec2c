package io.holdout.api.backend;

import java.util.Locale;

/**
 * The floating-point type an engine computes a session in. Weights, batches and results cross the
 * API as float32 whatever the precision: float64 changes the arithmetic inside the engine (forward
 * pass, gradients, optimizer state), not the files.
 *
 * <p>float32 is what models train in. float64 is for checking: the rounding of one float32 step
 * is amplified by batch norm over small maps, Adam's normalisation of near-zero gradients and the
 * discrete choices of max pooling and hard-negative mining, so two engines (or one engine on two
 * CPUs) part within a few steps on deep networks. In float64 the same training agrees step by step
 * across engines, which checks that they compute the same thing.
 */
public enum Precision {
  FLOAT32,
  FLOAT64;

  /** The config spelling: {@code float32} or {@code float64}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the config spelling; null when unknown. */
  public static Precision parse(String s) {
    for (Precision p : values()) {
      if (p.key().equals(s)) {
        return p;
      }
    }
    return null;
  }
}
