package io.holdout.api.data;

/** What a target holds, which decides the losses and metrics that make sense for it. */
public enum TargetKind {
  /** A real value (or vector) to regress. */
  NUMBER,
  /** A class index in {@code [0, classes)}. */
  CLASS,
  /** Detection targets (boxes and labels per object). */
  DETECTION
}
