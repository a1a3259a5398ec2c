package io.holdout.api.train;

import java.util.List;

/**
 * The learning rate as a function of progress, applied before every training step. Epochs and
 * steps are 0-based here; {@code progress = epoch + step / stepsPerEpoch}.
 */
public interface LrSchedule {
  double lr(double baseLr, int epoch, int step, int stepsPerEpoch, int epochs);

  /** The base learning rate throughout. */
  record Constant() implements LrSchedule {
    @Override
    public double lr(double baseLr, int epoch, int step, int stepsPerEpoch, int epochs) {
      return baseLr;
    }
  }

  /** Multiplies by {@code gamma} every {@code everyEpochs} epochs. */
  record Step(int everyEpochs, double gamma) implements LrSchedule {
    public Step {
      if (everyEpochs <= 0 || !(gamma > 0)) {
        throw new IllegalArgumentException("step schedule needs everyEpochs > 0 and gamma > 0");
      }
    }

    @Override
    public double lr(double baseLr, int epoch, int step, int stepsPerEpoch, int epochs) {
      return baseLr * Math.pow(gamma, epoch / everyEpochs);
    }
  }

  /** Multiplies by {@code gamma} at each listed epoch (1-based epoch numbers, as printed). */
  record MultiStep(List<Integer> milestones, double gamma) implements LrSchedule {
    public MultiStep {
      milestones = List.copyOf(milestones);
    }

    @Override
    public double lr(double baseLr, int epoch, int step, int stepsPerEpoch, int epochs) {
      int passed = 0;
      for (int m : milestones) {
        if (epoch + 1 >= m) {
          passed++;
        }
      }
      return baseLr * Math.pow(gamma, passed);
    }
  }

  /**
   * Linear warm-up from 0 over {@code warmupEpochs} (per step), then cosine decay to {@code minLr}
   * at the end of the last epoch.
   */
  record Cosine(double warmupEpochs, double minLr) implements LrSchedule {
    @Override
    public double lr(double baseLr, int epoch, int step, int stepsPerEpoch, int epochs) {
      double t = epoch + (double) step / Math.max(1, stepsPerEpoch);
      if (t < warmupEpochs) {
        return baseLr * (t + 1.0 / Math.max(1, stepsPerEpoch)) / warmupEpochs;
      }
      double span = Math.max(1e-9, epochs - warmupEpochs);
      double p = Math.min(1, (t - warmupEpochs) / span);
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
  }
}
