package io.holdout.losses.metrics;

import static io.holdout.losses.metrics.Fixtures.batch;
import static io.holdout.losses.metrics.Fixtures.labels;
import static io.holdout.losses.metrics.Fixtures.out;
import static io.holdout.losses.metrics.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AreaUnderCurveTest {
  private static final double TOL = 1e-9;
  // scores 0.9 0.8 0.8 0.7 0.6 0.6 for labels 1 1 0 1 0 0 (ties within and across classes)
  private static final double[] SCORES = {0.9, 0.8, 0.8, 0.7, 0.6, 0.6};
  private static final boolean[] LABELS = {true, true, false, true, false, false};

  @Test
  void rocAucWithTies() {
    // pairs (P·N = 9): 0.9 beats all 3 negatives; 0.8 ties one (½) and beats two; 0.7 beats two → 7.5 / 9
    assertThat(Curves.rocAuc(SCORES, LABELS)).isCloseTo(7.5 / 9, within(TOL));
  }

  @Test
  void averagePrecisionWithTies() {
    // thresholds 0.9: R 1/3, P 1; 0.8 (tied pair as one): R 2/3, P 2/3; 0.7: R 1, P 3/4; 0.6: R 1
    // AP = 1/3·1 + 1/3·2/3 + 1/3·3/4 = 29/36
    assertThat(Curves.averagePrecision(SCORES, LABELS)).isCloseTo(29.0 / 36, within(TOL));
  }

  @Test
  void undefinedCases() {
    assertThat(Curves.rocAuc(new double[] {0.1, 0.2}, new boolean[] {true, true})).isNaN();
    assertThat(Curves.rocAuc(new double[] {0.1, 0.2}, new boolean[] {false, false})).isNaN();
    assertThat(Curves.averagePrecision(new double[] {0.1, 0.2}, new boolean[] {false, false})).isNaN();
    assertThat(Curves.averagePrecision(new double[] {0.1, 0.2}, new boolean[] {true, true})).isEqualTo(1.0);
    assertThat(Curves.rocAuc(new double[0], new boolean[0])).isNaN();
    assertThat(Curves.rocAuc(new double[] {Double.NaN, 1}, new boolean[] {true, false})).isNaN();
    // all scores tied: a coin flip
    assertThat(Curves.rocAuc(new double[] {1, 1, 1}, new boolean[] {true, false, false})).isEqualTo(0.5);
  }

  @Test
  void binaryFromOneOrTwoLogits() {
    AreaUnderCurve one = new AreaUnderCurve(AreaUnderCurve.Curve.ROC, "out", "y", -1, -100);
    one.update(out(rows(1, 0.9f, 0.8f, 0.8f)), batch(Tensor.ofFloats(new long[] {3, 1}, 1, 1, 0)));
    one.update(out(rows(1, 0.7f, 0.6f, 0.6f)), batch(Tensor.ofFloats(new long[] {3, 1}, 1, 0, 0)));
    assertThat(one.value()).isCloseTo(7.5 / 9, within(TOL));
    assertThat(one.name()).isEqualTo("out.roc_auc");

    // two logits: scored by logit1 - logit0 = the same numbers
    AreaUnderCurve two = new AreaUnderCurve(AreaUnderCurve.Curve.PR, "out", "y", -1, -100);
    two.update(out(rows(2, 0, 0.9f, 0, 0.8f, 0, 0.8f, 0, 0.7f, 0, 0.6f, 0, 0.6f)), batch(labels(1, 1, 0, 1, 0, 0)));
    assertThat(two.value()).isCloseTo(29.0 / 36, within(1e-6));
  }

  /**
   * Six samples of four classes, class 3 absent. Softmax column rankings (highest first):
   * class 0: r0+ r4 r5 r2+ r1=r3 → the positives beat 4 and 2 of 4 negatives: AUC 6/8, AP ½·1 + ½·2/4;
   * class 1: r1+ r2 r5+ r4 r0=r3 → 4 and 3: AUC 7/8, AP ½·1 + ½·2/3;
   * class 2: r3+ r4+ … → AUC 1, AP 1; class 3: no positives, left out.
   */
  @Test
  void oneVsRestMacroSkipsClassesWithoutPositives() {
    Tensor logits = rows(4,
        2, 0, 0, 0,
        0, 2, 0, 0,
        0, 1, 0, 0,
        0, 0, 2, 0,
        1, 0, 1, 0,
        0, 0, 0, 0);
    Tensor y = labels(0, 1, 0, 2, 2, 1);
    AreaUnderCurve roc = new AreaUnderCurve(AreaUnderCurve.Curve.ROC, "out", "y", -1, -100);
    roc.update(out(logits), batch(y));
    assertThat(roc.perClass()).containsExactly(new double[] {0.75, 0.875, 1, Double.NaN}, within(TOL));
    assertThat(roc.value()).isCloseTo((0.75 + 0.875 + 1) / 3, within(TOL));
    AreaUnderCurve pr = new AreaUnderCurve(AreaUnderCurve.Curve.PR, "out", "y", -1, -100);
    pr.update(out(logits), batch(y));
    assertThat(pr.value()).isCloseTo((0.75 + (0.5 + 1.0 / 3) + 1) / 3, within(TOL));
    AreaUnderCurve class1 = new AreaUnderCurve(AreaUnderCurve.Curve.ROC, "out", "y", 1, -100);
    class1.update(out(logits), batch(y));
    assertThat(class1.value()).isCloseTo(0.875, within(TOL));
    assertThat(class1.name()).isEqualTo("out.roc_auc_class_1");
  }

  @Test
  void multiLabelAveragesTheColumns() {
    AreaUnderCurve roc = new AreaUnderCurve(AreaUnderCurve.Curve.ROC, "out", "y", -1, -100);
    // column 0: scores 3 2 1 for 1 0 1 → the positives beat 1 and 0 of 1: ½; column 1: 1 2 3 for 0 0 1 → 1
    roc.update(out(rows(2, 3, 1, 2, 2, 1, 3)), batch(Tensor.ofFloats(new long[] {3, 2}, 1, 0, 0, 0, 1, 1)));
    assertThat(roc.value()).isCloseTo(0.75, within(TOL));
    assertThat(roc.sampleCount()).isEqualTo(3);
  }

  @Test
  void oneClassPresentOrNothingIsNaN() {
    AreaUnderCurve roc = new AreaUnderCurve(AreaUnderCurve.Curve.ROC, "out", "y", -1, -100);
    assertThat(roc.value()).isNaN();
    roc.update(out(rows(1, 0.3f, 0.5f)), batch(labels(1, 1)));
    assertThat(roc.value()).isNaN();
  }
}
