package io.holdout.api.train;

/**
 * Lowers the learning rate by {@code factor} at the end of the {@code patience}-th consecutive epoch
 * in which the run's {@link Monitor} did not improve (not before), then waits {@code cooldown} epochs before counting again; never below
 * {@code minLr}. Its multiplier combines with the {@link LrSchedule}.
 */
public final class ReduceOnPlateau {
  private final double factor;
  private final int patience;
  private final int cooldown;
  private final double minLr;
  private double scale = 1;
  private int bad;
  private int cooldownLeft;

  public ReduceOnPlateau(double factor, int patience, int cooldown, double minLr) {
    if (!(factor > 0 && factor < 1) || patience < 1 || cooldown < 0 || minLr < 0) {
      throw new IllegalArgumentException("plateau needs 0 < factor < 1, patience >= 1, cooldown >= 0, minLr >= 0");
    }
    this.factor = factor;
    this.patience = patience;
    this.cooldown = cooldown;
    this.minLr = minLr;
  }

  /**
   * Records one epoch's outcome; returns the new scale if the learning rate drops now, else NaN.
   *
   * @param currentLr the learning rate in use, to respect {@code minLr}
   */
  public double epochEnd(boolean improved, double currentLr) {
    if (cooldownLeft > 0) {
      cooldownLeft--;
      bad = 0;
    } else if (improved) {
      bad = 0;
    } else {
      bad++;
    }
    if (bad >= patience && currentLr > minLr) {
      double newLr = Math.max(minLr, currentLr * factor);
      scale *= newLr / currentLr;
      bad = 0;
      cooldownLeft = cooldown;
      return scale;
    }
    return Double.NaN;
  }

  public double scale() {
    return scale;
  }

  public int badEpochs() {
    return bad;
  }

  public int patience() {
    return patience;
  }

  public int cooldownLeft() {
    return cooldownLeft;
  }

  public void restore(double scale, int bad, int cooldownLeft) {
    this.scale = scale;
    this.bad = bad;
    this.cooldownLeft = cooldownLeft;
  }
}
