package io.holdout.spark;

import com.google.inject.Guice;
import com.google.inject.Stage;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Backends;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Data-parallel training on Spark by parameter averaging. The training batches are sharded over
 * {@code shards} partitions (each global batch cut into {@code shards} equal, contiguous parts; shard
 * {@code i} of every batch lives in partition {@code i}, cached). Each round the driver broadcasts the
 * weights and the optimizer state; every partition loads them into its session (opened once per
 * partition and kept in the executor JVM), runs {@code k} steps on its shards of the next {@code k}
 * global batches and returns its weights and optimizer state; the driver averages every floating-point
 * tensor element-wise with {@code treeAggregate}. Integer tensors (step counts) are equal on every
 * partition and are taken from the lowest partition.
 *
 * <p>With {@code k = 1} and SGD (with or without momentum, no weight-decay subtleties: L2 decay is
 * linear too) this equals single-process training on the global batch when the loss is a mean over the
 * shard and the shards are equal: the update and the momentum buffer are linear in the gradient, and
 * the mean of the shards' mean gradients is the global batch's mean gradient. Adam's update is not
 * linear in the gradient, and batch-norm statistics are per shard, so there averaging only
 * approximates single-process training.
 *
 * <p>Engine-neutral: the backend is found by name through {@link Backends} on each executor, and the
 * session recipe is a serializable {@link SpecSource} that builds the {@link SessionSpec} there.
 */
public final class DataParallel {
  /** Builds the session spec on an executor (its initial weights are replaced by the broadcast ones). */
  @FunctionalInterface
  public interface SpecSource extends Serializable {
    SessionSpec spec();
  }

  /** One round as the driver saw it. */
  public record Round(int index, int steps, double meanLoss, double seconds, double slowestShardSeconds) {
    /** Seconds of the round not spent in the slowest shard's steps: broadcast, scheduling, averaging. */
    public double overheadSeconds() {
      return seconds - slowestShardSeconds;
    }
  }

  /** The averaged weights and training state after the last round, and every round. */
  public record Result(Weights weights, Map<String, Tensor> trainingState, List<Round> rounds) {}

  /** Called on the driver after each round with the averaged weights (validation, checkpoints). */
  @FunctionalInterface
  public interface RoundListener {
    void afterRound(Round round, Weights weights);
  }

  private final JavaSparkContext sc;
  private final String backend;
  private final SpecSource recipe;
  private final int shards;
  private final int k;

  /**
   * @param backend backend name, e.g. {@code pytorch}; must be on every executor's class path
   * @param shards partitions, one per shard: every global batch must split into this many equal parts
   * @param k local steps per round (1 = gradient averaging every step)
   */
  public DataParallel(JavaSparkContext sc, String backend, SpecSource recipe, int shards, int k) {
    if (shards < 1) {
      throw new HoldoutException("data-parallel shards must be >= 1, got " + shards);
    }
    if (k < 1) {
      throw new HoldoutException("data-parallel k (local steps per round) must be >= 1, got " + k);
    }
    this.sc = sc;
    this.backend = backend;
    this.recipe = recipe;
    this.shards = shards;
    this.k = k;
  }

  /** Trains from {@code initial} on {@code globalBatches} in order: one round per {@code k} batches. */
  public Result train(Weights initial, List<Batch> globalBatches) {
    return train(initial, globalBatches, (r, w) -> { });
  }

