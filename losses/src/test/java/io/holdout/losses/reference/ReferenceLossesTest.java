package io.holdout.losses.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.LossCatalog;
import io.holdout.losses.reference.ReferenceCases.Case;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The reference on {@link ReferenceCases}, against values worked out by hand (in comments). In the
 * regression cases d = p - t = [0.5, -2, 0, 0.2] over 2 samples × 2 outputs; in the classification
 * cases the softmax rows are [1/6, 1/3, 1/2], [1/3, 1/3, 1/3], [3/5, 1/5, 1/5] with labels 2, 0, 1,
 * so -log p_y = ln 2, ln 3, ln 5.
 */
class ReferenceLossesTest {
  private static final double TOL = 1e-6;
  private static final double LN2 = Math.log(2);
  private static final double LN3 = Math.log(3);
  private static final double LN5 = Math.log(5);

  private static double value(String title) {
    Case c = ReferenceCases.get(title);
    return ReferenceLosses.value(c.spec(), c.outputs(), c.batch());
  }

  private static float[] perSample(String title) {
    Case c = ReferenceCases.get(title);
    return ReferenceLosses.perSample(c.spec(), c.outputs(), c.batch());
  }

  @Test
  void everyCatalogueTypeHasACase() {
    Set<String> covered = ReferenceCases.all().stream().map(c -> c.spec().type()).collect(Collectors.toSet());
    assertThat(covered).containsExactlyInAnyOrderElementsOf(LossCatalog.types().keySet());
  }

  @Test
  void mse() {
    // (0.25 + 4 + 0 + 0.04) / 4
    assertThat(value("mse")).isCloseTo(1.0725, within(TOL));
    assertThat(value("mse/sum")).isCloseTo(4.29, within(TOL));
    // per sample: (0.25 + 4) / 2, (0 + 0.04) / 2
    assertThat(perSample("mse")).containsExactly(new float[] {2.125f, 0.02f}, offset(1e-6f));
    assertThat(perSample("mse/sum")).containsExactly(new float[] {4.25f, 0.04f}, offset(1e-6f));
    assertThat(ReferenceLosses.mse(new float[] {1, 2}, new float[] {0, 0})).isEqualTo(2.5);
  }

  @Test
  void mae() {
    // (0.5 + 2 + 0 + 0.2) / 4
    assertThat(value("mae")).isCloseTo(0.675, within(TOL));
    assertThat(value("mae/sum")).isCloseTo(2.7, within(TOL));
  }

  @Test
  void smoothL1AndHuber() {
    // beta 1: 0.5·0.25, 2 - 0.5, 0, 0.5·0.04 → 1.645 / 4
    assertThat(value("smooth_l1")).isCloseTo(0.41125, within(TOL));
    assertThat(value("smooth_l1/sum")).isCloseTo(1.645, within(TOL));
    // beta 0.5: |0.5| is not < 0.5 → 0.5 - 0.25; 2 - 0.25; 0; 0.5·0.04/0.5 → 2.04 / 4
    assertThat(value("smooth_l1/beta_0.5")).isCloseTo(0.51, within(TOL));
    // beta 0 is L1
    assertThat(value("smooth_l1/beta_0")).isCloseTo(0.675, within(TOL));
    // huber delta 1 equals smooth L1 beta 1
    assertThat(value("huber")).isCloseTo(0.41125, within(TOL));
    // delta 0.5: 0.5·0.25 (|d| <= delta), 0.5·(2 - 0.25), 0, 0.5·0.04 → 1.02 / 4
    assertThat(value("huber/delta_0.5")).isCloseTo(0.255, within(TOL));
  }

  @Test
  void crossEntropy() {
    assertThat(value("cross_entropy")).isCloseTo((LN2 + LN3 + LN5) / 3, within(TOL)); // 1.1337325
    assertThat(value("cross_entropy")).isCloseTo(1.1337325, within(TOL));
    assertThat(value("cross_entropy/sum")).isCloseTo(LN2 + LN3 + LN5, within(TOL));
    assertThat(perSample("cross_entropy"))
        .containsExactly(new float[] {(float) LN2, (float) LN3, (float) LN5}, offset(1e-6f));
  }

