package io.holdout.losses;

import io.holdout.api.HoldoutException;
import java.util.Locale;
import java.util.Objects;

/**
 * How a loss turns its per-sample terms into one number: {@code mean} divides the summed terms by
 * the loss's own denominator (elements, samples, class weights or positive anchors, see {@link
 * LossType#normalisation()}); {@code sum} does not divide.
 *
 * <p>Over a split (an epoch, a val or test pass) the figure is exact for either: {@code mean}
 * divides the split's summed terms by its summed denominators, {@code sum} by its number of samples
 * (the summed loss per sample), see {@link io.holdout.api.loss.LossMeter}.
 */
public enum Reduction {
  MEAN,
  SUM;

  /** The config spelling, {@code mean} or {@code sum}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code mean} or {@code sum}; anything else fails naming both. */
  public static Reduction of(String name) {
    Objects.requireNonNull(name, "reduction is null");
    for (Reduction r : values()) {
      if (r.configName().equals(name)) {
        return r;
      }
    }
    throw new HoldoutException("unknown reduction '" + name + "' (known: mean, sum)");
  }
}
