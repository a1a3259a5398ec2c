package io.holdout.datasets.transform;

import io.holdout.api.data.Dataset;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Sample;
import io.holdout.datasets.Datasets;
import io.holdout.datasets.IdentifiedDataset;
import io.holdout.datasets.internal.Rng;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A dataset whose samples pass through a transform when read. The generator handed to the transform
 * is seeded from {@code seed} and the sample index, so a read is repeatable; for per-epoch
 * augmentation use the loader's transform hook instead.
 */
public final class TransformedDataset implements IdentifiedDataset {
  private final Dataset base;
  private final SampleTransform transform;
  private final long seed;
  private final DatasetSchema schema;

  public TransformedDataset(Dataset base, SampleTransform transform, long seed) {
    this(base, transform, seed, base.schema());
  }

  /** With a schema that describes the transformed samples (e.g. after a resize). */
  public TransformedDataset(
      Dataset base, SampleTransform transform, long seed, DatasetSchema schema) {
    this.base = Objects.requireNonNull(base, "base is null");
    this.transform = Objects.requireNonNull(transform, "transform is null");
    this.seed = seed;
    this.schema = Objects.requireNonNull(schema, "schema is null");
  }

  @Override
  public DatasetSchema schema() {
    return schema;
  }

  @Override
  public int size() {
    return base.size();
  }

  @Override
  public Sample get(int index) {
    return transform.apply(base.get(index), new Rng(Rng.mix(seed, index)));
  }

  @Override
  public String id(int index) {
    return Datasets.id(base, index);
  }

  @Override
  public String describe(int index) {
    return base.describe(index);
  }

  @Override
  public OptionalLong label(int index, String target) {
    return base.label(index, target);
  }
}
