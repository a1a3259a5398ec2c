package io.holdout.api.data;

import io.holdout.api.tensor.Batch;
import java.util.Iterator;

/**
 * What the trainer needs from a data loader: the number of samples, the batch size, steps per
 * epoch, and the batches of one epoch. Implementations may decode in background workers.
 */
public interface BatchSource extends AutoCloseable {
  int size();

  int batchSize();

  /** {@code ceil(size / batchSize)}, or {@code floor} when the last short batch is dropped. */
  int stepsPerEpoch();

  /** The batches of epoch {@code epoch} (0-based); a shuffling source re-seeds per epoch. */
  Iterator<Batch> epoch(int epoch);

  /** Seconds the consumer spent waiting for batches during the last epoch (0 if not measured). */
  default double lastEpochWaitSeconds() {
    return 0;
  }

  @Override
  default void close() {}
}
