package io.holdout.datasets.csv;

/** How class indices are assigned when a class target has no explicit class list. */
public enum ClassOrder {
  /**
   * Sorted (the default): numerically when every value is an integer ({@code 2 < 10}), else
   * alphabetically by code point. The indices do not change when the rows are reordered.
   */
  SORTED,
  /** In the order the values first appear in the file. */
  FIRST_APPEARANCE
}
