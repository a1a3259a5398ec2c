package io.holdout.datasets;

import io.holdout.api.data.Dataset;

/**
 * A dataset that knows each sample's id without reading the sample (row number, image file name).
 * Split manifests, predefined splits and leakage reports use it; for other datasets {@link
 * Datasets#id} falls back to {@code get(index).id()}.
 */
public interface IdentifiedDataset extends Dataset {
  /** The id of sample {@code index}, equal to {@code get(index).id()}. */
  String id(int index);
}
