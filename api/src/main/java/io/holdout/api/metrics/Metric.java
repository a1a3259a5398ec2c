package io.holdout.api.metrics;

import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/**
 * A metric computed engine-neutrally from head outputs and batch targets, accumulated over an
 * epoch. One instance is used by one thread.
 */
public interface Metric {
  /** Key in reports, e.g. {@code species.accuracy}. */
  String name();

  /** Which way is better; monitors take it from here. */
  Direction direction();

  void reset();

  /** Adds one batch: {@code outputs} are head outputs keyed by head name. */
  void update(Map<String, Tensor> outputs, Batch batch);

  /** The value over everything added since {@link #reset()}. */
  double value();
}
