package io.holdout.api.model;

import java.util.SplittableRandom;

/**
 * The inverted-dropout masks of a training session, drawn in Java so that every engine drops the
 * same units for the same seed, step and batch: each training step draws from its own stream,
 * derived from the session seed and the step number, so a resumed run draws the same masks as an
 * uninterrupted one without saving generator state. Each element (in NCHW row-major order, layer
 * after layer in graph order) is kept with probability {@code 1 - rate} and then scaled by {@code
 * 1 / (1 - rate)}.
 *
 * <p>Engines feed the masks to their graphs; none derives its own.
 */
public final class DropoutStream {
  private final long seed;
  private SplittableRandom random;

  /** The stream of a session with {@code seed}, positioned at step 0. */
  public DropoutStream(long seed) {
    this.seed = seed;
    beginStep(0);
  }

  /** Starts the stream of training step {@code step} (0-based). */
  public void beginStep(long step) {
    long h = (seed ^ 0x6A09E667F3BCC909L) + 0x9E3779B97F4A7C15L * (step + 1);
    h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
    this.random = new SplittableRandom(h ^ (h >>> 31));
  }

  /** The next mask of {@code n} elements for dropout {@code rate} in {@code [0, 1)}. */
  public float[] next(int n, double rate) {
    float keep = (float) (1.0 / (1.0 - rate));
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextDouble() < rate ? 0f : keep;
    }
    return v;
  }
}
