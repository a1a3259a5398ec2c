package io.holdout.api.data;

import java.util.random.RandomGenerator;

/**
 * Changes one training sample: an augmentation such as a flip, a crop or noise. The loader calls it
 * in its workers with a generator seeded from the run's seed, the epoch and the sample's index, so a
 * run is repeatable whatever the number of workers.
 *
 * <p>Implementations must be thread-safe, draw randomness only from {@code rng}, and must not write
 * into the arrays of the fields they are given: build new fields instead.
 */
@FunctionalInterface
public interface Transform {
  /**
   * @param sample the sample to change
   * @param rng the only source of randomness the transform may use
   * @return the changed sample ({@code sample} itself when nothing changes)
   */
  Sample apply(Sample sample, RandomGenerator rng);
}
