package io.holdout.datasets.transform;

import io.holdout.api.data.Sample;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Changes one sample: an augmentation, a normalisation, a target encoding. The loader calls it in
 * its workers, with a generator seeded from the loader seed, the epoch and the sample's index, so
 * the result does not depend on which worker runs it or on how many there are.
 *
 * <p>Implementations must be thread-safe and must not write into the arrays of the fields they are
 * given (datasets may share them between calls): build new fields instead.
 */
@FunctionalInterface
public interface SampleTransform extends io.holdout.api.data.Transform {
  /**
   * @param sample the sample to change
   * @param rng the only source of randomness the transform may use
   * @return the changed sample (may be {@code sample} itself when nothing changes)
   */
  @Override
  Sample apply(Sample sample, RandomGenerator rng);

  /** A registered part's {@link io.holdout.api.data.Transform} as a loader transform. */
  static SampleTransform of(io.holdout.api.data.Transform transform) {
    Objects.requireNonNull(transform, "transform is null");
    return transform instanceof SampleTransform s ? s : transform::apply;
  }

  /** This transform, then {@code next}, with the same generator. */
  default SampleTransform andThen(SampleTransform next) {
    Objects.requireNonNull(next, "next is null");
    return (s, rng) -> next.apply(apply(s, rng), rng);
  }

  /** Leaves samples as they are. */
  static SampleTransform identity() {
    return (s, rng) -> s;
  }

  /** The transforms in order. */
  static SampleTransform compose(SampleTransform... transforms) {
    SampleTransform t = identity();
    for (SampleTransform next : transforms) {
      t = t.andThen(next);
    }
    return t;
  }
}
