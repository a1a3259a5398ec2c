package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Inverted-dropout masks drawn from a Java random stream seeded by the session, so that dropout is
 * reproducible per session whatever other sessions (or PyTorch's global generator) do. Each element
 * is kept with probability {@code 1 - rate} and then scaled by {@code 1 / (1 - rate)}.
 */
final class DropoutMasks {
  private final SplittableRandom random;

  DropoutMasks(long seed) {
    this.random = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
  }

  /** A mask of {@code shape}, owned by {@code m}. */
  NDArray mask(NDManager m, Shape shape, double rate) {
    int n = Math.toIntExact(shape.size());
    float keep = (float) (1.0 / (1.0 - rate));
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextDouble() < rate ? 0f : keep;
    }
    return m.create(v, shape);
  }
}
