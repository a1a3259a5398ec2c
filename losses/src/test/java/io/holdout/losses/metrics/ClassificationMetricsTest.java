package io.holdout.losses.metrics;

import static io.holdout.losses.metrics.Fixtures.batch;
import static io.holdout.losses.metrics.Fixtures.labels;
import static io.holdout.losses.metrics.Fixtures.oneHot;
import static io.holdout.losses.metrics.Fixtures.out;
import static io.holdout.losses.metrics.Fixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
  private static final double TOL = 1e-9;

  // 10 samples of 3 classes:
  //   actual    0 0 0 0 1 1 2 2 2 2
  //   predicted 0 0 1 2 1 2 2 2 0 2
  private static final long[] ACTUAL = {0, 0, 0, 0, 1, 1, 2, 2, 2, 2};
  private static final int[] PREDICTED = {0, 0, 1, 2, 1, 2, 2, 2, 0, 2};

  private static ClassificationMetric metric(ClassificationMetric.Score s, ClassificationMetric.Average a, int c) {
    ClassificationMetric m = new ClassificationMetric(s, "out", "y", a, c, -100);
    // in two batches, to check accumulation
    m.update(out(oneHot(3, 0, 0, 1, 2, 1)), batch(labels(0, 0, 0, 0, 1)));
    m.update(out(oneHot(3, 2, 2, 2, 0, 2)), batch(labels(1, 2, 2, 2, 2)));
    return m;
  }

  @Test
  void confusionMatrixCountsActualByPredicted() {
    ConfusionMatrix m = metric(ClassificationMetric.Score.CONFUSION_MATRIX, ClassificationMetric.Average.MACRO, -1)
        .detail();
    assertThat(m.counts()).isDeepEqualTo(new long[][] {{2, 1, 1}, {0, 1, 1}, {1, 0, 3}});
    assertThat(m.total()).isEqualTo(10);
    assertThat(m.support(0)).isEqualTo(4);
    assertThat(m.predicted(2)).isEqualTo(5);
    assertThat(m.accuracy()).isCloseTo(0.6, within(TOL));
    assertThat(m).isEqualTo(ConfusionMatrix.of(3, toInts(ACTUAL), PREDICTED));
    assertThat(m.format(List.of("cat", "dog", "bird"))).isEqualTo(String.join("\n",
        "actual\\predicted   cat   dog  bird",
        "cat                  2     1     1",
        "dog                  0     1     1",
        "bird                 1     0     3"));
  }

  @Test
  void perClassAndAveragedScores() {
    ClassificationReport r = ConfusionMatrix.of(3, toInts(ACTUAL), PREDICTED).report();
    // class 0: P = 2/3 (2 of 3 predicted 0), R = 2/4, F1 = 2·(2/3)(1/2)/(2/3 + 1/2) = 4/7
    assertScores(r.classes().get(0), 2.0 / 3, 0.5, 4.0 / 7, 4, 3);
    // class 1: P = 1/2, R = 1/2, F1 = 1/2
    assertScores(r.classes().get(1), 0.5, 0.5, 0.5, 2, 2);
    // class 2: P = 3/5, R = 3/4, F1 = 2/3
    assertScores(r.classes().get(2), 0.6, 0.75, 2.0 / 3, 4, 5);
    // macro: means of the three
    assertThat(r.macro().precision()).isCloseTo((2.0 / 3 + 0.5 + 0.6) / 3, within(TOL)); // 0.588889
    assertThat(r.macro().recall()).isCloseTo((0.5 + 0.5 + 0.75) / 3, within(TOL)); // 0.583333
    assertThat(r.macro().f1()).isCloseTo((4.0 / 7 + 0.5 + 2.0 / 3) / 3, within(TOL)); // 0.579365
    // micro: pooled counts, all equal to the accuracy
    assertThat(r.micro().precision()).isCloseTo(0.6, within(TOL));
    assertThat(r.micro().recall()).isCloseTo(0.6, within(TOL));
    assertThat(r.micro().f1()).isCloseTo(0.6, within(TOL));
    // weighted by support 4, 2, 4
    assertThat(r.weighted().recall()).isCloseTo((4 * 0.5 + 2 * 0.5 + 4 * 0.75) / 10, within(TOL)); // 0.6
    assertThat(r.weighted().f1()).isCloseTo((4 * 4.0 / 7 + 2 * 0.5 + 4 * 2.0 / 3) / 10, within(TOL));

    assertThat(metric(ClassificationMetric.Score.F1, ClassificationMetric.Average.MACRO, -1).value())
        .isCloseTo(0.5793651, within(1e-6));
    assertThat(metric(ClassificationMetric.Score.PRECISION, ClassificationMetric.Average.MICRO, -1).value())
        .isCloseTo(0.6, within(TOL));
    assertThat(metric(ClassificationMetric.Score.RECALL, ClassificationMetric.Average.MACRO, 2).value())
        .isCloseTo(0.75, within(TOL));
    assertThat(metric(ClassificationMetric.Score.RECALL, ClassificationMetric.Average.MACRO, 2).name())
        .isEqualTo("out.recall_class_2");
    assertThat(metric(ClassificationMetric.Score.F1, ClassificationMetric.Average.WEIGHTED, -1).name())
        .isEqualTo("out.f1_weighted");
  }

  @Test
  void oneClassPresentAndNeverPredictedClasses() {
    // every label is 1, predictions 1, 1, 0: class 0 is predicted but has no samples, class 2 is absent
    ConfusionMatrix m = ConfusionMatrix.of(3, new int[] {1, 1, 1}, new int[] {1, 1, 0});
    ClassificationReport r = m.report();
    assertScores(r.classes().get(0), 0, 0, 0, 0, 1);
    assertScores(r.classes().get(1), 1, 2.0 / 3, 0.8, 3, 2);
    assertThat(r.classes().get(2).present()).isFalse();
    // macro over classes 0 and 1 only (class 2 is neither a label nor a prediction)
    assertThat(r.macro().f1()).isCloseTo(0.4, within(TOL));
    assertThat(r.macro().precision()).isCloseTo(0.5, within(TOL));
  }

  @Test
  void emptyIsNaN() {
    ClassificationMetric m = new ClassificationMetric(
        ClassificationMetric.Score.F1, "out", "y", ClassificationMetric.Average.MACRO, -1, -100);
    assertThat(m.value()).isNaN();
    assertThat(m.detail().total()).isZero();
    Accuracy a = new Accuracy("out", "y");
    assertThat(a.value()).isNaN();
    a.update(out(Tensor.zeros(io.holdout.api.tensor.DType.FLOAT32, 0, 3)), batch(Tensor.ofLongs(new long[] {0})));
    assertThat(a.value()).isNaN();
    assertThat(ConfusionMatrix.of(2, new int[0], new int[0]).report().macro().f1()).isNaN();
  }

  @Test
  void accuracyBreaksTiesToTheLowerClassAndSkipsIgnoredLabels() {
    Accuracy a = new Accuracy("out", "y");
    // rows: tie 0/1 → 0 (right), argmax 2 (wrong), ignored, argmax 1 (right)
    a.update(out(rows(3, 1, 1, 0, 0, 1, 2, 9, 9, 9, 0, 5, 1)), batch(labels(0, 1, -100, 1)));
    assertThat(a.value()).isCloseTo(2.0 / 3, within(TOL));
    assertThat(a.sampleCount()).isEqualTo(3);
    assertThat(a.name()).isEqualTo("out.accuracy");
  }

  @Test
  void singleLogitIsBinaryAtZero() {
    Accuracy a = new Accuracy("out", "y");
    // logits 0.3 → 1, -2 → 0, 0 → 0 (not > 0); float 0/1 targets are read as labels
    a.update(out(rows(1, 0.3f, -2f, 0f)), batch(Tensor.ofFloats(new long[] {3, 1}, 1, 1, 0)));
    assertThat(a.value()).isCloseTo(2.0 / 3, within(TOL));
  }

  @Test
  void topK() {
    TopKAccuracy top2 = new TopKAccuracy("out", "y", 2, -100);
    // row 0: label 2 is 3rd (0.9, 0.5 before it); row 1: label 0 is 2nd; row 2: label 1 ties with
    // class 0 (lower index first) and class 3 is higher → 3rd; row 3: label 3 first
    top2.update(out(rows(4,
        0.9f, 0.5f, 0.1f, 0f,
        0.5f, 0.9f, 0.1f, 0f,
        0.4f, 0.4f, 0f, 0.8f,
        0f, 0f, 0f, 1f)), batch(labels(2, 0, 1, 3)));
    assertThat(top2.value()).isCloseTo(0.5, within(TOL));
    assertThat(top2.name()).isEqualTo("out.top_2_accuracy");
    TopKAccuracy top3 = new TopKAccuracy("out", "y", 3, -100);
    top3.update(out(rows(4, 0.4f, 0.4f, 0f, 0.8f)), batch(labels(1)));
    assertThat(top3.value()).isEqualTo(1.0);
  }

  @Test
  void labelsOutsideTheClassesAreErrors() {
    Accuracy a = new Accuracy("out", "y");
    assertThatThrownBy(() -> a.update(out(oneHot(3, 0)), batch(labels(3))))
        .hasMessage("out.accuracy: label 3 outside [0, 3)");
    assertThatThrownBy(() -> a.update(out(oneHot(3, 0)), batch(Tensor.ofFloats(new long[] {1}, 0.5f))))
        .hasMessageContaining("not a class label");
  }

  @Test
  void resamplingRecomputesOnTheChosenSamples() {
    ClassificationMetric m = metric(ClassificationMetric.Score.CONFUSION_MATRIX, ClassificationMetric.Average.MACRO, -1);
    // samples 0, 1, 2 twice: right, right, wrong, wrong → accuracy 1/2
    assertThat(m.valueOn(new int[] {0, 1, 2, 2})).isCloseTo(0.5, within(TOL));
    assertThat(m.sampleCount()).isEqualTo(10);
  }

  private static void assertScores(ClassScores s, double p, double r, double f1, long support, long predicted) {
    assertThat(s.precision()).as("precision").isCloseTo(p, within(TOL));
    assertThat(s.recall()).as("recall").isCloseTo(r, within(TOL));
    assertThat(s.f1()).as("f1").isCloseTo(f1, within(TOL));
    assertThat(s.support()).as("support").isEqualTo(support);
    assertThat(s.predicted()).as("predicted").isEqualTo(predicted);
  }

  private static int[] toInts(long[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (int) v[i];
    }
    return out;
  }
}