  @Test
  void weightedCrossEntropyDividesByTheLabelsWeights() {
    // w = [1, 2, 3], w_y = 3, 1, 2: (3 ln2 + ln3 + 2 ln5) / (3 + 1 + 2)
    assertThat(value("cross_entropy/weighted")).isCloseTo(1.0661549, within(TOL));
    // per sample (a batch of one divides by its own w_y): the unweighted -log p_y
    assertThat(perSample("cross_entropy/weighted"))
        .containsExactly(new float[] {(float) LN2, (float) LN3, (float) LN5}, offset(1e-6f));
  }

  @Test
  void labelSmoothing() {
    // l_i = 0.9·(-log p_y) + 0.1/3·Σ_c(-log p_c); Σ_c = ln 36, 3 ln 3, ln(5/3) + 2 ln 5
    double l0 = 0.9 * LN2 + 0.1 / 3 * Math.log(36);
    double l1 = LN3;
    double l2 = 0.9 * LN5 + 0.1 / 3 * (Math.log(5.0 / 3) + 2 * LN5);
    assertThat(value("cross_entropy/smoothing")).isCloseTo((l0 + l1 + l2) / 3, within(TOL));
    assertThat(value("cross_entropy/smoothing")).isCloseTo(1.1382376, within(TOL));
    // weighted: l_i = 0.9·w_y·(-log p_y) + 0.1/3·Σ_c w_c(-log p_c), divided by Σ w_y = 6
    double w0 = 0.9 * 3 * LN2 + 0.1 / 3 * (Math.log(6) + 2 * LN3 + 3 * LN2);
    double w1 = 0.9 * LN3 + 0.1 / 3 * (6 * LN3);
    double w2 = 0.9 * 2 * LN5 + 0.1 / 3 * (Math.log(5.0 / 3) + 2 * LN5 + 3 * LN5);
    assertThat(value("cross_entropy/weighted_smoothing")).isCloseTo((w0 + w1 + w2) / 6, within(TOL));
    assertThat(value("cross_entropy/weighted_smoothing")).isCloseTo(1.0774179, within(TOL));
  }

  @Test
  void ignoredLabelsAreLeftOutAndAllIgnoredIsZero() {
    assertThat(value("cross_entropy/ignore")).isCloseTo((LN2 + LN5) / 2, within(TOL));
    assertThat(perSample("cross_entropy/ignore")[1]).isZero();
    assertThat(value("cross_entropy/all_ignored")).isZero();
    Case c = ReferenceCases.get("cross_entropy/all_ignored");
    assertThat(ReferenceLosses.gradient(c.spec(), c.outputs(), c.batch())).containsOnly(0.0);
  }

  @Test
  void legacyCrossEntropyEntryPointAgrees() {
    Case c = ReferenceCases.get("cross_entropy/weighted_smoothing");
    float[] logits = c.outputs().get("out").toFloatArray();
    assertThat(ReferenceLosses.crossEntropy(logits, 3, new long[] {2, 0, 1}, new double[] {1, 2, 3}, 0.1, -100))
        .isCloseTo(1.0774179, within(TOL));
  }

