package io.holdout.datasets.loader;

import io.holdout.api.data.Dataset;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.image.ImageFolderSource;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.transform.RandomCrop;
import io.holdout.datasets.transform.RandomHorizontalFlip;
import io.holdout.datasets.transform.SampleTransform;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Run in a child JVM with a small heap by {@link LazyMemoryTest}: streams one epoch of a dataset
 * whose decoded images are larger than the heap, and prints the number of samples and bytes seen.
 */
public final class MemoryProbe {
  private MemoryProbe() {}

  public static void main(String[] args) {
    Dataset ds =
        args[0].equals("shapes")
            ? ShapesSource.builder(Integer.parseInt(args[1]), 96, 96).optSeed(1).build()
            : ImageFolderSource.builder(Path.of(args[1])).open();
    long[] shape = ds.schema().inputShape();
    int h = (int) shape[1];
    int w = (int) shape[2];
    try (DataLoader loader =
        DataLoader.builder(ds, 16)
            .optShuffle(true)
            .optNumWorkers(2)
            .optTransform(
                SampleTransform.compose(new RandomHorizontalFlip(), new RandomCrop(h - 8, w - 8)))
            .build()) {
      long samples = 0;
      long bytes = 0;
      Iterator<Batch> it = loader.epoch(0);
      while (it.hasNext()) {
        Batch b = it.next();
        samples += b.size();
        bytes += 4L * b.input().elementCount();
      }
      long decoded = samples * 4L * shape[0] * h * w;
      System.out.println(
          "samples "
              + samples
              + " decoded "
              + decoded
              + " heap "
              + Runtime.getRuntime().maxMemory()
              + " batches "
              + bytes);
    }
  }
}
