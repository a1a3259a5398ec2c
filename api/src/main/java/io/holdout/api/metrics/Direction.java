package io.holdout.api.metrics;

/** Whether a monitored value improves by going down (losses, errors) or up (accuracy, AUC, mAP). */
public enum Direction {
  MIN,
  MAX;

  public boolean improves(double candidate, double best, double minDelta) {
    if (Double.isNaN(best)) {
      return !Double.isNaN(candidate);
    }
    return this == MIN ? candidate < best - minDelta : candidate > best + minDelta;
  }
}