  @Test
  void binaryCrossEntropy() {
    // x = [0, 2, -1, 3], t = [1, 0, 0, 1]: ln 2, softplus(2), softplus(-1), softplus(3) - 3
    double expected = (LN2 + Math.log1p(Math.exp(2)) + Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(-3))) / 4;
    assertThat(value("binary_cross_entropy")).isCloseTo(expected, within(TOL));
    assertThat(value("binary_cross_entropy")).isCloseTo(0.7954811, within(TOL));
    // pos_weight 2 doubles the two positive elements: 2 ln2 and 2·softplus(-3)
    assertThat(value("binary_cross_entropy/pos_weight")).isCloseTo(0.9809147, within(TOL));
  }

  @Test
  void focal() {
    // (1 - 1/2)² ln2, (1 - 1/3)² ln3, (1 - 1/5)² ln5
    double f0 = 0.25 * LN2;
    double f1 = 4.0 / 9 * LN3;
    double f2 = 0.64 * LN5;
    assertThat(value("focal")).isCloseTo((f0 + f1 + f2) / 3, within(TOL));
    assertThat(value("focal")).isCloseTo(0.5638664, within(TOL));
    assertThat(value("focal/alpha")).isCloseTo((3 * f0 + f1 + 2 * f2) / 3, within(TOL));
    // gamma 0 is cross-entropy
    assertThat(value("focal/gamma_0")).isCloseTo(value("cross_entropy"), within(TOL));
  }

  @Test
  void multiboxLocalisationCountsPositivesOnly() {
    // image 0, anchor 0: smooth L1 of [0.5, 2, 0, 0.2] = 1.645; image 1: anchor 1 exact, anchor 2 [0, 0, 0, 3] = 2.5
    // N = 3 positives; negatives' targets (9) do not count
    assertThat(value("multibox_loc")).isCloseTo((1.645 + 2.5) / 3, within(TOL));
    assertThat(perSample("multibox_loc")).containsExactly(new float[] {1.645f, 1.25f}, offset(1e-6f));
  }

  @Test
  void multiboxConfidenceMinesHardNegativesWithTiesToTheLowerAnchor() {
    // image 0: 1 positive (CE ln 2), 5 negatives with background losses ln1.5, ln3, ln5, ln3, ln3;
    //   k = min(3·1, 5) = 3 → ln5 (anchor 3), then the ln3 tie: anchors 2 and 4, not 5.
    // image 1: 2 positives (ln3, ln(5/3)), 4 negatives (ln3, ln2, ln1.5, ln5); k = min(6, 4) = 4 → all.
    double image0 = LN2 + LN5 + LN3 + LN3;
    double image1 = LN3 + Math.log(5.0 / 3) + LN3 + LN2 + Math.log(1.5) + LN5;
    assertThat(value("multibox_conf")).isCloseTo((image0 + image1) / 3, within(TOL));
    assertThat(value("multibox_conf")).isCloseTo(3.3053034, within(TOL));
    assertThat(perSample("multibox_conf"))
        .containsExactly(new float[] {(float) image0, (float) (image1 / 2)}, offset(1e-5f));

    Case c = ReferenceCases.get("multibox_conf");
    boolean[] kept = ReferenceMultiBox.selected(
        c.outputs().get("out").toFloatArray(), c.batch().get("y").toLongArray(), 2, 6, 3, 3);
    assertThat(kept).containsExactly(
        true, false, true, true, true, false,
        true, true, true, true, true, true);
  }

  @Test
  void multiboxRatioOneAndNoPositives() {
    // image 0: k = 1 → anchor 3 (ln5); image 1: k = 2 → anchors 5 (ln5) and 0 (ln3)
    double image0 = LN2 + LN5;
    double image1 = LN3 + Math.log(5.0 / 3) + LN5 + LN3;
    assertThat(value("multibox_conf/ratio_1")).isCloseTo((image0 + image1) / 3, within(TOL));
    assertThat(value("multibox_conf/no_positives")).isZero();
  }

  @Test
  void unknownParameterFailsNamingTheKnownOnes() {
    Case c = ReferenceCases.get("mse");
    LossComponentSpec bad = new LossComponentSpec("r", "mse", 1, "out", "y", Map.of("beta", 1.0));
    assertThatThrownBy(() -> ReferenceLosses.value(bad, c.outputs(), c.batch()))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("no parameter 'beta'")
        .hasMessageContaining("reduction");
  }

  @Test
  void shapeMismatchesAreClearErrors() {
    Case c = ReferenceCases.get("cross_entropy");
    LossComponentSpec weights = new LossComponentSpec(
        "c", "cross_entropy", 1, "out", "y", Map.of("class_weights", List.of(1.0, 2.0)));
    assertThatThrownBy(() -> ReferenceLosses.value(weights, c.outputs(), c.batch()))
        .hasMessageContaining("2 class weights for 3 classes");
    Batch outOfRange = new Batch(List.of("a", "b", "c"), Map.of("y", Tensor.ofLongs(new long[] {3}, 0, 3, 1)));
    assertThatThrownBy(() -> ReferenceLosses.value(c.spec(), c.outputs(), outOfRange))
        .hasMessageContaining("label 3 outside [0, 3)");
    assertThatThrownBy(() -> ReferenceLosses.value(c.spec(), Map.of(), c.batch()))
        .hasMessageContaining("no output 'out'");
  }
}
