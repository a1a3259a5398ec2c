package io.holdout.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.data.BatchSource;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossMeter;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.ReferenceLosses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The val loss of a run does not depend on the batch size, on every engine: the same weights
 * evaluated on the same split in batches of 8, of 32 and in one batch give the same loss to {@value
 * #REL} relative, which equals the pure-Java reference evaluated on the whole split at once (the
 * engine's head outputs of every sample, concatenated into one batch: {@code Σ numerators / Σ
 * denominators} in double precision).
 *
 * <p>Each case also measures what the old sample-weighted mean of batch losses gives, to show that
 * the case is one where the accounting matters.
 */
class SplitLossTest {
  static final double REL = 1e-6;

  @TempDir Path dir;

  /** What one evaluation pass measured. */
  record Pass(LossBreakdown split, double sampleWeighted, int batches, Map<String, Tensor> outputs, Batch all) {}

  /** Evaluates {@code source} in inference mode, collecting the head outputs and targets of every batch. */
  static Pass evaluate(TrainingSession s, BatchSource source, LossSpec loss) {
    LossMeter meter = new LossMeter();
    Map<String, List<Tensor>> outputs = new LinkedHashMap<>();
    Map<String, List<Tensor>> targets = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    double weightedSum = 0;
    int batches = 0;
    Iterator<Batch> it = source.epoch(0);
    while (it.hasNext()) {
      Batch b = it.next();
      EvalResult r = s.evalStep(b);
      meter.add(r.loss());
      weightedSum += r.loss().total() * b.size();
      batches++;
      r.outputs().forEach((k, v) -> outputs.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      b.tensors().forEach((k, v) -> targets.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      ids.addAll(b.ids());
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    outputs.forEach((k, v) -> out.put(k, SplitTargets.concat(v)));
    Map<String, Tensor> all = new LinkedHashMap<>();
    targets.forEach((k, v) -> all.put(k, SplitTargets.concat(v)));
    LossBreakdown split = meter.mean();
    return new Pass(split, weightedSum / split.samples(), batches, out, new Batch(ids, all));
  }

  /** The val split of {@code config} (with {@code sets}) at three batch sizes, on {@code backend}. */
  private void valLossIndependentOfBatchSize(Path config, String backend, List<String> sets) {
    List<LossBreakdown> splits = new ArrayList<>();
    Pass first = null;
    int valSize = 0;
    for (int batchSize : new int[] {8, 32, 0}) {
      List<String> s = new ArrayList<>(sets);
      s.add("loader.batchSize=" + (batchSize == 0 ? valSize : batchSize));
      try (Experiment.Prepared p = new Experiment.Prepared(ConfigLoader.load(config, s), backend)) {
        valSize = p.data.val().size();
        Weights w = Weights.initialize(p.model, 5);
        try (TrainingSession session = p.backend.open(p.sessionSpec(w, false))) {
          Pass pass = evaluate(session, p.data.val(), p.loss);
          splits.add(pass.split());
          if (first == null) {
            first = pass;
            assertThat(pass.batches()).isEqualTo((valSize + 7) / 8);
          }
          System.out.printf(Locale.ROOT, "%s %s val (%d samples) batch %s: %s; sample-weighted mean of batch losses"
              + " %.7f%n", config.getFileName(), backend, valSize, batchSize == 0 ? "all" : batchSize,
              detail(pass.split()), pass.sampleWeighted());
        }
      }
    }
    LossSpec loss = io.holdout.api.config.Specs.loss(ConfigLoader.load(config, sets).config().loss());
    LossBreakdown reference = ReferenceLosses.breakdown(loss, first.outputs(), first.all());
    System.out.printf(Locale.ROOT, "%s %s reference over the whole split: %s%n", config.getFileName(), backend,
        detail(reference));
    for (LossComponentSpec spec : loss.components()) {
      String c = spec.name();
      double ref = reference.raw(c);
      if ("sum".equals(spec.params().get("reduction"))) {
        // a sum-reduced component's split figure is its summed loss per sample
        ref /= reference.samples();
      }
      for (LossBreakdown b : splits) {
        assertThat(Math.abs(b.raw(c) - ref)).as("%s %s: %s vs reference %s", backend, c, b.raw(c), ref)
            .isLessThanOrEqualTo(REL * Math.abs(ref));
        assertThat(b.count(c)).as("%s count", c).isEqualTo(reference.count(c));
      }
    }
    for (LossBreakdown b : splits) {
      assertThat(Math.abs(b.total() - splits.get(0).total())).isLessThanOrEqualTo(REL * splits.get(0).total());
    }
    // the old accounting would not have been exact here
    assertThat(Math.abs(first.sampleWeighted() - splits.get(0).total())).isGreaterThan(1e-4 * splits.get(0).total());
  }

  private static String detail(LossBreakdown b) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "total %.7f", b.total()));
    b.raw().forEach((k, v) -> sb.append(String.format(Locale.ROOT, ", %s %.7f (%.6g / %.6g)", k, v,
        b.numerator(k), b.count(k))));
    return sb.toString();
  }

  /**
   * The shapes SSD example, 400 images (46 in val): MultiBox normalised by the positive anchors of
   * the batch.
   */
  @ParameterizedTest
  @ValueSource(strings = {"pytorch", "tensorflow", "onnx"})
  void ssdExampleValLossDoesNotDependOnBatchSize(String backend) {
    Path example = Path.of("../examples/shapes-ssd.yaml").toAbsolutePath().normalize();
    valLossIndependentOfBatchSize(example, backend, List.of("data.count=400", "runs=" + dir.resolve("runs")));
  }

  /**
   * Iris with a class-weighted, label-smoothed cross-entropy (normalised by the summed weights of
   * the labels), one that ignores class 2 (normalised by the labels not ignored) and a summed one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"pytorch", "tensorflow", "onnx"})
  void classWeightedAndIgnoringCrossEntropyDoesNotDependOnBatchSize(String backend) throws Exception {
    String yaml = """
        name: split-loss
        seed: 11
        backend: pytorch
        runs: %s
        data:
          path: %s
          features: [sepal_length, sepal_width, petal_length, petal_width]
          targets:
            species: {type: class}
          standardize: true
        split: {type: random, ratios: {train: 0.4, val: 0.3, test: 0.3}}
        loader: {batchSize: 8}
        model:
          layers: [{type: dense, units: 8}, {type: relu}]
          heads:
            species: {type: classification}
        loss:
          - {name: weighted, type: cross_entropy, output: species,
             params: {class_weights: [1.0, 4.0, 0.5], label_smoothing: 0.1}}
          - {name: ignoring, type: cross_entropy, output: species, params: {ignore_index: 2}}
          - {name: summed, type: cross_entropy, output: species, weight: 0.01, params: {reduction: sum}}
        optimizer: {type: adam, lr: 0.01}
        trainer: {epochs: 1}
        """.formatted(dir.resolve("runs"), Path.of("../examples/data/iris.csv").toAbsolutePath().normalize());
    Path config = Files.writeString(dir.resolve("iris-weighted.yaml"), yaml);
    valLossIndependentOfBatchSize(config, backend, List.of());
  }
}
