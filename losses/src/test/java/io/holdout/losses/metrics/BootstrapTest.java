package io.holdout.losses.metrics;

import static io.holdout.losses.metrics.Fixtures.batch;
import static io.holdout.losses.metrics.Fixtures.labels;
import static io.holdout.losses.metrics.Fixtures.oneHot;
import static io.holdout.losses.metrics.Fixtures.out;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
