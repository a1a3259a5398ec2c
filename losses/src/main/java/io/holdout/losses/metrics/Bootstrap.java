package io.holdout.losses.metrics;

import io.holdout.api.metrics.ConfidenceInterval;
import io.holdout.api.metrics.IntervalEstimator;
import io.holdout.api.metrics.Metric;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap confidence intervals, seeded so that a report is reproducible.
 *
 * <p>Each of {@code resamples} resamples draws {@code n} sample indices uniformly with replacement
 * (from a {@link SplittableRandom} seeded with {@code seed}) and recomputes the statistic on them;
 * resamples where it is undefined (NaN, e.g. an AUC drawn without positives) are dropped. The bounds
 * are the {@code (1-level)/2} and {@code (1+level)/2} quantiles of the rest, linearly interpolated
 * between order statistics. With no samples, or no defined resample, the bounds are NaN.
 */
public final class Bootstrap {
  private final int resamples;
  private final double level;
  private final long seed;

  /**
   * @param resamples how many resamples, {@code >= 1} (1000 is usual)
   * @param level confidence level in (0, 1), e.g. 0.95
   * @param seed seed of the resampling
   */
  public Bootstrap(int resamples, double level, long seed) {
    if (resamples < 1) {
      throw new IllegalArgumentException("bootstrap needs at least 1 resample, got " + resamples);
    }
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("confidence level must be in (0, 1), got " + level);
    }
    this.resamples = resamples;
    this.level = level;
    this.seed = seed;
  }

  /** 1000 resamples at 95%. */
  public static Bootstrap of(long seed) {
    return new Bootstrap(1000, 0.95, seed);
  }

  /** The interval of a metric over the samples it holds. */
  public ConfidenceInterval interval(ResamplableMetric metric) {
    Objects.requireNonNull(metric, "metric is null");
    return interval(metric.sampleCount(), metric::valueOn, metric.value());
  }

  /**
   * An estimator for the trainer's test metrics: the interval of every {@link ResamplableMetric}
   * (the others have none), each drawn with this bootstrap's seed.
   */
  public IntervalEstimator estimator() {
    return metrics -> {
      Map<String, ConfidenceInterval> out = new LinkedHashMap<>();
      for (Metric m : metrics) {
        if (m instanceof ResamplableMetric r) {
          out.put(m.name(), interval(r));
        }
      }
      return out;
    };
  }

  /** The interval of the mean of per-sample values (per-sample losses, 0/1 hits). */
  public ConfidenceInterval mean(double[] perSample) {
    Objects.requireNonNull(perSample, "values is null");
    ToDoubleFunction<int[]> mean = idx -> {
      if (idx.length == 0) {
        return Double.NaN;
      }
      double s = 0;
      for (int i : idx) {
        s += perSample[i];
      }
      return s / idx.length;
    };
    int[] all = new int[perSample.length];
    Arrays.setAll(all, i -> i);
    return interval(perSample.length, mean, mean.applyAsDouble(all));
  }

  /**
   * The interval of any statistic of {@code n} samples.
   *
   * @param statistic the statistic over the samples at the given indices (repeats allowed)
   * @param value the statistic over all samples, reported as the point estimate
   */
  public ConfidenceInterval interval(int n, ToDoubleFunction<int[]> statistic, double value) {
    Objects.requireNonNull(statistic, "statistic is null");
    if (n <= 0) {
      return new ConfidenceInterval(value, Double.NaN, Double.NaN, level, 0);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    int defined = 0;
    int[] idx = new int[n];
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < n; i++) {
        idx[i] = random.nextInt(n);
      }
      double s = statistic.applyAsDouble(idx);
      if (!Double.isNaN(s)) {
        stats[defined++] = s;
      }
    }
    if (defined == 0) {
      return new ConfidenceInterval(value, Double.NaN, Double.NaN, level, 0);
    }
    double[] sorted = Arrays.copyOf(stats, defined);
    Arrays.sort(sorted);
    double tail = (1 - level) / 2;
    return new ConfidenceInterval(
        value, quantile(sorted, tail), quantile(sorted, 1 - tail), level, defined);
  }

  /** Quantile {@code q} of sorted values, interpolating at position {@code q·(m-1)}. */
  static double quantile(double[] sorted, double q) {
    double h = q * (sorted.length - 1);
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
