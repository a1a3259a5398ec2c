package io.holdout.spark;

import com.google.inject.Guice;
import com.google.inject.Stage;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Backends;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossMeter;
import io.holdout.api.model.Weights;
import io.holdout.api.parallel.SessionRecipe;
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
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel training on Spark by parameter averaging. Each round the driver broadcasts the weights
 * and the optimizer state and sends shard {@code i} of each of the round's global batches to partition
 * {@code i} (every batch cut into {@code shards} contiguous parts whose sizes differ by at most one).
 * Every partition loads the state into its session (opened once per partition from the {@link
 * SessionRecipe} and kept in the executor JVM), takes one step per batch on its shard and returns its
 * weights, optimizer state and losses; the driver averages every floating-point tensor element-wise
 * with {@code treeAggregate}, each shard weighted by the samples it trained on in the round. Integer
 * tensors (step counts) are taken as their largest value.
 *
 * <p>With one step per round and SGD (with or without momentum, L2 weight decay included) this equals
 * single-process training on the global batch when the loss is a mean over samples: the update and the
 * momentum buffer are linear in the gradient, and the sample-weighted mean of the shards' mean
 * gradients is the global batch's mean gradient. Adam's update is not linear in the gradient, a loss
 * normalised by something other than samples (positive anchors) weighs shards differently, and
 * batch-norm statistics are per shard: there averaging approximates single-process training.
 *
 * <p>Engine-neutral: the recipe opens the session on the executor, on whatever backend it names.
 */
public final class DataParallel implements AutoCloseable {
  /** Builds the session spec on an executor (its initial weights are replaced by the broadcast ones). */
  @FunctionalInterface
  public interface SpecSource extends Serializable {
    SessionSpec spec();
  }

  /** A recipe that opens {@code spec} on the backend registered as {@code backend} (no plugins). */
  public static SessionRecipe recipe(String backend, SpecSource spec) {
    return initial -> {
      SessionSpec s = spec.spec();
      return backend(backend).open(new SessionSpec(s.model(), initial, s.loss(), s.optimizer(), s.device(), s.seed(),
          s.intraOpThreads(), s.interOpThreads(), s.precision()));
    };
  }

  /** One round as the driver saw it. */
  public record Round(int index, int steps, double meanLoss, double seconds, double slowestShardSeconds) {
    /** Seconds of the round not spent in the slowest shard's steps: broadcast, scheduling, averaging. */
    public double overheadSeconds() {
      return seconds - slowestShardSeconds;
    }
  }

  /**
   * What one round gives: the averaged weights and training state, and per step the loss over the
   * whole global batch (the shards' numerators and counts added, each at its shard's weights).
   */
  public record RoundResult(Weights weights, Map<String, Tensor> trainingState, List<LossBreakdown> losses,
      Round round) {}

  /** The averaged weights and training state after the last round, and every round. */
  public record Result(Weights weights, Map<String, Tensor> trainingState, List<Round> rounds) {}

  /** Called on the driver after each round with the averaged weights (validation, checkpoints). */
  @FunctionalInterface
  public interface RoundListener {
    void afterRound(Round round, Weights weights);
  }

  private final JavaSparkContext sc;
  private final SessionRecipe recipe;
  private final int shards;
  private final String run = UUID.randomUUID().toString();
  private int rounds;

  /** @param shards partitions, one per shard of every global batch */
  public DataParallel(JavaSparkContext sc, SessionRecipe recipe, int shards) {
    if (shards < 1) {
      throw new HoldoutException("data-parallel shards must be >= 1, got " + shards);
    }
    this.sc = sc;
    this.recipe = recipe;
    this.shards = shards;
  }

  /** Rounds of {@code k} local steps ({@code k = 1}: averaging after every step) over {@code globalBatches}. */
  public Result train(Weights initial, List<Batch> globalBatches, double lr, int k) {
    return train(initial, globalBatches, lr, k, (r, w) -> { });
  }

  public Result train(Weights initial, List<Batch> globalBatches, double lr, int k, RoundListener listener) {
    if (k < 1) {
      throw new HoldoutException("data-parallel k (local steps per round) must be >= 1, got " + k);
    }
    if (globalBatches.isEmpty()) {
      throw new HoldoutException("data-parallel training got no batches");
    }
    Weights w = initial;
    Map<String, Tensor> state = null;
    List<Round> done = new ArrayList<>();
    try {
      for (int from = 0; from < globalBatches.size(); from += k) {
        List<Batch> part = globalBatches.subList(from, Math.min(globalBatches.size(), from + k));
        double[] lrs = new double[part.size()];
        java.util.Arrays.fill(lrs, lr);
        RoundResult r = round(w, state, part, lrs);
        w = r.weights();
        state = r.trainingState();
        done.add(r.round());
        listener.afterRound(r.round(), w);
      }
    } finally {
      close();
    }
    return new Result(w, state, List.copyOf(done));
  }

