package io.holdout.datasets.csv;

/** What to do with a row whose used column holds a missing marker (an empty cell or {@code NA}). */
public enum MissingValues {
  /** Fail with the file, line and column (the default). */
  ERROR,
  /** Leave the row out and report how many rows (and which lines) were left out. */
  SKIP
}