  public Result train(Weights initial, List<Batch> globalBatches, RoundListener listener) {
    if (globalBatches.isEmpty()) {
      throw new HoldoutException("data-parallel training got no batches");
    }
    List<ArrayList<PackedBatch>> perShard = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      perShard.add(new ArrayList<>());
    }
    for (Batch b : globalBatches) {
      PackedBatch p = PackedBatch.of(b);
      for (int s = 0; s < shards; s++) {
        perShard.get(s).add(p.shard(s, shards));
      }
    }
    // one element per partition: partition i holds shard i of every global batch
    JavaRDD<ArrayList<PackedBatch>> data = sc.parallelize(perShard, shards).persist(StorageLevel.MEMORY_ONLY());
    String run = UUID.randomUUID().toString();
    State state = new State(PackedTensor.pack(initial.tensors()), null);
    List<Round> rounds = new ArrayList<>();
    try {
      int n = globalBatches.size();
      for (int from = 0, r = 0; from < n; from += k, r++) {
        int to = Math.min(n, from + k);
        long t0 = System.nanoTime();
        Broadcast<State> b = sc.broadcast(state);
        String name = backend;
        SpecSource spec = recipe;
        int lo = from;
        Sum sum = data.mapPartitionsWithIndex(
                (idx, it) -> Collections.singletonList(step(run, idx, name, spec, b.value(), it.next(), lo, to))
                    .iterator(), true)
            .treeAggregate(new Sum(), Sum::add, Sum::merge, 2);
        b.destroy();
        if (sum.count != shards) {
          throw new HoldoutException("data-parallel round " + r + ": " + sum.count + " of " + shards + " shards answered");
        }
        state = sum.mean();
        Round round = new Round(r, to - from, sum.loss / sum.count, (System.nanoTime() - t0) / 1e9, sum.slowest);
        rounds.add(round);
        listener.afterRound(round, new Weights(PackedTensor.unpack(state.weights)));
      }
    } finally {
      // best effort: each partition closes the sessions of this run in the JVM it lands on
      sc.parallelize(java.util.stream.IntStream.range(0, shards).boxed().toList(), shards)
          .foreach(i -> closeSessions(run));
      data.unpersist(false);
    }
    return new Result(new Weights(PackedTensor.unpack(state.weights)), PackedTensor.unpack(state.training),
        List.copyOf(rounds));
  }

  // ---- executor side ----------------------------------------------------------------------------

  private static final Map<String, TrainingSession> SESSIONS = new ConcurrentHashMap<>();
  private static final Map<String, Backend> BACKENDS = new ConcurrentHashMap<>();

  private static Backend backend(String name) {
    return BACKENDS.computeIfAbsent(name,
        n -> Guice.createInjector(Stage.PRODUCTION, Backends.find(n).module()).getInstance(Backend.class));
  }

  private static Shard step(String run, int idx, String backend, SpecSource recipe, State state,
      List<PackedBatch> mine, int from, int to) {
    String key = run + "/" + idx;
    if (state.training == null) {
      // first round: a fresh session (optimizer state zero); a retried first-round task must not reuse the
      // session its failed attempt already stepped
      TrainingSession stale = SESSIONS.remove(key);
      if (stale != null) {
        stale.close();
      }
    }
    TrainingSession s = SESSIONS.computeIfAbsent(key, x -> backend(backend).open(recipe.spec()));
    synchronized (s) {
      long t0 = System.nanoTime();
      s.loadWeights(new Weights(PackedTensor.unpack(state.weights)));
      if (state.training != null) {
        s.loadTrainingState(PackedTensor.unpack(state.training));
      }
      double loss = 0;
      for (int i = from; i < to; i++) {
        loss += s.trainStep(mine.get(i).batch()).total();
      }
      LinkedHashMap<String, PackedTensor> w = PackedTensor.pack(s.weights().tensors());
      LinkedHashMap<String, PackedTensor> t = PackedTensor.pack(s.trainingState());
      return new Shard(idx, w, t, loss / (to - from), (System.nanoTime() - t0) / 1e9);
    }
  }

  private static void closeSessions(String run) {
    for (String key : List.copyOf(SESSIONS.keySet())) {
      if (key.startsWith(run + "/")) {
        TrainingSession s = SESSIONS.remove(key);
        if (s != null) {
          s.close();
        }
      }
    }
  }

  /** Number of sessions this JVM holds open for data-parallel runs (for tests). */
  static int openSessions() {
    return SESSIONS.size();
  }

  // ---- what travels -------------------------------------------------------------------------------

  /** Weights and training state (null before the first round: fresh sessions start from zero state). */
  record State(LinkedHashMap<String, PackedTensor> weights, LinkedHashMap<String, PackedTensor> training)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  record Shard(int index, LinkedHashMap<String, PackedTensor> weights, LinkedHashMap<String, PackedTensor> training,
      double loss, double seconds) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Running element-wise sums of the shards' tensors, in double precision. */
  static final class Sum implements Serializable {
    private static final long serialVersionUID = 1L;
    final LinkedHashMap<String, Part> weights = new LinkedHashMap<>();
    final LinkedHashMap<String, Part> training = new LinkedHashMap<>();
    int count;
    double loss;
    double slowest;

    /** One tensor: its sum (floating point) or its value from the lowest partition (integers). */
    static final class Part implements Serializable {
      private static final long serialVersionUID = 1L;
      long[] shape;
      DType dtype;
      double[] sum;
      PackedTensor first;
      int firstIndex = Integer.MAX_VALUE;
    }

    Sum add(Shard s) {
      fold(weights, s.weights(), s.index());
      fold(training, s.training(), s.index());
      count++;
      loss += s.loss();
      slowest = Math.max(slowest, s.seconds());
      return this;
    }

    private static void fold(Map<String, Part> into, Map<String, PackedTensor> tensors, int index) {
      for (Map.Entry<String, PackedTensor> e : tensors.entrySet()) {
        PackedTensor t = e.getValue();
        Part p = into.computeIfAbsent(e.getKey(), x -> new Part());
        if (p.dtype == null) {
          p.dtype = t.dtype();
          p.shape = t.shape();
        }
        if (t.dtype() == DType.FLOAT32) {
          float[] v = floats(t);
          if (p.sum == null) {
            p.sum = new double[v.length];
          }
          for (int i = 0; i < v.length; i++) {
            p.sum[i] += v[i];
          }
        } else if (index < p.firstIndex) {
          p.first = t;
          p.firstIndex = index;
        }
      }
    }

    Sum merge(Sum o) {
      mergeParts(weights, o.weights);
      mergeParts(training, o.training);
      count += o.count;
      loss += o.loss;
      slowest = Math.max(slowest, o.slowest);
      return this;
    }

    private static void mergeParts(Map<String, Part> into, Map<String, Part> from) {
      for (Map.Entry<String, Part> e : from.entrySet()) {
        Part q = e.getValue();
        Part p = into.get(e.getKey());
        if (p == null) {
          into.put(e.getKey(), q);
          continue;
        }
        if (q.sum != null) {
          for (int i = 0; i < q.sum.length; i++) {
            p.sum[i] += q.sum[i];
          }
        }
        if (q.firstIndex < p.firstIndex) {
          p.first = q.first;
          p.firstIndex = q.firstIndex;
        }
      }
    }

    State mean() {
      return new State(mean(weights), mean(training));
    }

    private LinkedHashMap<String, PackedTensor> mean(Map<String, Part> parts) {
      LinkedHashMap<String, PackedTensor> out = new LinkedHashMap<>();
      parts.forEach((name, p) -> {
        if (p.sum == null) {
          out.put(name, p.first);
        } else {
          ByteBuffer b = ByteBuffer.allocate(p.sum.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          for (double v : p.sum) {
            b.putFloat((float) (v / count));
          }
          out.put(name, new PackedTensor(DType.FLOAT32, p.shape, b.array()));
        }
      });
      return out;
    }

    private static float[] floats(PackedTensor t) {
      float[] v = new float[t.data().length / 4];
      ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      return v;
    }
  }
}
