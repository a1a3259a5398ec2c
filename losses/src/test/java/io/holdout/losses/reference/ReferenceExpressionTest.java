package io.holdout.losses.reference;

import static io.holdout.api.loss.LossExpression.constant;
import static io.holdout.api.loss.LossExpression.oneHotTarget;
import static io.holdout.api.loss.LossExpression.pred;
import static io.holdout.api.loss.LossExpression.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.CustomLoss.Normalisation;
import io.holdout.api.loss.LossExpression;
import io.holdout.losses.Reduction;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reference of plugin loss expressions: values by independent formulas, gradients by finite differences. */
class ReferenceExpressionTest {
  static final LossExpression D = pred().sub(target());
  static final CustomLoss LOG_COSH = new CustomLoss(TargetKind.NUMBER,
      D.mul(2).softplus().sub(D).sub(Math.log(2)), Normalisation.ELEMENTS, "log cosh");
  static final CustomLoss NLL = new CustomLoss(TargetKind.CLASS, oneHotTarget().mul(pred().logSoftmax()).neg(),
      Normalisation.SAMPLES, "nll");
  static final CustomLoss SMOOTH = new CustomLoss(TargetKind.NUMBER,
      D.tanh().mul(pred().sigmoid()).add(D.square().neg().exp()).add(D.abs().log1p()).add(D.square().add(1).sqrt())
          .add(target().square().add(2).log().div(constant(2))).add(pred().mul(3).softplus()),
      Normalisation.ELEMENTS, "smooth ops");
  static final CustomLoss KINKS = new CustomLoss(TargetKind.NUMBER,
      D.relu().add(D.min(0.3).mul(pred().max(-0.2))).sub(D.abs().neg()).add(D.max(target())),
      Normalisation.SAMPLES, "kinks");

  @Test
  void logCoshWrittenWithSoftplusIsLogCoshAndMeanCountsEveryElement() {
    float[] p = {1.5f, 0f, 3f, 0.2f};
    float[] t = {1f, 2f, 3f, 0f};
    LossTerms terms = new ReferenceExpression(LOG_COSH, p, t, null, 2).terms();
    double s0 = Math.log(Math.cosh(0.5)) + Math.log(Math.cosh(-2.0));
    double s1 = Math.log(Math.cosh(0.0)) + Math.log(Math.cosh(0.2f));
    assertThat(terms.numerators()).containsExactly(new double[] {s0, s1}, within(1e-12));
    assertThat(terms.denominators()).containsExactly(2, 2);
    assertThat(terms.reduce(Reduction.MEAN)).isCloseTo((s0 + s1) / 4, within(1e-12));
    assertThat(terms.reduce(Reduction.SUM)).isCloseTo(s0 + s1, within(1e-12));
  }

  @Test
  void oneHotTimesLogSoftmaxIsTheCrossEntropyOfTheLabel() {
    // softmax rows [1/6, 1/3, 1/2] and [1/3, 1/3, 1/3]
    float[] logits = {0f, (float) Math.log(2), (float) Math.log(3), 0f, 0f, 0f};
    LossTerms terms = new ReferenceExpression(NLL, logits, null, new long[] {2, 0}, 2).terms();
    assertThat(terms.numerators()[0]).isCloseTo(-Math.log(0.5), within(1e-7));
    assertThat(terms.numerators()[1]).isCloseTo(Math.log(3), within(1e-7));
    assertThat(terms.denominators()).containsExactly(1, 1);
    assertThatThrownBy(() -> new ReferenceExpression(NLL, logits, null, new long[] {3, 0}, 2))
        .hasMessageContaining("label 3 is not a class of 3");
  }

  @Test
  void gradientsMatchCentralFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(3);
    for (CustomLoss loss : List.of(LOG_COSH, SMOOTH, KINKS, NLL)) {
      int b = 4;
      int u = 3;
      float[] p = new float[b * u];
      float[] t = new float[b * u];
      long[] labels = new long[b];
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) (r.nextDouble() * 4 - 2);
        t[i] = (float) (r.nextDouble() * 2 - 1);
      }
      for (int i = 0; i < b; i++) {
        labels[i] = r.nextInt(u);
      }
      double[] g = new ReferenceExpression(loss, p, t, labels, b).numeratorGrad();
      for (int i = 0; i < p.length; i++) {
        // a step that keeps float inputs exact: dyadic h
        float h = 1f / 1024;
        float[] up = p.clone();
        float[] down = p.clone();
        up[i] += h;
        down[i] -= h;
        double fd = (new ReferenceExpression(loss, up, t, labels, b).terms().numerator()
            - new ReferenceExpression(loss, down, t, labels, b).terms().numerator()) / (2.0 * h);
        assertThat(g[i]).as("%s element %d", loss.description(), i).isCloseTo(fd, within(1e-5 * Math.max(1, Math.abs(fd))));
      }
    }
  }

  @Test
  void definitionsRefuseExpressionsThatCannotWork() {
    assertThatThrownBy(() -> new CustomLoss(TargetKind.NUMBER, target().square(), Normalisation.ELEMENTS, "x"))
        .hasMessageContaining("must read pred");
    assertThatThrownBy(() -> new CustomLoss(TargetKind.NUMBER, pred().mul(oneHotTarget()), Normalisation.ELEMENTS,
        "x")).hasMessageContaining("one_hot(target) needs class targets");
    assertThatThrownBy(() -> new CustomLoss(TargetKind.CLASS, pred().sub(target()), Normalisation.SAMPLES, "x"))
        .hasMessageContaining("class targets are read as one_hot(target)");
    assertThatThrownBy(() -> constant(Double.NaN)).hasMessageContaining("finite");
  }
}
