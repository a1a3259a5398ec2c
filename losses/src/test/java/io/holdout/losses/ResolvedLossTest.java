package io.holdout.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.LossTerms;
import io.holdout.losses.reference.ReferenceCases;
import io.holdout.losses.reference.ReferenceLosses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResolvedLossTest {
  /** Three classes on head {@code species}, one value on head {@code width}. */
  static final ModelSpec MODEL = new ModelSpec(new long[] {4}, List.of(),
      List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3), HeadSpec.dense("width", HeadKind.REGRESSION, 1)));

  private static LossSpec loss(String type, String output, Map<String, Object> params) {
    return new LossSpec(List.of(new LossComponentSpec("part", type, 1, output, "y", params)));
  }

  private static ResolvedComponent one(String type, String output, Map<String, Object> params) {
    return ResolvedLoss.resolve(loss(type, output, params), MODEL).components().get(0);
  }

  @Test
  void typedValuesWithTheCatalogueDefaults() {
    ResolvedComponent ce = one("cross_entropy", "species",
        Map.of("class_weights", List.of(1, 2.5, 0), "label_smoothing", 0.1));
    assertThat(ce.classWeights()).containsExactly(1.0, 2.5, 0.0);
    assertThat(ce.labelSmoothing()).isEqualTo(0.1);
    assertThat(ce.ignoreIndex()).isEqualTo(-100);
    assertThat(ce.reduction()).isEqualTo(Reduction.MEAN);
    assertThat(ce.units()).isEqualTo(3);
    assertThat(ce.headShape()).containsExactly(3);
    ResolvedComponent focal = one("focal", "species", Map.of("reduction", "sum"));
    assertThat(focal.gamma()).isEqualTo(2.0);
    assertThat(focal.alpha()).isNull();
    assertThat(focal.reduction()).isEqualTo(Reduction.SUM);
    assertThat(one("smooth_l1", "width", Map.of()).beta()).isEqualTo(1.0);
    assertThat(one("huber", "width", Map.of("delta", 0.5)).delta()).isEqualTo(0.5);
    assertThat(one("binary_cross_entropy", "width", Map.of()).posWeight()).isEqualTo(1.0);
    assertThatThrownBy(() -> ce.beta()).isInstanceOf(IllegalStateException.class)
        .hasMessage("loss type cross_entropy has no parameter 'beta'");
  }

  @Test
  void classWeightsMustFitTheHeadBeforeAnythingRuns() {
    assertThatThrownBy(() -> ResolvedLoss.resolve(
        loss("cross_entropy", "species", Map.of("class_weights", List.of(1.0, 2.0))), MODEL, "exp.yaml"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("exp.yaml: loss 'part' (cross_entropy): parameter 'class_weights' has 2 values for the 3"
            + " classes of head 'species'");
    assertThatThrownBy(() -> ResolvedLoss.resolve(loss("focal", "species", Map.of("alpha", List.of(1, 1, 1, 1))), MODEL))
        .hasMessage("loss 'part' (focal): parameter 'alpha' has 4 values for the 3 classes of head 'species'");
    assertThatThrownBy(() -> ResolvedLoss.resolve(
        loss("cross_entropy", "species", Map.of("class_weights", List.of(1.0, -2.0, 1.0))), MODEL, "exp.yaml"))
        .hasMessage("exp.yaml: loss 'part' (cross_entropy): parameter 'class_weights' must be a list of numbers >= 0,"
            + " got [1.0, -2.0, 1.0]");
    assertThatThrownBy(() -> ResolvedLoss.resolve(
        loss("cross_entropy", "species", Map.of("class_weights", List.of(0, 0, 0))), MODEL, "exp.yaml"))
        .hasMessage("exp.yaml: loss 'part' (cross_entropy): parameter 'class_weights' is 0 for every class, so no"
            + " label would count");
  }

  @Test
  void everyOtherProblemIsOneLineNamingTheComponent() {
    assertThatThrownBy(() -> ResolvedLoss.resolve(loss("mse", "height", Map.of()), MODEL, "exp.yaml"))
        .hasMessage("exp.yaml: loss 'part' (mse): reads output 'height' but the model's heads are [species, width]");
    assertThatThrownBy(() -> ResolvedLoss.resolve(loss("msee", "width", Map.of()), MODEL, "exp.yaml"))
        .hasMessageStartingWith("exp.yaml: loss 'part': unknown loss type 'msee' (known: ");
    assertThatThrownBy(() -> ResolvedLoss.resolve(loss("focal", "species", Map.of("gamma", -1)), MODEL, "exp.yaml"))
        .hasMessage("exp.yaml: loss 'part' (focal): parameter 'gamma' must be a number >= 0, got -1");
    assertThatThrownBy(() -> ResolvedLoss.resolve(loss("multibox_loc", "species", Map.of()), MODEL))
        .hasMessage("loss 'part' (multibox_loc): head 'species' has 3 outputs, not 4 box offsets per anchor");
    ModelSpec anchors = new ModelSpec(new long[] {3, 8, 8}, List.of(new LayerSpec.Conv2d(4, 3, 1, 1)),
        List.of(HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 4, List.of(0), 2)));
    assertThatThrownBy(() -> ResolvedLoss.resolve(loss("cross_entropy", "conf", Map.of()), anchors))
        .hasMessage("loss 'part' (cross_entropy): logits must be [batch, classes], but head 'conf' outputs [batch,"
            + " 128, 4]");
  }

  /** A model whose head {@code out} outputs exactly the values per sample of {@code prediction}. */
  private static ModelSpec probe(String output, Tensor prediction) {
    int units = (int) (prediction.elementCount() / prediction.dim(0));
    return new ModelSpec(new long[] {1}, List.of(), List.of(HeadSpec.dense(output, HeadKind.REGRESSION, units)));
  }

  /**
   * The denominators and counts computed here from the targets alone agree with the reference's
   * terms (computed with the predictions) on every reference case, under mean and sum.
   */
  @Test
  void denominatorsAndCountsAgreeWithTheReference() {
    for (ReferenceCases.Case rc : ReferenceCases.all()) {
      for (String red : List.of("mean", "sum")) {
        Map<String, Object> params = new LinkedHashMap<>(rc.spec().params());
        params.put("reduction", red);
        LossComponentSpec c = new LossComponentSpec(rc.spec().name(), rc.spec().type(), 1, rc.spec().output(),
            rc.spec().target(), params);
        Tensor prediction = rc.outputs().get(c.output());
        ResolvedLoss r = ResolvedLoss.resolve(new LossSpec(List.of(c)), probe(c.output(), prediction));
        ResolvedComponent rcomp = r.components().get(0);
        rcomp.check(rc.batch());
        LossTerms t = ReferenceLosses.terms(c, rc.outputs(), rc.batch());
        assertThat(rcomp.denominators(rc.batch())).as(rc.title()).containsExactly(t.denominators());
        assertThat(rcomp.count(rc.batch())).as(rc.title() + " " + red).isEqualTo(t.count(Reduction.of(red)));
        LossBreakdown ref = ReferenceLosses.breakdown(new LossSpec(List.of(c)), rc.outputs(), rc.batch());
        LossBreakdown b = r.breakdown(new double[] {ref.raw(c.name())}, new double[] {t.numerator()}, rc.batch());
        assertThat(b.counts()).as(rc.title()).isEqualTo(ref.counts());
        assertThat(b.numerators()).isEqualTo(ref.numerators());
      }
    }
  }

  /** Counts worked by hand on a few reference cases. */
  @Test
  void countsByHand() {
    Map<String, Double> expected = Map.of(
        "mse", 4.0,                          // 2 samples × 2 outputs
        "cross_entropy/weighted", 3.0 + 1.0 + 2.0, // labels 2, 0, 1 with weights 1, 2, 3
        "cross_entropy/ignore", 2.0,         // one of 3 labels is -100
        "cross_entropy/all_ignored", 0.0,
        "focal/alpha", 3.0,                  // samples, whatever alpha
        "binary_cross_entropy", 4.0,
        "multibox_loc", 3.0,                 // 1 positive anchor in image 0, 2 in image 1
        "multibox_conf/no_positives", 0.0);
    expected.forEach((title, count) -> {
      ReferenceCases.Case rc = ReferenceCases.get(title);
      Tensor prediction = rc.outputs().get(rc.spec().output());
      ResolvedComponent c = ResolvedLoss.resolve(new LossSpec(List.of(rc.spec())), probe(rc.spec().output(), prediction))
          .components().get(0);
      assertThat(c.count(rc.batch())).as(title).isCloseTo(count, within(0.0));
    });
    ReferenceCases.Case sum = ReferenceCases.get("mse/sum");
    ResolvedComponent s = ResolvedLoss.resolve(new LossSpec(List.of(sum.spec())),
        probe("out", sum.outputs().get("out"))).components().get(0);
    assertThat(s.count(sum.batch())).isEqualTo(2.0); // sum: the number of samples
  }

  @Test
  void checksTargetsNamingTheComponent() {
    ResolvedComponent ce = one("cross_entropy", "species", Map.of());
    Batch bad = new Batch(List.of("a", "b"), Map.of(Batch.INPUT, Tensor.zeros(io.holdout.api.tensor.DType.FLOAT32, 2, 4),
        "y", Tensor.ofLongs(new long[] {2}, 1, 3)));
    assertThatThrownBy(() -> ce.check(bad)).isInstanceOf(HoldoutException.class)
        .hasMessage("loss 'part' (cross_entropy): label 3 of sample 1 is outside [0, 3)");
  }
}
