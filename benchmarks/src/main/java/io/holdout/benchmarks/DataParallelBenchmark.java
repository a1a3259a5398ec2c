package io.holdout.benchmarks;

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
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.spark.DataParallel;
import io.holdout.spark.Sparks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark overhead of one data-parallel round ({@link DataParallel}): per round, the driver's wall
 * time (broadcast of weights and optimizer state, scheduling the shards' tasks, their steps, {@code
 * treeAggregate} of weights and state, unpacking the mean) minus the slowest shard's time inside its
 * task (loading weights and state into its session, its {@code k} steps, copying weights and state
 * out). Also the single-process time of one step on the global batch, for scale.
 *
 * <p>Model: MLP 64 inputs, dense 256, ReLU, dense 256, ReLU, classification head 10 (85,002
 * parameters); SGD momentum 0.9; global batch 64 of synthetic Gaussian inputs and uniform labels; PyTorch
 * on CPU, one intra-op thread per session. The first 3 rounds (sessions opening, JIT) are not counted;
 * medians of the rest.
 *
 * <p>Run (Spark 4 on Java 17 needs the add-opens flags of the root pom's {@code spark.jvm.opens}):
 * <pre>
 * mvn -o -q -pl benchmarks -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java $OPENS -cp "benchmarks/target/classes:$(cat benchmarks/target/cp.txt)" \
 *     io.holdout.benchmarks.DataParallelBenchmark [master=local[2]] [shards=2] [rounds=40]
 * </pre>
 */
public final class DataParallelBenchmark {
  private static final int IN = 64;
  private static final int BATCH = 64;
  private static final int WARMUP = 3;

  private DataParallelBenchmark() {}

  static ModelSpec model() {
    return new ModelSpec(new long[] {IN},
        List.of(new LayerSpec.Dense(256), new LayerSpec.Relu(), new LayerSpec.Dense(256), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("label", HeadKind.CLASSIFICATION, 10)));
  }

  static SessionSpec spec() {
    ModelSpec m = model();
    return new SessionSpec(m, Weights.initialize(m, 1),
        new LossSpec(List.of(LossComponentSpec.of("label", "cross_entropy", 1, "label", "label"))),
        new OptimizerSpec("sgd", 0.01, 0.9, false, 0, 0.9, 0.999, 1e-8, 0), Device.CPU, 1, 1, 1);
  }

  static List<Batch> batches(int count) {
    SplittableRandom r = new SplittableRandom(3);
    List<Batch> out = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      float[] x = new float[BATCH * IN];
      long[] y = new long[BATCH];
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        y[i] = r.nextInt(10);
        ids.add(b + "/" + i);
      }
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put(Batch.INPUT, Tensor.ofFloats(new long[] {BATCH, IN}, x));
      t.put("label", Tensor.ofLongs(new long[] {BATCH}, y));
      out.add(new Batch(ids, t));
    }
    return out;
  }

  public static void main(String[] args) {
    Map<String, String> a = new LinkedHashMap<>(Map.of("master", "local[2]", "shards", "2", "rounds", "40"));
    for (String s : args) {
      String[] kv = s.split("=", 2);
      a.put(kv[0], kv[1]);
    }
    int shards = Integer.parseInt(a.get("shards"));
    int rounds = Integer.parseInt(a.get("rounds"));
    Weights initial = Weights.initialize(model(), 1);
    long params = initial.tensors().values().stream().mapToLong(Tensor::elementCount).sum();

    List<Batch> single = batches(rounds);
    double[] stepSeconds = new double[rounds];
    try (TrainingSession s = new PyTorchBackend().open(spec())) {
      for (int i = 0; i < rounds; i++) {
        long t0 = System.nanoTime();
        s.trainStep(single.get(i));
        stepSeconds[i] = (System.nanoTime() - t0) / 1e9;
      }
    }
    System.out.printf(Locale.ROOT, "model %,d parameters, global batch %d, %s, %d shards, %d cores%n", params, BATCH,
        a.get("master"), shards, Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "single process: %.2f ms per step on the global batch (median)%n",
        1e3 * median(stepSeconds, WARMUP));
    try (JavaSparkContext sc = Sparks.start(a.get("master"), "holdout-data-parallel-benchmark")) {
      for (int k : new int[] {1, 4}) {
        DataParallel.Result r = new DataParallel(sc, DataParallel.recipe("pytorch", DataParallelBenchmark::spec), shards)
            .train(initial, batches(rounds * k), 0.01, k);
        List<DataParallel.Round> rs = r.rounds();
        double[] round = rs.stream().mapToDouble(DataParallel.Round::seconds).toArray();
        double[] shard = rs.stream().mapToDouble(DataParallel.Round::slowestShardSeconds).toArray();
        double[] over = rs.stream().mapToDouble(DataParallel.Round::overheadSeconds).toArray();
        System.out.printf(Locale.ROOT,
            "k=%d: %d rounds; per round (median of the last %d): %.2f ms, slowest shard %.2f ms, spark overhead %.2f ms "
                + "(%.2f ms per step)%n", k, rs.size(), rs.size() - WARMUP, 1e3 * median(round, WARMUP),
            1e3 * median(shard, WARMUP), 1e3 * median(over, WARMUP), 1e3 * median(over, WARMUP) / k);
      }
    }
  }

  private static double median(double[] v, int skip) {
    double[] s = Arrays.copyOfRange(v, skip, v.length);
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
