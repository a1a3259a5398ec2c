package io.holdout.datasets;

import io.holdout.api.data.Dataset;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Sample;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A view of some samples of a dataset, in the order of {@code indices}. Nothing is copied: {@link
 * #get} reads from the base dataset.
 */
public final class Subset implements IdentifiedDataset {
  private final Dataset base;
  private final int[] indices;
  private final String name;

  /**
   * @param base the dataset to view
   * @param indices indices into {@code base}, each in {@code [0, base.size())}
   * @param name what to call this view in messages (e.g. the split part), may be empty
   */
  public Subset(Dataset base, int[] indices, String name) {
    this.base = Objects.requireNonNull(base, "base is null");
    this.indices = Objects.requireNonNull(indices, "indices is null").clone();
    this.name = Objects.requireNonNull(name, "name is null");
    for (int i : this.indices) {
      if (i < 0 || i >= base.size()) {
        throw new IllegalArgumentException(
            "index " + i + " is outside the dataset of " + base.size() + " samples");
      }
    }
  }

  public Subset(Dataset base, int[] indices) {
    this(base, indices, "");
  }

  public Dataset base() {
    return base;
  }

  /** Index into the base dataset of sample {@code i} of this view. */
  public int baseIndex(int i) {
    return indices[i];
  }

  public int[] indices() {
    return indices.clone();
  }

  public String name() {
    return name;
  }

  @Override
  public DatasetSchema schema() {
    return base.schema();
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public Sample get(int index) {
    return base.get(indices[index]);
  }

  @Override
  public String id(int index) {
    return Datasets.id(base, indices[index]);
  }

  @Override
  public String describe(int index) {
    return base.describe(indices[index]);
  }

  @Override
  public OptionalLong label(int index, String target) {
    return base.label(indices[index], target);
  }

  @Override
  public String toString() {
    return "Subset["
        + (name.isEmpty() ? "" : name + ", ")
        + indices.length
        + " of "
        + base.size()
        + "]";
  }
}
