package io.holdout.datasets.loader;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.BatchSource;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.internal.Rng;
import io.holdout.datasets.transform.SampleTransform;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a dataset into the mini-batches of each epoch.
 *
 * <ul>
 *   <li><b>Steps</b>: {@code ceil(N / batchSize)} per epoch; with {@code dropLast}, {@code floor(N
 *       / batchSize)} (the last, short batch is left out).
 *   <li><b>Order</b>: in index order, or with {@code shuffle} a permutation derived from {@code
 *       seed} and the epoch number, so every epoch has a new order and a rerun the same ones.
 *   <li><b>Workers</b>: with {@code numWorkers = 0} batches are read on the calling (training)
 *       thread; with more, that many threads read, transform and collate whole batches in parallel,
 *       at most {@code prefetch} batches ahead of the consumer (a bounded queue: memory stays
 *       bounded). Batches come out in the same order and with the same contents whatever {@code
 *       numWorkers} is: the transform's generator is seeded from {@code (seed, epoch, index)}.
 *   <li><b>Errors</b>: a sample that cannot be read or transformed fails the epoch on the consumer
 *       thread with a {@link HoldoutException} naming the sample's index and source; with {@code
 *       skipBadSamples} it is left out of its batch instead, logged and listed in {@link
 *       #skippedSamples()} (nothing is dropped silently).
 *   <li><b>Batch size larger than the dataset</b>: an error with {@code dropLast} (no batch would
 *       come out); otherwise one short batch per epoch and a line in {@link #warnings()} (not
 *       logged: a validation or test set smaller than a batch is normal; the CLI refuses a batch
 *       larger than the training part).
 *   <li><b>An empty dataset</b> (e.g. a val part of ratio 0) gives 0 steps and empty epochs.
 * </ul>
 *
 * <p>Batches are collated by a {@link Collator} into direct buffers; fields of {@code DETECTION}
 * targets, and those named with {@link Builder#optPadded}, are padded to the longest in the batch.
 * {@link #close()} stops the workers.
 */
public final class DataLoader implements BatchSource {
  private static final System.Logger LOG = System.getLogger(DataLoader.class.getName());
  private static final AtomicInteger LOADERS = new AtomicInteger();

  private final Dataset dataset;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean dropLast;
  private final long seed;
  private final int numWorkers;
  private final int prefetch;
  private final SampleTransform transform;
  private final boolean skipBadSamples;
  private final Collator collator;
  private final int steps;
  private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
  private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
  private ExecutorService workers;
  private EpochIterator current;
  private volatile long lastWaitNanos;
  private volatile boolean closed;

  private DataLoader(Builder b) {
    this.dataset = b.dataset;
    this.batchSize = b.batchSize;
    this.shuffle = b.shuffle;
    this.dropLast = b.dropLast;
    this.seed = b.seed;
    this.numWorkers = b.numWorkers;
    this.prefetch = b.prefetch > 0 ? b.prefetch : Math.max(2, 2 * b.numWorkers);
    this.transform = b.transform;
    this.skipBadSamples = b.skipBadSamples;
    Set<String> padded = new LinkedHashSet<>(b.padded);
    for (var e : dataset.schema().targets().entrySet()) {
      TargetInfo t = e.getValue();
      if (t.kind() == TargetKind.DETECTION) {
        padded.add(e.getKey());
      }
    }
    this.collator = new Collator(padded);
    int n = dataset.size();
    if (n > 0 && batchSize > n) {
      if (dropLast) {
        throw new HoldoutException(
            "batch size "
                + batchSize
                + " is larger than the "
                + n
                + " samples, and with drop-last"
                + " no batch would come out: use a batch size of at most "
                + n);
      }
      warnings.add(
          "batch size "
              + batchSize
              + " is larger than the "
              + n
              + " samples: each epoch is one batch of "
              + n);
    }
    this.steps = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /**
   * @param dataset what to load (e.g. the train part of a split, as a {@code Subset})
   * @param batchSize samples per batch, positive
   */
  public static Builder builder(Dataset dataset, int batchSize) {
    return new Builder(dataset, batchSize);
  }

  @Override
  public int size() {
    return dataset.size();
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int stepsPerEpoch() {
    return steps;
  }

  public int numWorkers() {
    return numWorkers;
  }

  public Dataset dataset() {
    return dataset;
  }

  /** The order in which epoch {@code epoch} visits the dataset's indices. */
  public int[] order(int epoch) {
    int n = dataset.size();
    if (shuffle) {
      return Rng.permutation(n, Rng.mix(seed, epoch, 0x10ADL));
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  /**
   * The batches of epoch {@code epoch}. Starting a new epoch abandons the previous one's iterator
   * (its prefetched batches are cancelled).
   */
  @Override
  public synchronized Iterator<Batch> epoch(int epoch) {
    if (closed) {
      throw new IllegalStateException("data loader is closed");
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
    }
    if (current != null) {
      current.cancel();
    }
    if (numWorkers > 0 && workers == null) {
      workers = Executors.newFixedThreadPool(numWorkers, threads());
    }
    lastWaitNanos = 0;
    current = new EpochIterator(epoch, order(epoch));
    return current;
  }

  /** Seconds the consumer waited for batches in the current or last epoch. */
  @Override
  public double lastEpochWaitSeconds() {
    return lastWaitNanos / 1e9;
  }

  /** One line per sample left out by {@code skipBadSamples}: epoch, index, source and reason. */
  public List<String> skippedSamples() {
    synchronized (skipped) {
      return List.copyOf(skipped);
    }
  }

  /** Warnings about the configuration (e.g. a batch size larger than the dataset). */
  public List<String> warnings() {
    synchronized (warnings) {
      return List.copyOf(warnings);
    }
  }

  /** Stops the workers; prefetched batches are dropped. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (current != null) {
      current.cancel();
    }
    if (workers != null) {
      workers.shutdownNow();
    }
  }

  private static ThreadFactory threads() {
    int id = LOADERS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "holdout-loader-" + id + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Reads, transforms and collates batch {@code step} of an epoch; null when all were skipped. */
  private Batch load(int epoch, int[] order, int step) {
    int from = step * batchSize;
    int to = Math.min(from + batchSize, order.length);
    List<Sample> samples = new ArrayList<>(to - from);
    List<String> where = new ArrayList<>(to - from);
    for (int k = from; k < to; k++) {
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("data loader stopped");
      }
      int index = order[k];
      Sample s;
      try {
        s = dataset.get(index);
        s = transform.apply(s, new Rng(Rng.mix(seed, epoch, index)));
        Objects.requireNonNull(s, "the transform returned null");
      } catch (RuntimeException e) {
        String msg = "sample " + index + " (" + describe(index) + "): " + reason(e);
        if (!skipBadSamples) {
          throw new HoldoutException(msg, e);
        }
        String line = "epoch " + epoch + ": skipped " + msg;
        skipped.add(line);
        LOG.log(System.Logger.Level.WARNING, line);
        continue;
      }
      samples.add(s);
      where.add("sample " + index + " (" + describe(index) + ")");
    }
    return samples.isEmpty() ? null : collator.collate(samples, where);
  }

  private String describe(int index) {
    try {
      return dataset.describe(index);
    } catch (RuntimeException e) {
      return "index " + index;
    }
  }

  private static String reason(RuntimeException e) {
    if (e instanceof HoldoutException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** Hands out the batches of one epoch in order; prefetches with the workers. */
  private final class EpochIterator implements Iterator<Batch> {
    private final int epoch;
    private final int[] order;
    private final ArrayDeque<Future<Batch>> pending = new ArrayDeque<>();
    private int submitted;
    private int consumed;
    private Batch ready;
    private boolean cancelled;

    EpochIterator(int epoch, int[] order) {
      this.epoch = epoch;
      this.order = order;
      if (numWorkers > 0) {
        fill();
      }
    }

    private void fill() {
      while (!cancelled && submitted < steps && pending.size() < prefetch) {
        int step = submitted++;
        pending.add(workers.submit(() -> load(epoch, order, step)));
      }
    }

    @Override
    public boolean hasNext() {
      long t0 = System.nanoTime();
      try {
        while (ready == null && consumed < steps) {
          if (cancelled) {
            throw new IllegalStateException(
                "epoch " + epoch + " was abandoned (a newer epoch started or the loader closed)");
          }
          ready = numWorkers == 0 ? load(epoch, order, consumed) : take();
          consumed++;
        }
        return ready != null;
      } finally {
        lastWaitNanos += System.nanoTime() - t0;
      }
    }

    private Batch take() {
      Future<Batch> f = pending.poll();
      try {
        Batch b = f.get();
        fill();
        return b;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancel();
        throw new HoldoutException("interrupted while waiting for batch " + consumed, e);
      } catch (ExecutionException e) {
        cancel();
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r) {
          throw r;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(c);
      } catch (CancellationException e) {
        throw new IllegalStateException("epoch " + epoch + " was abandoned", e);
      }
    }

    @Override
    public Batch next() {
      if (!hasNext()) {
        throw new NoSuchElementException("epoch " + epoch + " has no more batches");
      }
      Batch b = ready;
      ready = null;
      return b;
    }

    void cancel() {
      cancelled = true;
      for (Future<Batch> f : pending) {
        f.cancel(true);
      }
      pending.clear();
    }
  }

  /** Configures a {@link DataLoader}; the dataset and batch size are required. */
  public static final class Builder {
    private final Dataset dataset;
    private final int batchSize;
    private boolean shuffle = true;
    private boolean dropLast;
    private long seed;
    private int numWorkers;
    private int prefetch;
    private SampleTransform transform = SampleTransform.identity();
    private boolean skipBadSamples;
    private final Set<String> padded = new LinkedHashSet<>();

    private Builder(Dataset dataset, int batchSize) {
      this.dataset = Objects.requireNonNull(dataset, "dataset is null");
      if (batchSize <= 0) {
        throw new HoldoutException(
            "batch size must be a positive number of samples, not " + batchSize);
      }
      this.batchSize = batchSize;
    }

    /**
     * Visit samples in a new seeded order each epoch (default true, as the CLI's {@code
     * loader.shuffle} does for training); false visits them in index order, as evaluation loaders do.
     */
    public Builder optShuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Leave out the last batch when it is short; default false. */
    public Builder optDropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    /** Seeds the shuffle and the transform's generator; default 0. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Threads that read and transform batches; 0 (the default) reads on the calling thread. */
    public Builder optNumWorkers(int numWorkers) {
      if (numWorkers < 0) {
        throw new HoldoutException("numWorkers must be 0 or more, not " + numWorkers);
      }
      this.numWorkers = numWorkers;
      return this;
    }

    /**
     * Batches prepared ahead of the consumer when there are workers; default {@code 2 *
     * numWorkers}.
     */
    public Builder optPrefetch(int prefetch) {
      if (prefetch <= 0) {
        throw new HoldoutException(
            "prefetch must be a positive number of batches, not " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /** Runs on every sample, in the workers (augmentation, normalisation, target encoding). */
    public Builder optTransform(SampleTransform transform) {
      this.transform = Objects.requireNonNull(transform, "transform is null");
      return this;
    }

    /** Leave out (and report) samples that fail to read instead of failing; default false. */
    public Builder optSkipBadSamples(boolean skip) {
      this.skipBadSamples = skip;
      return this;
    }

    /** Fields that may vary in their first dimension and are padded (see {@link Collator}). */
    public Builder optPadded(String... fields) {
      padded.addAll(List.of(fields));
      return this;
    }

    public DataLoader build() {
      return new DataLoader(this);
    }
  }
}