  /**
   * One round: every shard loads {@code weights} and {@code state} ({@code null}: fresh sessions, zero
   * optimizer state) and takes one step per batch at its learning rate; the driver averages.
   */
  public RoundResult round(Weights weights, Map<String, Tensor> state, List<Batch> batches, double[] lrs) {
    if (batches.isEmpty() || batches.size() != lrs.length) {
      throw new HoldoutException("data-parallel round needs batches with one learning rate each, got "
          + batches.size() + " batches and " + lrs.length + " rates");
    }
    long t0 = System.nanoTime();
    List<ArrayList<PackedBatch>> perShard = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      perShard.add(new ArrayList<>());
    }
    for (Batch b : batches) {
      PackedBatch p = PackedBatch.of(b);
      for (int s = 0; s < shards; s++) {
        perShard.get(s).add(p.shard(s, shards));
      }
    }
    Broadcast<State> b = sc.broadcast(new State(PackedTensor.pack(weights.tensors()),
        state == null ? null : PackedTensor.pack(state), lrs.clone()));
    String key = run;
    SessionRecipe r = recipe;
    Sum sum;
    try {
      // one element per partition: partition i gets shard i of every batch of the round
      sum = sc.parallelize(perShard, shards)
          .mapPartitionsWithIndex((idx, it) -> Collections.singletonList(step(key, idx, r, b.value(), it.next()))
              .iterator(), true)
          .treeAggregate(new Sum(batches.size()), Sum::add, Sum::merge, 2);
    } catch (HoldoutException e) {
      throw e;
    } catch (Exception e) { // SparkException is checked in Java's eyes but thrown unchecked
      throw new HoldoutException("data-parallel round " + rounds + " failed: " + Sparks.reason(e));
    } finally {
      b.destroy();
    }
    if (sum.count != shards) {
      throw new HoldoutException("data-parallel round " + rounds + ": " + sum.count + " of " + shards
          + " shards answered");
    }
    State mean = sum.mean();
    List<LossBreakdown> losses = new ArrayList<>();
    double total = 0;
    for (LossMeter m : sum.losses()) {
      LossBreakdown l = m.mean();
      losses.add(l);
      total += l.total();
    }
    Round round = new Round(rounds++, batches.size(), total / batches.size(), (System.nanoTime() - t0) / 1e9,
        sum.slowest);
    return new RoundResult(new Weights(PackedTensor.unpack(mean.weights)), PackedTensor.unpack(mean.training),
        List.copyOf(losses), round);
  }

  /** Closes the sessions of this run on every executor it can reach (best effort); the next round opens new ones. */
  @Override
  public void close() {
    String key = run;
    sc.parallelize(IntStream.range(0, shards).boxed().toList(), shards).foreach(i -> closeSessions(key));
  }

  // ---- executor side ----------------------------------------------------------------------------

  private static final Map<String, TrainingSession> SESSIONS = new ConcurrentHashMap<>();
  private static final Map<String, Backend> BACKENDS = new ConcurrentHashMap<>();

  private static Backend backend(String name) {
    return BACKENDS.computeIfAbsent(name,
        n -> Guice.createInjector(Stage.PRODUCTION, Backends.find(n).module()).getInstance(Backend.class));
  }

  private static Shard step(String run, int idx, SessionRecipe recipe, State state, List<PackedBatch> mine) {
    String key = run + "/" + idx;
    Weights weights = new Weights(PackedTensor.unpack(state.weights));
    if (state.training == null) {
      // fresh optimizer state: a new session (a retried task must not reuse one its failed attempt stepped)
      TrainingSession stale = SESSIONS.remove(key);
      if (stale != null) {
        stale.close();
      }
    }
    TrainingSession s = SESSIONS.computeIfAbsent(key, x -> recipe.open(weights));
    synchronized (s) {
      long t0 = System.nanoTime();
      s.loadWeights(weights);
      if (state.training != null) {
        s.loadTrainingState(PackedTensor.unpack(state.training));
      }
      List<PackedLoss> losses = new ArrayList<>();
      long samples = 0;
      for (int i = 0; i < mine.size(); i++) {
        PackedBatch p = mine.get(i);
        if (p.ids().isEmpty()) {
          losses.add(null); // a batch smaller than the shard count: this shard sits the step out
          continue;
        }
        if (s.learningRate() != state.lrs[i]) {
          s.setLearningRate(state.lrs[i]);
        }
        losses.add(PackedLoss.of(s.trainStep(p.batch())));
        samples += p.ids().size();
      }
      return new Shard(idx, PackedTensor.pack(s.weights().tensors()), PackedTensor.pack(s.trainingState()),
          losses, samples, (System.nanoTime() - t0) / 1e9);
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

  /** Weights, training state (null: fresh sessions) and each step's learning rate. */
  record State(LinkedHashMap<String, PackedTensor> weights, LinkedHashMap<String, PackedTensor> training,
      double[] lrs) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  record Shard(int index, LinkedHashMap<String, PackedTensor> weights, LinkedHashMap<String, PackedTensor> training,
      List<PackedLoss> losses, long samples, double seconds) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A {@link LossBreakdown} Spark can serialize. */
  record PackedLoss(String[] names, double[] raw, double[] weights, double[] numerators, double[] counts,
      long samples) implements Serializable {
    private static final long serialVersionUID = 1L;

    static PackedLoss of(LossBreakdown b) {
      String[] names = b.raw().keySet().toArray(String[]::new);
      double[][] v = new double[4][names.length];
      for (int i = 0; i < names.length; i++) {
        v[0][i] = b.raw(names[i]);
        v[1][i] = b.weights().get(names[i]);
        v[2][i] = b.numerator(names[i]);
        v[3][i] = b.count(names[i]);
      }
      return new PackedLoss(names, v[0], v[1], v[2], v[3], b.samples());
    }

    LossBreakdown breakdown() {
      Map<String, Double> r = new LinkedHashMap<>();
      Map<String, Double> w = new LinkedHashMap<>();
      Map<String, Double> n = new LinkedHashMap<>();
      Map<String, Double> c = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        r.put(names[i], raw[i]);
        w.put(names[i], weights[i]);
        n.put(names[i], numerators[i]);
        c.put(names[i], counts[i]);
      }
      return new LossBreakdown(r, w, n, c, samples);
    }
  }

  /** Running sample-weighted sums of the shards' tensors, in double precision, and their losses per step. */
  static final class Sum implements Serializable {
    private static final long serialVersionUID = 1L;
    final LinkedHashMap<String, Part> weights = new LinkedHashMap<>();
    final LinkedHashMap<String, Part> training = new LinkedHashMap<>();
    final ArrayList<ArrayList<PackedLoss>> losses = new ArrayList<>();
    int count;
    long samples;
    double slowest;

    Sum(int steps) {
      for (int i = 0; i < steps; i++) {
        losses.add(new ArrayList<>());
      }
    }

    /** One tensor: its weighted sum (floating point) or its largest value (integers). */
    static final class Part implements Serializable {
      private static final long serialVersionUID = 1L;
      long[] shape;
      DType dtype;
      double[] sum;
      long[] max;
    }

    Sum add(Shard s) {
      fold(weights, s.weights(), s.samples());
      fold(training, s.training(), s.samples());
      for (int i = 0; i < s.losses().size(); i++) {
        if (s.losses().get(i) != null) {
          losses.get(i).add(s.losses().get(i));
        }
      }
      count++;
      samples += s.samples();
      slowest = Math.max(slowest, s.seconds());
      return this;
    }

    private static void fold(Map<String, Part> into, Map<String, PackedTensor> tensors, long weight) {
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
            p.sum[i] += (double) weight * v[i];
          }
        } else {
          long[] v = longs(t);
          if (p.max == null) {
            p.max = v;
          } else {
            for (int i = 0; i < v.length; i++) {
              p.max[i] = Math.max(p.max[i], v[i]);
            }
          }
        }
      }
    }

    Sum merge(Sum o) {
      mergeParts(weights, o.weights);
      mergeParts(training, o.training);
      for (int i = 0; i < losses.size(); i++) {
        losses.get(i).addAll(o.losses.get(i));
      }
      count += o.count;
      samples += o.samples;
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
        if (q.max != null) {
          for (int i = 0; i < q.max.length; i++) {
            p.max[i] = Math.max(p.max[i], q.max[i]);
          }
        }
      }
    }

    /** Per step, the shards' breakdowns added up (numerators and counts). */
    List<LossMeter> losses() {
      List<LossMeter> out = new ArrayList<>();
      for (List<PackedLoss> step : losses) {
        LossMeter m = new LossMeter();
        step.forEach(l -> m.add(l.breakdown()));
        out.add(m);
      }
      return out;
    }

    State mean() {
      return new State(mean(weights), mean(training), null);
    }

    private LinkedHashMap<String, PackedTensor> mean(Map<String, Part> parts) {
      LinkedHashMap<String, PackedTensor> out = new LinkedHashMap<>();
      parts.forEach((name, p) -> {
        ByteBuffer b;
        if (p.sum != null) {
          b = ByteBuffer.allocate(p.sum.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          for (double v : p.sum) {
            b.putFloat((float) (v / samples));
          }
        } else {
          b = ByteBuffer.allocate(p.max.length * p.dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
          for (long v : p.max) {
            if (p.dtype == DType.INT32) {
              b.putInt((int) v);
            } else {
              b.putLong(v);
            }
          }
        }
        out.put(name, new PackedTensor(p.dtype, p.shape, b.array()));
      });
      return out;
    }

    private static float[] floats(PackedTensor t) {
      float[] v = new float[t.data().length / 4];
      ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      return v;
    }

    private static long[] longs(PackedTensor t) {
      if (t.dtype() == DType.INT32) {
        int[] i = new int[t.data().length / 4];
        ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(i);
        return java.util.Arrays.stream(i).asLongStream().toArray();
      }
      long[] v = new long[t.data().length / 8];
      ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
      return v;
    }
  }
}
