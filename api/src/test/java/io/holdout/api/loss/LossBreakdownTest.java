package io.holdout.api.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LossBreakdownTest {
  final LossSpec spec = new LossSpec(List.of(
      LossComponentSpec.of("regression", "mse", 0.5, "v", "v"),
      LossComponentSpec.of("classification", "cross_entropy", 2.0, "y", "y")));

  @Test
  void totalIsTheWeightedSum() {
    LossBreakdown b = LossBreakdown.of(spec, new double[] {1.3363, 3.2755}, 8);
    assertThat(b.total()).isCloseTo(0.5 * 1.3363 + 2.0 * 3.2755, within(1e-12));
    assertThat(b.weighted("regression")).isCloseTo(0.66815, within(1e-12));
    assertThat(b.describe()).isEqualTo("7.2192 (regression 0.5×1.3363 + classification 2×3.2755)");
  }

  @Test
  void epochMeanIsSampleWeighted() {
    LossMeter m = new LossMeter();
    m.add(LossBreakdown.of(spec, new double[] {1.0, 2.0}, 32));
    m.add(LossBreakdown.of(spec, new double[] {3.0, 6.0}, 8)); // short last batch
    LossBreakdown mean = m.mean();
    // by hand: (1*32 + 3*8) / 40 = 1.4 ; (2*32 + 6*8) / 40 = 2.8
    assertThat(mean.raw("regression")).isCloseTo(1.4, within(1e-12));
    assertThat(mean.raw("classification")).isCloseTo(2.8, within(1e-12));
    assertThat(mean.total()).isCloseTo(0.5 * 1.4 + 2 * 2.8, within(1e-12));
    assertThat(mean.samples()).isEqualTo(40);
  }

  @Test
  void findsNonFiniteComponent() {
    assertThat(LossBreakdown.of(spec, new double[] {1, Double.NaN}, 1).firstNonFinite()).isEqualTo("classification");
    assertThat(LossBreakdown.of(spec, new double[] {1, 2}, 1).firstNonFinite()).isNull();
  }
}
