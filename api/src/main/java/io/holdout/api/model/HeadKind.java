package io.holdout.api.model;

/** What a head predicts: real values, or logits over classes. */
public enum HeadKind {
  REGRESSION,
  CLASSIFICATION
}
