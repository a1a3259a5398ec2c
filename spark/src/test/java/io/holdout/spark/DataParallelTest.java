package io.holdout.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.parallel.SessionRecipe;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.onnx.OnnxBackend;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.engine.tensorflow.TensorFlowBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data-parallel training on embedded {@code local[2]} (two shards, each a Spark task) against one
 * PyTorch session on the whole global batch: an iris-like MLP (no dropout, no batch norm), SGD with
 * momentum 0.9, mean cross-entropy.
 */
class DataParallelTest {
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = Sparks.start("local[2]", "holdout-data-parallel-test");
  }

  @AfterAll
  static void stop() {
    sc.close();
  }

  static ModelSpec model() {
    return new ModelSpec(new long[] {4},
        List.of(new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.Dense(16), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3)));
  }

  /** Built on each executor: the recipe travels, not the engine objects. */
  static SessionSpec spec() {
    ModelSpec m = model();
    return new SessionSpec(m, Weights.initialize(m, 7),
        new LossSpec(List.of(LossComponentSpec.of("species", "cross_entropy", 1, "species", "species"))),
        new OptimizerSpec("sgd", 0.05, 0.9, false, 0, 0.9, 0.999, 1e-8, 0), Device.CPU, 42, 1, 1);
  }

  /** Three seeded Gaussian clusters in 4-d, like iris: learnable, so the loss falls. */
  static List<Batch> batches(int count, int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Batch> out = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      float[] x = new float[size * 4];
      long[] y = new long[size];
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        y[i] = r.nextInt(3);
        for (int j = 0; j < 4; j++) {
          x[i * 4 + j] = (float) ((j % 3 == y[i] ? 1.5 : -0.5) + 0.6 * r.nextGaussian());
        }
        ids.add("b" + b + "s" + i);
      }
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put(Batch.INPUT, Tensor.ofFloats(new long[] {size, 4}, x));
      t.put("species", Tensor.ofLongs(new long[] {size}, y));
      out.add(new Batch(ids, t));
    }
    return out;
  }

  /** The reference single-process backend, constructed directly; data-parallel finds it by name. */
  private static Backend reference(String name) {
    return switch (name) {
      case "pytorch" -> new PyTorchBackend();
      case "tensorflow" -> new TensorFlowBackend();
      case "onnx" -> new OnnxBackend();
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"pytorch", "tensorflow", "onnx"})
  void kOneOnTwoShardsEqualsSingleProcessTrainingOnTheGlobalBatch(String backend) {
    sameAsSingleProcess(backend, 2, batches(10, 16, 1));
  }

  /** 16 samples on 3 shards (5, 5, 6) and a last batch of 4: the sample-weighted average is still exact. */
  @Test
  void unequalShardsAreWeightedBySamples() {
    List<Batch> data = new ArrayList<>(batches(9, 16, 5));
    data.addAll(batches(1, 4, 6));
    sameAsSingleProcess("pytorch", 3, data);
  }

  private static void sameAsSingleProcess(String backend, int shards, List<Batch> data) {
    Weights initial = Weights.initialize(model(), 7);

    Weights single;
    Map<String, Tensor> singleState;
    try (TrainingSession s = reference(backend).open(spec())) {
      s.loadWeights(initial);
      for (Batch b : data) {
        s.trainStep(b);
      }
      single = s.weights();
      singleState = s.trainingState();
    }

    DataParallel.Result dp = new DataParallel(sc, DataParallel.recipe(backend, DataParallelTest::spec), shards)
        .train(initial, data, 0.05, 1);

    assertThat(dp.rounds()).hasSize(data.size());
    assertThat(dp.weights().tensors().keySet()).isEqualTo(single.tensors().keySet());
    // training moved the weights well beyond the tolerance, so the comparison means something
    assertThat(single.maxAbsDiff(initial)).isGreaterThan(1e-2);
    double diff = dp.weights().maxAbsDiff(single);
    System.out.printf("%s k=1, %d shards, %d steps: max |w_dp - w_single| = %.3g%n", backend, shards, data.size(),
        diff);
    assertThat(diff).isLessThanOrEqualTo(1e-5);
    // the momentum buffers agree too, and the step counts are the single run's
    for (Map.Entry<String, Tensor> e : singleState.entrySet()) {
      Tensor mine = dp.trainingState().get(e.getKey());
      assertThat(mine).as(e.getKey()).isNotNull();
      if (e.getValue().dtype() == io.holdout.api.tensor.DType.FLOAT32) {
        float[] a = e.getValue().toFloatArray();
        float[] b = mine.toFloatArray();
        for (int i = 0; i < a.length; i++) {
          assertThat((double) Math.abs(a[i] - b[i])).as(e.getKey()).isLessThanOrEqualTo(1e-5);
        }
      } else {
        assertThat(mine.toLongArray()).as(e.getKey()).isEqualTo(e.getValue().toLongArray());
      }
    }
    assertThat(DataParallel.openSessions()).as("sessions closed after the run").isZero();
  }

  @Test
  void kTwoTrainsAndIsDeterministic() {
    List<Batch> data = batches(40, 16, 2);
    Weights initial = Weights.initialize(model(), 7);
    DataParallel dp = new DataParallel(sc, DataParallel.recipe("pytorch", DataParallelTest::spec), 2);
    DataParallel.Result a = dp.train(initial, data, 0.05, 2);
    DataParallel.Result b = dp.train(initial, data, 0.05, 2);

    assertThat(a.rounds()).hasSize(20).allSatisfy(r -> assertThat(r.steps()).isEqualTo(2));
    double first = a.rounds().get(0).meanLoss();
    double last = (a.rounds().get(18).meanLoss() + a.rounds().get(19).meanLoss()) / 2;
    System.out.printf("k=2, 2 shards, 20 rounds: mean shard loss %.4f -> %.4f%n", first, last);
    assertThat(last).isLessThan(0.5 * first);
    assertThat(a.trainingState().get("steps").toLongArray()).containsExactly(40);
    assertThat(a.weights().maxAbsDiff(b.weights())).as("same run twice").isZero();
  }

  static SessionSpec adamSpec() {
    SessionSpec s = spec();
    return new SessionSpec(s.model(), s.initialWeights(), s.loss(), OptimizerSpec.adam(0.01), s.device(), s.seed(),
        s.intraOpThreads(), s.interOpThreads());
  }

  /** Adam is not linear in the gradient, so no equality: its averaged moments still carry training on. */
  @Test
  void adamWithFourLocalStepsTrainsOnAveragedMoments() {
    List<Batch> data = batches(40, 16, 4);
    DataParallel.Result r = new DataParallel(sc, DataParallel.recipe("pytorch", DataParallelTest::adamSpec), 2)
        .train(Weights.initialize(model(), 7), data, 0.01, 4);
    assertThat(r.rounds()).hasSize(10);
    double first = r.rounds().get(0).meanLoss();
    double last = r.rounds().get(9).meanLoss();
    System.out.printf("adam k=4, 2 shards, 10 rounds: mean shard loss %.4f -> %.4f%n", first, last);
    assertThat(last).isLessThan(0.5 * first);
    assertThat(r.trainingState().get("optimizer_steps").toLongArray()).containsExactly(40);
    // the first and second moments travel and come back averaged (float tensors besides the counts)
    assertThat(r.trainingState().values().stream().filter(t -> t.dtype() == io.holdout.api.tensor.DType.FLOAT32)
        .count()).isGreaterThanOrEqualTo(2L * r.weights().tensors().size());
  }

  @Test
  void badSettingsAreRefused() {
    Weights initial = Weights.initialize(model(), 7);
    SessionRecipe recipe = DataParallel.recipe("pytorch", DataParallelTest::spec);
    assertThatThrownBy(() -> new DataParallel(sc, recipe, 0)).isInstanceOf(HoldoutException.class)
        .hasMessageContaining("shards must be >= 1");
    assertThatThrownBy(() -> new DataParallel(sc, recipe, 2).train(initial, batches(1, 16, 3), 0.05, 0))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("k (local steps per round) must be >= 1");
    assertThatThrownBy(() -> new DataParallel(sc, DataParallel.recipe("nosuch", DataParallelTest::spec), 2)
        .train(initial, batches(1, 16, 3), 0.05, 1)).hasMessageContaining("unknown backend 'nosuch'");
    assertThat(DataParallel.openSessions()).isZero();
  }
}
