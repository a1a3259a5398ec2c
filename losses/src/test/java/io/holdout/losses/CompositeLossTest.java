package io.holdout.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossMeter;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.ReferenceLosses;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A composite loss: named, weighted components whose total is exactly the weighted sum. */
class CompositeLossTest {
  @Test
  void totalIsTheWeightedSumAndEachComponentIsReportedRawAndWeighted() {
    LossSpec spec = new LossSpec(List.of(
        LossComponentSpec.of("regression", "mse", 0.5, "box", "box"),
        LossComponentSpec.of("classification", "cross_entropy", 2, "cls", "cls")));
    Map<String, Tensor> outputs = Map.of(
        "box", Tensor.ofFloats(new long[] {2, 1}, 1, 3),
        "cls", Tensor.ofFloats(new long[] {2, 2}, 0, 0, 0, 0));
    Batch batch = new Batch(List.of("a", "b"), Map.of(
        "box", Tensor.ofFloats(new long[] {2, 1}, 0, 1),
        "cls", Tensor.ofLongs(new long[] {2}, 0, 1)));
    LossBreakdown b = ReferenceLosses.breakdown(spec, outputs, batch);
    // mse (1 + 4) / 2 = 2.5; cross-entropy of equal logits ln 2
    assertThat(b.raw("regression")).isCloseTo(2.5, within(1e-9));
    assertThat(b.raw("classification")).isCloseTo(Math.log(2), within(1e-9));
    assertThat(b.weighted("regression")).isCloseTo(1.25, within(1e-9));
    assertThat(b.weighted("classification")).isCloseTo(2 * Math.log(2), within(1e-9));
    assertThat(b.total()).isEqualTo(0.5 * b.raw("regression") + 2 * b.raw("classification"));
    assertThat(b.samples()).isEqualTo(2);
    assertThat(b.describe()).isEqualTo("2.6363 (regression 0.5×2.5000 + classification 2×0.6931)");
  }

  @Test
  void epochMeansAreSampleWeighted() {
    LossSpec spec = new LossSpec(List.of(LossComponentSpec.of("regression", "mse", 1, "out", "y")));
    LossMeter meter = new LossMeter();
    meter.add(LossBreakdown.of(spec, new double[] {1.0}, 4));
    meter.add(LossBreakdown.of(spec, new double[] {4.0}, 2)); // a short last batch
    // (4·1 + 2·4) / 6 = 2, not the batch mean (1 + 4) / 2 = 2.5
    assertThat(meter.mean().raw("regression")).isCloseTo(2.0, within(1e-12));
    assertThat(meter.mean().samples()).isEqualTo(6);
  }
}
