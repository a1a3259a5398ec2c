package io.holdout.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.ReferenceLosses;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselinesTest {
  private static final double TOL = 1e-6;

  @Test
  void uniformGuessIsLnC() {
    Baseline b = Baselines.uniformGuess(21);
    assertThat(b.value()).isCloseTo(3.0445224, within(TOL)); // ln 21
    assertThat(b.describe()).isEqualTo("uniform guess 3.0445 for 21 classes");
    assertThat(Baselines.describe("classification", 3.2755, List.of(b)))
        .isEqualTo("classification 3.2755 (uniform guess 3.0445 for 21 classes)");
    assertThat(Baselines.describe("classification", 3.2755, List.of())).isEqualTo("classification 3.2755");
  }

  @Test
  void priorGuessIsTheEntropyOnTrainAndACrossEntropyElsewhere() {
    long[] train = {0, 0, 1, 2};
    // prior [1/2, 1/4, 1/4]: entropy 0.5 ln2 + 2·0.25 ln4 = 1.5 ln 2
    assertThat(Baselines.priorGuess(train, train, 3).value()).isCloseTo(1.5 * Math.log(2), within(TOL));
    // on a split of only class 2: -ln(1/4)
    assertThat(Baselines.priorGuess(train, new long[] {2, 2}, 3).value()).isCloseTo(Math.log(4), within(TOL));
    // a class the training split lacks: the prior gives it 0, so the guess is infinitely wrong
    Baseline missing = Baselines.priorGuess(train, new long[] {3}, 4);
    assertThat(missing.value()).isInfinite();
    assertThat(missing.describe()).isEqualTo("prior guess ∞ from train class frequencies");
  }

  @Test
  void meanGuessIsTheVarianceOnTrain() {
    float[] train = {1, 2, 3};
    assertThat(Baselines.meanGuess(train, train, 1).value()).isCloseTo(2.0 / 3, within(TOL));
    // another split: (4 - 2)²
    assertThat(Baselines.meanGuess(train, new float[] {4}, 1).value()).isCloseTo(4, within(TOL));
    // two columns, means [2, 10]: ((1-2)² + (0)² + (3-2)² + (8-10)² + (10-10)² + (12-10)²)/6 = 10/6
    float[] two = {1, 8, 2, 10, 3, 12};
    assertThat(Baselines.meanGuess(two, two, 2).value()).isCloseTo(10.0 / 6, within(TOL));
  }

  @Test
  void untrainedDetectorFollowsTheMining() {
    // image 0: 1 positive, 4 negatives → k = 3; image 1: 2 positives, 3 negatives → k = 3 (not 6)
    long[] labels = {1, 0, 0, 0, 0, 2, 2, 0, 0, 0};
    Baseline b = Baselines.untrainedDetector(labels, 2, 5, 3, 3);
    // ln 3 · (1 + 3 + 2 + 3) / 3
    assertThat(b.value()).isCloseTo(Math.log(3) * 9 / 3, within(TOL));
    assertThat(b.describe()).isEqualTo("untrained detector 3.2958 for 2 classes + background, 3:1 mining");
    // with enough negatives: (1 + ratio)·ln K, e.g. VOC: 4·ln 21
    long[] many = new long[100];
    many[0] = 5;
    assertThat(Baselines.untrainedDetector(many, 1, 100, 21, 3).value()).isCloseTo(12.1780898, within(TOL));
    assertThat(Baselines.untrainedDetector(new long[10], 2, 5, 3, 3).value()).isZero();
  }

  @Test
  void untrainedDetectorEqualsTheReferenceOnZeroLogits() {
    long[] labels = {1, 0, 0, 0, 0, 2, 2, 0, 0, 0};
    Tensor y = Tensor.ofLongs(new long[] {2, 5}, labels);
    LossComponentSpec conf = LossComponentSpec.of("conf", "multibox_conf", 1, "conf", "labels");
    double reference = ReferenceLosses.value(conf, Map.of("conf", Tensor.zeros(DType.FLOAT32, 2, 5, 3)),
        new Batch(List.of("a", "b"), Map.of("labels", y)));
    List<Baseline> b = Baselines.forComponent(conf, Map.of("labels", y), Map.of("labels", y), 3);
    assertThat(b).hasSize(1);
    assertThat(b.get(0).value()).isCloseTo(reference, within(TOL));
  }

  @Test
  void componentBaselinesFollowTheLossNormalisation() {
    Tensor train = Tensor.ofLongs(new long[] {4}, 0, 0, 1, 2);
    Tensor split = Tensor.ofLongs(new long[] {3}, 2, 0, 1);
    LossComponentSpec weighted = new LossComponentSpec("classification", "cross_entropy", 1, "cls", "y",
        Map.of("class_weights", List.of(1.0, 2.0, 3.0), "label_smoothing", 0.1));
    List<Baseline> b = Baselines.forComponent(weighted, Map.of("y", train), Map.of("y", split), 3);
    assertThat(b).extracting(Baseline::label).containsExactly("uniform guess", "prior guess");
    // both equal the reference loss of the constant logits on the split
    assertThat(b.get(0).value()).isCloseTo(reference(weighted, new float[] {0, 0, 0}, split), within(TOL));
    float[] logPrior = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.25)};
    assertThat(b.get(1).value()).isCloseTo(reference(weighted, logPrior, split), within(1e-5));
    // unweighted, unsmoothed uniform guess is exactly ln C
    LossComponentSpec plain = LossComponentSpec.of("classification", "cross_entropy", 1, "cls", "y");
    assertThat(Baselines.forComponent(plain, Map.of("y", train), Map.of("y", split), 3).get(0).value())
        .isCloseTo(Math.log(3), within(TOL));
    // sum reduction has no baseline
    LossComponentSpec sum = new LossComponentSpec("c", "cross_entropy", 1, "cls", "y", Map.of("reduction", "sum"));
    assertThat(Baselines.forComponent(sum, Map.of("y", train), Map.of("y", split), 3)).isEmpty();
  }

  @Test
  void regressionBaselines() {
    Tensor train = Tensor.ofFloats(new long[] {4, 1}, 1, 2, 3, 10);
    LossComponentSpec mse = LossComponentSpec.of("regression", "mse", 1, "out", "y");
    // mean 4: variance ((9 + 4 + 1 + 36) / 4)
    assertThat(Baselines.forComponent(mse, Map.of("y", train), Map.of("y", train), 1).get(0).value())
        .isCloseTo(12.5, within(TOL));
    // MAE predicts the median 2.5: (1.5 + 0.5 + 0.5 + 7.5) / 4
    Baseline mae = Baselines.forComponent(LossComponentSpec.of("r", "mae", 1, "out", "y"),
        Map.of("y", train), Map.of("y", train), 1).get(0);
    assertThat(mae.label()).isEqualTo("median guess");
    assertThat(mae.value()).isCloseTo(2.5, within(TOL));
  }

  @Test
  void binaryCrossEntropyBaselines() {
    Tensor train = Tensor.ofFloats(new long[] {4, 1}, 1, 0, 0, 0);
    LossComponentSpec bce = LossComponentSpec.of("b", "binary_cross_entropy", 1, "out", "y");
    List<Baseline> b = Baselines.forComponent(bce, Map.of("y", train), Map.of("y", train), 1);
    assertThat(b.get(0).value()).isCloseTo(Math.log(2), within(TOL));
    // rate 1/4: binary entropy -(0.25 ln 0.25 + 0.75 ln 0.75)
    assertThat(b.get(1).value()).isCloseTo(0.5623351, within(TOL));
  }

  private static double reference(LossComponentSpec c, float[] row, Tensor labels) {
    int n = (int) labels.dim(0);
    float[] logits = new float[n * row.length];
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      System.arraycopy(row, 0, logits, i * row.length, row.length);
      ids.add("s" + i);
    }
    return ReferenceLosses.value(c, Map.of("cls", Tensor.ofFloats(new long[] {n, row.length}, logits)),
        new Batch(ids, Map.of("y", labels)));
  }
}
