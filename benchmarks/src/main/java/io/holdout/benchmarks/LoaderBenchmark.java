package io.holdout.benchmarks;

import io.holdout.api.data.Dataset;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.image.ImageFolderSource;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.datasets.transform.Normalize;
import io.holdout.datasets.transform.RandomCrop;
import io.holdout.datasets.transform.RandomHorizontalFlip;
import io.holdout.datasets.transform.SampleTransform;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/**
 * Data-loader throughput in samples per second for several {@code numWorkers}, on generated shapes
 * images (or an image folder) with augmentation: random horizontal flip, random crop to 7/8 of the
 * size, per-channel normalisation. The consumer only touches each batch, so the figures are the
 * loader's alone.
 *
 * <p>Every setting gets a warm-up epoch; then, in each of {@code --rounds} rounds, every setting is
 * timed over {@code --epochs} epochs in turn, so that load from other processes falls on all
 * settings alike. The best and the median round are printed.
 *
 * <pre>
 * java -Xmx256m -cp ... io.holdout.benchmarks.LoaderBenchmark [--count 2000] [--size 128]
 *     [--batch 32] [--workers 0,1,2,4] [--epochs 1] [--rounds 3] [--folder PATH]
 * </pre>
 *
 * Goal: 2 workers at least 1.7 times as fast as 0 on 2 free cores.
 */
public final class LoaderBenchmark {
  private LoaderBenchmark() {}

  public static void main(String[] args) {
    int count = 2000;
    int size = 128;
    int batch = 32;
    int epochs = 1;
    int rounds = 3;
    int[] workers = {0, 1, 2, 4};
    String folder = null;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--count" -> count = Integer.parseInt(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--epochs" -> epochs = Integer.parseInt(v);
        case "--rounds" -> rounds = Integer.parseInt(v);
        case "--workers" ->
            workers = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        case "--folder" -> folder = v;
        default -> {
          System.err.println(
              "unknown option "
                  + args[i]
                  + " (known: --count, --size, --batch, --workers, --epochs, --rounds, --folder)");
          System.exit(2);
        }
      }
    }
    Dataset ds =
        folder != null
            ? ImageFolderSource.builder(Path.of(folder)).open()
            : ShapesSource.builder(count, size, size).optSeed(1).build();
    long[] shape = ds.schema().inputShape();
    int h = (int) shape[1];
    int w = (int) shape[2];
    SampleTransform augment =
        SampleTransform.compose(
            new RandomHorizontalFlip(),
            new RandomCrop(h * 7 / 8, w * 7 / 8),
            new Normalize(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}));
    System.out.printf(
        Locale.ROOT,
        "loader benchmark: %s, %d samples of %dx%d, batch %d, %d available processors, max heap"
            + " %d MB%n",
        folder != null ? "image folder " + folder : "generated shapes",
        ds.size(),
        w,
        h,
        batch,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf(
        Locale.ROOT,
        "augmentation: random horizontal flip, random crop to 7/8, normalise; %d round(s) of %d"
            + " epoch(s) per setting%n",
        rounds,
        epochs);

    double[][] rates = new double[workers.length][rounds];
    double[][] waits = new double[workers.length][rounds];
    DataLoader[] loaders = new DataLoader[workers.length];
    try {
      for (int k = 0; k < workers.length; k++) {
        loaders[k] =
            DataLoader.builder(ds, batch)
                .optShuffle(true)
                .optSeed(7)
                .optNumWorkers(workers[k])
                .optTransform(augment)
                .build();
        drain(loaders[k], 0); // warm-up: JIT, thread start
      }
      int epoch = 1;
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < workers.length; k++) {
          long samples = 0;
          double wait = 0;
          long t0 = System.nanoTime();
          for (int e = 0; e < epochs; e++) {
            samples += drain(loaders[k], epoch + e);
            wait += loaders[k].lastEpochWaitSeconds();
          }
          rates[k][r] = samples / ((System.nanoTime() - t0) / 1e9);
          waits[k][r] = wait / epochs;
        }
        epoch += epochs;
      }
    } finally {
      for (DataLoader l : loaders) {
        if (l != null) {
          l.close();
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%10s %16s %9s %18s %14s%n",
        "numWorkers",
        "best samples/s",
        "speedup",
        "median samples/s",
        "wait s/epoch");
    double base = best(rates[0]);
    for (int k = 0; k < workers.length; k++) {
      System.out.printf(
          Locale.ROOT,
          "%10d %16.1f %8.2fx %18.1f %14.3f%n",
          workers[k],
          best(rates[k]),
          best(rates[k]) / base,
          median(rates[k]),
          median(waits[k]));
    }
  }

  private static double best(double[] v) {
    return Arrays.stream(v).max().orElse(0);
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  /** Reads one epoch, touching every batch; returns the number of samples. */
  private static long drain(DataLoader loader, int epoch) {
    long n = 0;
    double checksum = 0;
    Iterator<Batch> it = loader.epoch(epoch);
    while (it.hasNext()) {
      Batch b = it.next();
      n += b.size();
      checksum += b.input().buffer().getFloat(0);
    }
    if (Double.isNaN(checksum)) {
      System.out.println("NaN in a batch");
    }
    return n;
  }
}
