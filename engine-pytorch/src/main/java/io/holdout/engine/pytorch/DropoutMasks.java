package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Inverted-dropout masks drawn from a Java random stream seeded by the session and the step number,
 * so that dropout is reproducible per session (and across resume) whatever other sessions (or PyTorch's global generator) do. Each element
 * is kept with probability {@code 1 - rate} and then scaled by {@code 1 / (1 - rate)}.
 */
final class DropoutMasks {
  private final long seed;
  private SplittableRandom random;
  private final Staging staging;

  DropoutMasks(long seed, Staging staging) {
    this.seed = seed;
    this.staging = staging;
    beginStep(0);
  }

  /**
   * Starts the stream of training step {@code step}: each step draws from its own stream derived
   * from the seed and the step number, so a resumed run draws the same masks as an uninterrupted
   * one without saving any generator state.
   */
  void beginStep(long step) {
    long h = (seed ^ 0x6A09E667F3BCC909L) + 0x9E3779B97F4A7C15L * (step + 1);
    h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
    this.random = new SplittableRandom(h ^ (h >>> 31));
  }

  /** A mask of {@code shape}, owned by {@code m}. */
  NDArray mask(NDManager m, Shape shape, double rate) {
    int n = Math.toIntExact(shape.size());
    float keep = (float) (1.0 / (1.0 - rate));
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextDouble() < rate ? 0f : keep;
    }
    return staging.floats(m, v, shape);
  }
}
