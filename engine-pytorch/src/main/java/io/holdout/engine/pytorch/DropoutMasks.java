package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.holdout.api.model.DropoutStream;

/**
 * Inverted-dropout masks of the engine-neutral {@link DropoutStream} (seeded by the session and
 * the step number, so dropout is reproducible per session and across resume, whatever other
 * sessions or PyTorch's global generator do), staged as arrays.
 */
final class DropoutMasks {
  private final DropoutStream stream;
  private final Staging staging;

  DropoutMasks(long seed, Staging staging) {
    this.stream = new DropoutStream(seed);
    this.staging = staging;
  }

  /** Starts the stream of training step {@code step}; see {@link DropoutStream#beginStep}. */
  void beginStep(long step) {
    stream.beginStep(step);
  }

  /** A mask of {@code shape}, owned by {@code m}. */
  NDArray mask(NDManager m, Shape shape, double rate) {
    return staging.floats(m, stream.next(Math.toIntExact(shape.size()), rate), shape);
  }
}
