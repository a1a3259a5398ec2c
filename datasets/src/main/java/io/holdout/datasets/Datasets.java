package io.holdout.datasets;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/** Helpers over any {@link Dataset}. */
public final class Datasets {
  private Datasets() {}

  /** The id of sample {@code index}, cheaply when the dataset is an {@link IdentifiedDataset}. */
  public static String id(Dataset dataset, int index) {
    if (dataset instanceof IdentifiedDataset d) {
      return d.id(index);
    }
    return dataset.get(index).id();
  }

  /** All sample ids in index order. */
  public static List<String> ids(Dataset dataset) {
    List<String> ids = new ArrayList<>(dataset.size());
    for (int i = 0; i < dataset.size(); i++) {
      ids.add(id(dataset, i));
    }
    return ids;
  }

  /**
   * The class label of every sample for {@code target}: from {@link Dataset#label} when the dataset
   * knows it cheaply, else by reading the sample.
   *
   * @throws HoldoutException when the target is not a class target
   */
  public static long[] labels(Dataset dataset, String target) {
    Objects.requireNonNull(target, "target is null");
    TargetInfo info = dataset.schema().targets().get(target);
    if (info == null) {
      throw new HoldoutException(
          "no target '"
              + target
              + "' to stratify by (targets: "
              + String.join(", ", dataset.schema().targets().keySet())
              + ")");
    }
    if (info.kind() != TargetKind.CLASS) {
      throw new HoldoutException(
          "target '" + target + "' is " + info.kind() + ", not CLASS: cannot stratify by it");
    }
    long[] labels = new long[dataset.size()];
    for (int i = 0; i < labels.length; i++) {
      OptionalLong l = dataset.label(i, target);
      labels[i] = l.isPresent() ? l.getAsLong() : dataset.get(i).field(target).longs()[0];
    }
    return labels;
  }

  /** The samples of one part of a split, as a view. */
  public static Subset part(Dataset dataset, Split split, String part) {
    Objects.requireNonNull(split, "split is null");
    return new Subset(dataset, split.part(part), part);
  }
}
