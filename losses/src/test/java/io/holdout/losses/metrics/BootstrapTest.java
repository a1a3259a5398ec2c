package io.holdout.losses.metrics;

import static io.holdout.losses.metrics.Fixtures.batch;
import static io.holdout.losses.metrics.Fixtures.labels;
import static io.holdout.losses.metrics.Fixtures.oneHot;
import static io.holdout.losses.metrics.Fixtures.out;
import static io.holdout.losses.metrics.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.metrics.ConfidenceInterval;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  @Test
  void formatsValueAndBounds() {
    assertThat(new ConfidenceInterval(0.9123, 0.8812, 0.9404, 0.95, 1000).format()).isEqualTo("0.912 [0.88, 0.94]");
    assertThat(new ConfidenceInterval(12.5, 11.04, 13.96, 0.95, 1000).format(2)).isEqualTo("12.50 [11.0, 14.0]");
  }

  @Test
  void quantilesInterpolateBetweenOrderStatistics() {
    double[] sorted = {1, 2, 3, 4, 5};
    assertThat(Bootstrap.quantile(sorted, 0.5)).isEqualTo(3.0);
    assertThat(Bootstrap.quantile(sorted, 0.025)).isCloseTo(1.1, within(1e-12));
    assertThat(Bootstrap.quantile(sorted, 0.975)).isCloseTo(4.9, within(1e-12));
  }

  @Test
  void seededIntervalIsReproducibleAndBracketsTheValue() {
    Accuracy a = new Accuracy("out", "y");
    // 8 right, 2 wrong
    a.update(out(oneHot(2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1)), batch(labels(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    ConfidenceInterval ci = new Bootstrap(500, 0.9, 42).interval(a);
    assertThat(ci.value()).isEqualTo(0.8);
    assertThat(ci.low()).isLessThan(0.8).isGreaterThanOrEqualTo(0.5);
    assertThat(ci.high()).isGreaterThan(0.8).isLessThanOrEqualTo(1.0);
    assertThat(ci.resamples()).isEqualTo(500);
    assertThat(new Bootstrap(500, 0.9, 42).interval(a)).isEqualTo(ci);
    // another seed draws other resamples (seen on a statistic with many distinct values)
    double[] spread = new double[20];
    for (int i = 0; i < spread.length; i++) {
      spread[i] = i * i;
    }
    assertThat(new Bootstrap(200, 0.9, 42).mean(spread)).isEqualTo(new Bootstrap(200, 0.9, 42).mean(spread))
        .isNotEqualTo(new Bootstrap(200, 0.9, 43).mean(spread));
    // the mean of the per-sample hits is the same statistic, so the same seed gives the same interval
    double[] hits = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
    assertThat(new Bootstrap(500, 0.9, 42).mean(hits)).isEqualTo(ci);
  }

  /**
   * Hand-computable cases through the trainer's estimator: a predictor that is always right (or
   * always off by the same amount) gives every resample the same value, so its interval is that
   * value exactly; two samples, one right, give resample accuracies 0, 0.5 and 1 with chances
   * 1/4, 1/2, 1/4, so a 95% interval of 1000 resamples runs from 0 to 1. A metric that cannot be
   * resampled gets no interval.
   */
  @Test
  void estimatorGivesHandComputableIntervals() {
    Accuracy right = new Accuracy("out", "y");
    right.update(out(oneHot(3, 2, 2, 2, 2, 2)), batch(labels(2, 2, 2, 2, 2)));
    MeanSquaredError offByHalf = new MeanSquaredError("out", "y");
    offByHalf.update(out(rows(1, 1.5f, 2.5f, -0.5f, 4.5f)), batch(rows(1, 1f, 2f, -1f, 4f)));
    Accuracy half = new Accuracy("half", "y");
    half.update(Map.of("half", oneHot(2, 0, 1)), batch(labels(0, 0)));
    io.holdout.api.metrics.Metric opaque = new io.holdout.api.metrics.Metric() {
      @Override public String name() {
        return "opaque";
      }

      @Override public io.holdout.api.metrics.Direction direction() {
        return io.holdout.api.metrics.Direction.MAX;
      }

      @Override public void reset() {}

      @Override public void update(Map<String, io.holdout.api.tensor.Tensor> outputs, io.holdout.api.tensor.Batch b) {}

      @Override public double value() {
        return 1;
      }
    };
    Map<String, ConfidenceInterval> ci = new Bootstrap(1000, 0.95, 5).estimator()
        .estimate(List.of(right, offByHalf, opaque));
    assertThat(ci).containsOnlyKeys(right.name(), offByHalf.name());
    assertThat(ci.get(right.name())).isEqualTo(new ConfidenceInterval(1, 1, 1, 0.95, 1000));
    assertThat(ci.get(offByHalf.name())).isEqualTo(new ConfidenceInterval(0.25, 0.25, 0.25, 0.95, 1000));
    ConfidenceInterval h = new Bootstrap(1000, 0.95, 5).interval(half);
    assertThat(h.value()).isEqualTo(0.5);
    assertThat(h.low()).isEqualTo(0.0);
    assertThat(h.high()).isEqualTo(1.0);
  }

  @Test
  void undefinedResamplesAreDroppedAndNoSamplesGiveNaN() {
    ConfidenceInterval empty = Bootstrap.of(1).mean(new double[0]);
    assertThat(empty.low()).isNaN();
    assertThat(empty.high()).isNaN();
    ConfidenceInterval never = Bootstrap.of(1).interval(3, idx -> Double.NaN, 0.5);
    assertThat(never.resamples()).isZero();
    assertThat(never.low()).isNaN();
    // a constant statistic has a zero-width interval
    ConfidenceInterval constant = Bootstrap.of(1).mean(new double[] {2, 2, 2});
    assertThat(constant.low()).isEqualTo(2.0);
    assertThat(constant.high()).isEqualTo(2.0);
  }
}
