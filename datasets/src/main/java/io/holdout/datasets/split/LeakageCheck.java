package io.holdout.datasets.split;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Field;
import io.holdout.api.data.Split;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.datasets.Datasets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Finds samples whose content is identical on two sides of a split: the same image saved twice, a
 * duplicated table row. Each sample's input (dtype, shape and values, bit for bit) is hashed with
 * SHA-256; samples with equal hashes in different parts are reported. Targets are not hashed, so a
 * duplicate with a different label is found too.
 */
public final class LeakageCheck {
  private LeakageCheck() {}

  /** One place a duplicated content was found. */
  public record Occurrence(String part, int index, String id) {}

  /** One content found in more than one part. */
  public record Duplicate(String hash, List<Occurrence> occurrences) {
    public Duplicate {
      occurrences = List.copyOf(occurrences);
    }
  }

  /** The result: duplicates across parts, and how many samples were checked. */
  public record Report(List<Duplicate> duplicates, int checked, int duplicatesWithinParts) {
    public Report {
      duplicates = List.copyOf(duplicates);
    }

    public boolean clean() {
      return duplicates.isEmpty();
    }

    /** A few lines for the log: the count, then one line per duplicate (up to {@code max}). */
    public String summary(int max) {
      StringBuilder sb = new StringBuilder();
      sb.append("leakage check: ").append(checked).append(" samples, ");
      if (clean()) {
        sb.append("no identical sample in two parts");
      } else {
        sb.append(duplicates.size())
            .append(" content")
            .append(duplicates.size() == 1 ? "" : "s")
            .append(" found in more than one part");
      }
      if (duplicatesWithinParts > 0) {
        sb.append(" (").append(duplicatesWithinParts).append(" repeated within a part)");
      }
      int shown = 0;
      for (Duplicate d : duplicates) {
        if (shown++ == max) {
          sb.append("\n  ...");
          break;
        }
        sb.append("\n  ");
        for (int k = 0; k < d.occurrences().size(); k++) {
          Occurrence o = d.occurrences().get(k);
          sb.append(k == 0 ? "" : " = ").append(o.part()).append(' ').append(o.id());
        }
      }
      return sb.toString();
    }
  }

  /** Checks {@code split} on {@code dataset}, reading the samples on one thread. */
  public static Report run(Dataset dataset, Split split) {
    return run(dataset, split, 1);
  }

  /**
   * Checks {@code split} on {@code dataset}, reading (and decoding) samples with {@code threads}
   * threads.
   */
  public static Report run(Dataset dataset, Split split, int threads) {
    Objects.requireNonNull(dataset, "dataset is null");
    Objects.requireNonNull(split, "split is null");
    List<String> partOf = new ArrayList<>();
    List<Integer> indices = new ArrayList<>();
    split
        .parts()
        .forEach(
            (p, idx) -> {
              for (int i : idx) {
                partOf.add(p);
                indices.add(i);
              }
            });
    String[] hashes = new String[indices.size()];
    if (threads <= 1) {
      for (int k = 0; k < hashes.length; k++) {
        hashes[k] = hash(dataset, indices.get(k));
      }
    } else {
      ExecutorService pool =
          Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, "holdout-leakage-check");
                t.setDaemon(true);
                return t;
              });
      try {
        List<Future<String>> fs = new ArrayList<>();
        for (int k = 0; k < hashes.length; k++) {
          int i = indices.get(k);
          fs.add(pool.submit(() -> hash(dataset, i)));
        }
        for (int k = 0; k < hashes.length; k++) {
          hashes[k] = fs.get(k).get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HoldoutException("leakage check interrupted", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }
    Map<String, List<Integer>> byHash = new LinkedHashMap<>();
    for (int k = 0; k < hashes.length; k++) {
      byHash.computeIfAbsent(hashes[k], h -> new ArrayList<>()).add(k);
    }
    List<Duplicate> dups = new ArrayList<>();
    int within = 0;
    for (Map.Entry<String, List<Integer>> e : byHash.entrySet()) {
      List<Integer> ks = e.getValue();
      if (ks.size() < 2) {
        continue;
      }
      boolean cross = ks.stream().map(partOf::get).distinct().count() > 1;
      if (!cross) {
        within += ks.size() - 1;
        continue;
      }
      List<Occurrence> occ = new ArrayList<>();
      for (int k : ks) {
        int i = indices.get(k);
        occ.add(new Occurrence(partOf.get(k), i, Datasets.id(dataset, i)));
      }
      dups.add(new Duplicate(e.getKey(), occ));
    }
    return new Report(dups, hashes.length, within);
  }

  private static String hash(Dataset dataset, int index) {
    Field f;
    try {
      f = dataset.get(index).field(Batch.INPUT);
    } catch (HoldoutException e) {
      throw new HoldoutException(
          "leakage check: sample "
              + index
              + " ("
              + dataset.describe(index)
              + "): "
              + e.getMessage(),
          e);
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    md.update(f.dtype().safetensorsName().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    ByteBuffer head =
        ByteBuffer.allocate(8 * (f.shape().length + 1)).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(f.shape().length);
    for (long d : f.shape()) {
      head.putLong(d);
    }
    md.update(head.array());
    if (f.dtype() == DType.FLOAT32) {
      ByteBuffer b = ByteBuffer.allocate(4 * f.floats().length).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(f.floats());
      md.update(b.array());
    } else {
      ByteBuffer b = ByteBuffer.allocate(8 * f.longs().length).order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().put(f.longs());
      md.update(b.array());
    }
    return HexFormat.of().formatHex(md.digest(), 0, 16);
  }
}
