package io.holdout.datasets.split;

import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import java.util.Objects;

/**
 * For time series: no shuffling. The first samples (in index order, i.e. file order) are train, the
 * next val, the last test, sized by the {@link Ratios} remainder rule; the model is always
 * validated on data later than any it was trained on.
 */
public final class OrderedSplitter implements Splitter {
  private final Ratios ratios;

  public OrderedSplitter(Ratios ratios) {
    this.ratios = Objects.requireNonNull(ratios, "ratios is null");
  }

  @Override
  public Split split(Dataset dataset) {
    SplitParts.requireSamples(dataset, "ordered");
    int n = dataset.size();
    String[] names = ratios.names();
    int[] sizes = ratios.allocate(n);
    ratios.requireNonEmpty(names, sizes, n, "ordered");
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return SplitParts.of(names, SplitParts.slices(order, sizes), 0, "ordered");
  }

  @Override
  public String toString() {
    return "OrderedSplitter[" + ratios + "]";
  }
}
