package io.holdout.api.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
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
  void withoutCountsTheEpochMeanIsSampleWeighted() {
    LossMeter m = new LossMeter();
    m.add(LossBreakdown.of(spec, new double[] {1.0, 2.0}, 32));
    m.add(LossBreakdown.of(spec, new double[] {3.0, 6.0}, 8)); // short last batch
    LossBreakdown mean = m.mean();
    // by hand: (1*32 + 3*8) / 40 = 1.4 ; (2*32 + 6*8) / 40 = 2.8
    assertThat(mean.raw("regression")).isCloseTo(1.4, within(1e-12));
    assertThat(mean.raw("classification")).isCloseTo(2.8, within(1e-12));
    assertThat(mean.total()).isCloseTo(0.5 * 1.4 + 2 * 2.8, within(1e-12));
    assertThat(mean.samples()).isEqualTo(40);
    assertThat(mean.count("classification")).isEqualTo(40);
    assertThat(mean.numerator("classification")).isCloseTo(112, within(1e-12));
  }

  /**
   * Three batches of a class-weighted cross-entropy (weights: class 0 → 1, class 1 → 3) and an MSE
   * over 2 outputs per sample. By hand, per batch (numerator = Σ per-sample terms, count = Σ
   * weights of the labels / elements):
   *
   * <pre>
   *   batch  samples  labels   CE num  CE count  CE mean   MSE num  MSE count  MSE mean
   *   1      4        0 0 0 1  6.0     6         1.0       4.0      8          0.5
   *   2      4        1 1 1 1  3.0     12        0.25      2.0      8          0.25
   *   3      2        0 0      0.5     2         0.25      6.0      4          1.5
   * </pre>
   *
   * Over the split: CE = (6 + 3 + 0.5) / (6 + 12 + 2) = 9.5 / 20 = 0.475, MSE = 12 / 20 = 0.6. The
   * sample-weighted mean of the batch means would give CE (4·1 + 4·0.25 + 2·0.25) / 10 = 0.55.
   */
  @Test
  void meterDividesSummedNumeratorsBySummedCounts() {
    LossMeter m = new LossMeter();
    m.add(LossBreakdown.of(spec, new double[] {0.5, 1.0}, new double[] {4.0, 6.0}, new double[] {8, 6}, 4));
    m.add(LossBreakdown.of(spec, new double[] {0.25, 0.25}, new double[] {2.0, 3.0}, new double[] {8, 12}, 4));
    m.add(LossBreakdown.of(spec, new double[] {1.5, 0.25}, new double[] {6.0, 0.5}, new double[] {4, 2}, 2));
    LossBreakdown split = m.mean();
    assertThat(split.raw("classification")).isCloseTo(0.475, within(1e-15));
    assertThat(split.raw("regression")).isCloseTo(0.6, within(1e-15));
    assertThat(split.total()).isCloseTo(0.5 * 0.6 + 2 * 0.475, within(1e-15));
    assertThat(split.samples()).isEqualTo(10);
    assertThat(split.numerator("classification")).isEqualTo(9.5);
    assertThat(split.count("classification")).isEqualTo(20);
    assertThat(split.count("regression")).isEqualTo(20);
  }

  /**
   * A batch may have count 0 and a numerator that is not 0 (label smoothing with a class weight of
   * 0): its own value is 0 by the batch convention, but its numerator still counts over the split.
   * A split whose counts add up to 0 is 0; a meter that saw nothing is NaN.
   */
  @Test
  void zeroCountsAddTheirNumeratorsAndAnEmptySplitIsZero() {
    LossSpec one = new LossSpec(List.of(LossComponentSpec.of("conf", "multibox_conf", 1, "c", "l")));
    LossMeter m = new LossMeter();
    m.add(LossBreakdown.of(one, new double[] {0}, new double[] {0.75}, new double[] {0}, 3));
    m.add(LossBreakdown.of(one, new double[] {1.25}, new double[] {5.0}, new double[] {4}, 3));
    assertThat(m.mean().raw("conf")).isCloseTo((0.75 + 5.0) / 4, within(1e-15));

    LossMeter none = new LossMeter();
    none.add(LossBreakdown.of(one, new double[] {0}, new double[] {0}, new double[] {0}, 3));
    none.add(LossBreakdown.of(one, new double[] {0}, new double[] {0}, new double[] {0}, 2));
    assertThat(none.mean().raw("conf")).isZero();
    assertThat(new LossMeter().mean().raw()).isEmpty();
  }

  @Test
  void numeratorsAndCountsMustNameTheComponents() {
    Map<String, Double> raw = Map.of("a", 1.0);
    Map<String, Double> w = Map.of("a", 1.0);
    assertThatThrownBy(() -> new LossBreakdown(raw, w, Map.of("a", 1.0), null, 1))
        .hasMessageContaining("go together");
    assertThatThrownBy(() -> new LossBreakdown(raw, w, Map.of("b", 1.0), Map.of("b", 1.0), 1))
        .hasMessageContaining("must name the components [a]");
    assertThatThrownBy(() -> new LossBreakdown(raw, w, Map.of("a", 1.0), Map.of("a", -1.0), 1))
        .hasMessageContaining("count -1.0");
  }

  @Test
  void findsNonFiniteComponent() {
    assertThat(LossBreakdown.of(spec, new double[] {1, Double.NaN}, 1).firstNonFinite()).isEqualTo("classification");
    assertThat(LossBreakdown.of(spec, new double[] {1, 2}, 1).firstNonFinite()).isNull();
  }
}
