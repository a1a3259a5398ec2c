package io.holdout.api.data;

/** Assigns the samples of a dataset to parts, deterministically for a given seed. */
public interface Splitter {
  Split split(Dataset dataset);
}
