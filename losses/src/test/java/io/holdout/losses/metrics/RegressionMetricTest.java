package io.holdout.losses.metrics;

import static io.holdout.losses.metrics.Fixtures.batch;
import static io.holdout.losses.metrics.Fixtures.out;
import static io.holdout.losses.metrics.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.metrics.Direction;
import org.junit.jupiter.api.Test;

class RegressionMetricTest {
  private static final double TOL = 1e-9;

  /** y = 1 2 3 6, p = 1.5 2 2 5: errors 0.5 0 -1 -1; mean y 3, SS_tot 4+1+0+9 = 14, SS_res 2.25. */
  private static RegressionMetric fitted(RegressionMetric.Kind kind) {
    RegressionMetric m = new RegressionMetric(kind, "out", "y");
    m.update(out(rows(1, 1.5f, 2f)), batch(rows(1, 1, 2)));
    m.update(out(rows(1, 2f, 5f)), batch(rows(1, 3, 6)));
    return m;
  }

  @Test
  void errors() {
    assertThat(fitted(RegressionMetric.Kind.MSE).value()).isCloseTo(2.25 / 4, within(TOL));
    assertThat(fitted(RegressionMetric.Kind.RMSE).value()).isCloseTo(0.75, within(TOL));
    assertThat(fitted(RegressionMetric.Kind.MAE).value()).isCloseTo(2.5 / 4, within(TOL));
    assertThat(fitted(RegressionMetric.Kind.R2).value()).isCloseTo(1 - 2.25 / 14, within(TOL));
    assertThat(fitted(RegressionMetric.Kind.R2).direction()).isEqualTo(Direction.MAX);
    assertThat(fitted(RegressionMetric.Kind.RMSE).name()).isEqualTo("out.rmse");
  }

  @Test
  void r2OfConstantPredictions() {
    RegressionMetric mean = new RegressionMetric(RegressionMetric.Kind.R2, "out", "y");
    mean.update(out(rows(1, 3, 3, 3, 3)), batch(rows(1, 1, 2, 3, 6)));
    assertThat(mean.value()).isCloseTo(0, within(TOL));
    // constant 4: SS_res = 9 + 4 + 1 + 4 = 18 → 1 - 18/14
    RegressionMetric four = new RegressionMetric(RegressionMetric.Kind.R2, "out", "y");
    four.update(out(rows(1, 4, 4, 4, 4)), batch(rows(1, 1, 2, 3, 6)));
    assertThat(four.value()).isCloseTo(-4.0 / 14, within(TOL));
  }

  @Test
  void r2OfConstantTargetsAndMultipleColumns() {
    RegressionMetric exact = new RegressionMetric(RegressionMetric.Kind.R2, "out", "y");
    exact.update(out(rows(1, 5, 5)), batch(rows(1, 5, 5)));
    assertThat(exact.value()).isEqualTo(1.0);
    RegressionMetric off = new RegressionMetric(RegressionMetric.Kind.R2, "out", "y");
    off.update(out(rows(1, 4)), batch(rows(1, 5)));
    assertThat(off.value()).isEqualTo(0.0);
    // column 0 perfect (1), column 1 predicts its mean (0): uniform average ½
    RegressionMetric two = new RegressionMetric(RegressionMetric.Kind.R2, "out", "y");
    two.update(out(rows(2, 1, 2, 3, 2)), batch(rows(2, 1, 1, 3, 3)));
    assertThat(two.value()).isCloseTo(0.5, within(TOL));
  }

  @Test
  void emptyIsNaNAndTheLegacyMseAgrees() {
    assertThat(new RegressionMetric(RegressionMetric.Kind.R2, "out", "y").value()).isNaN();
    MeanSquaredError mse = new MeanSquaredError("out", "y");
    assertThat(mse.value()).isNaN();
    mse.update(out(rows(1, 1.5f, 2f, 2f, 5f)), batch(rows(1, 1, 2, 3, 6)));
    assertThat(mse.value()).isCloseTo(0.5625, within(TOL));
    assertThat(mse.name()).isEqualTo("out.mse");
    // resample: samples 2 and 3 (errors -1, -1)
    assertThat(mse.valueOn(new int[] {2, 3})).isCloseTo(1.0, within(TOL));
  }
}
