package io.holdout.datasets.loader;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Stacks the fields of several samples into one {@link Batch}: a field of shape {@code S} becomes a
 * tensor {@code [B, ...S]} in a fresh direct little-endian buffer (a class label, shape {@code []},
 * becomes an int64 {@code [B]}).
 *
 * <p>Every sample must have the same fields with the same dtype and shape, except for the
 * <em>padded</em> fields (variable-length detection targets such as {@code boxes [M, 4]} and {@code
 * labels [M]}): those may differ in their first dimension and are padded at the end to the largest
 * {@code M} of the batch, with {@value #FLOAT_PAD} for float fields and {@value #LONG_PAD} for
 * int64 fields (so a padded label row reads as "no object"). Any other difference is an error
 * naming both samples.
 */
public final class Collator {
  /** Padding value of float fields. */
  public static final float FLOAT_PAD = 0f;

  /** Padding value of int64 fields: not a class. */
  public static final long LONG_PAD = -1L;

  private final Set<String> padded;

  /**
   * @param padded names of the fields that may vary in their first dimension
   */
  public Collator(Set<String> padded) {
    this.padded = Set.copyOf(Objects.requireNonNull(padded, "padded is null"));
  }

  public Set<String> padded() {
    return padded;
  }

  /**
   * Collates {@code samples}.
   *
   * @param where describes each sample for messages, in the order of {@code samples}
   */
  public Batch collate(List<Sample> samples, List<String> where) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples to collate");
    }
    Sample first = samples.get(0);
    Set<String> names = first.fields().keySet();
    List<String> ids = new ArrayList<>(samples.size());
    for (int b = 0; b < samples.size(); b++) {
      Sample s = samples.get(b);
      ids.add(s.id());
      if (!s.fields().keySet().equals(names)) {
        throw new HoldoutException(
            where.get(b)
                + " has fields "
                + s.fields().keySet()
                + " but "
                + where.get(0)
                + " has "
                + names);
      }
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : names) {
      tensors.put(name, stack(name, samples, where));
    }
    return new Batch(ids, tensors);
  }

  private Tensor stack(String name, List<Sample> samples, List<String> where) {
    Field f0 = samples.get(0).field(name);
    long[] s0 = f0.shape();
    boolean pad = padded.contains(name) && s0.length > 0;
    long rows = pad ? 0 : -1;
    for (int b = 0; b < samples.size(); b++) {
      Field f = samples.get(b).field(name);
      long[] s = f.shape();
      boolean same =
          f.dtype() == f0.dtype()
              && (pad
                  ? s.length == s0.length && Arrays.equals(s, 1, s.length, s0, 1, s0.length)
                  : Arrays.equals(s, s0));
      if (!same) {
        throw new HoldoutException(
            "cannot batch field '"
                + name
                + "': "
                + where.get(b)
                + " has "
                + f.dtype()
                + Arrays.toString(s)
                + " but "
                + where.get(0)
                + " has "
                + f0.dtype()
                + Arrays.toString(s0)
                + (name.equals(Batch.INPUT) ? " (resize inputs to one shape)" : ""));
      }
      if (pad) {
        rows = Math.max(rows, s[0]);
      }
    }
    long[] item = s0.clone();
    if (pad) {
      item[0] = rows;
    }
    long[] shape = new long[item.length + 1];
    shape[0] = samples.size();
    System.arraycopy(item, 0, shape, 1, item.length);
    Tensor t = Tensor.zeros(f0.dtype(), shape);
    int perItem = (int) Tensor.elementCount(item);
    if (f0.dtype() == DType.FLOAT32) {
      FloatBuffer out = t.floatBuffer();
      for (int b = 0; b < samples.size(); b++) {
        float[] v = samples.get(b).field(name).floats();
        out.put(v);
        for (int i = v.length; i < perItem; i++) {
          out.put(FLOAT_PAD);
        }
      }
    } else {
      LongBuffer out = t.longBuffer();
      for (int b = 0; b < samples.size(); b++) {
        long[] v = samples.get(b).field(name).longs();
        out.put(v);
        for (int i = v.length; i < perItem; i++) {
          out.put(LONG_PAD);
        }
      }
    }
    return t;
  }
}
