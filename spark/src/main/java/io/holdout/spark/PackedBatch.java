package io.holdout.spark;

import io.holdout.api.tensor.Batch;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/** A {@link Batch} Spark can serialize; {@link #shard} cuts a global batch into parts. */
record PackedBatch(ArrayList<String> ids, LinkedHashMap<String, PackedTensor> tensors) implements Serializable {
  private static final long serialVersionUID = 1L;

  static PackedBatch of(Batch b) {
    return new PackedBatch(new ArrayList<>(b.ids()), PackedTensor.pack(b.tensors()));
  }

  Batch batch() {
    return new Batch(ids, PackedTensor.unpack(tensors));
  }

  /**
   * Shard {@code index} of {@code shards} contiguous parts whose sizes differ by at most one (empty
   * when the batch has fewer samples than shards).
   */
  PackedBatch shard(int index, int shards) {
    int n = ids.size();
    int from = (int) ((long) index * n / shards);
    int to = (int) ((long) (index + 1) * n / shards);
    LinkedHashMap<String, PackedTensor> t = new LinkedHashMap<>();
    tensors.forEach((k, v) -> t.put(k, v.rows(from, to)));
    return new PackedBatch(new ArrayList<>(ids.subList(from, to)), t);
  }
}
