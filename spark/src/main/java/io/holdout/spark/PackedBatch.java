package io.holdout.spark;

import io.holdout.api.HoldoutException;
import io.holdout.api.tensor.Batch;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** A {@link Batch} Spark can serialize; {@link #shard} cuts a global batch into equal parts. */
record PackedBatch(ArrayList<String> ids, LinkedHashMap<String, PackedTensor> tensors) implements Serializable {
  private static final long serialVersionUID = 1L;

  static PackedBatch of(Batch b) {
    return new PackedBatch(new ArrayList<>(b.ids()), PackedTensor.pack(b.tensors()));
  }

  Batch batch() {
    return new Batch(ids, PackedTensor.unpack(tensors));
  }

  /** Shard {@code index} of {@code shards} equal, contiguous parts; the batch size must divide evenly. */
  PackedBatch shard(int index, int shards) {
    int n = ids.size();
    if (n % shards != 0) {
      throw new HoldoutException("a global batch of " + n + " samples does not split into " + shards
          + " equal shards (data-parallel training needs equal shards so that averaging equals the global mean)");
    }
    int per = n / shards;
    int from = index * per;
    LinkedHashMap<String, PackedTensor> t = new LinkedHashMap<>();
    tensors.forEach((k, v) -> t.put(k, v.rows(from, from + per)));
    return new PackedBatch(new ArrayList<>(ids.subList(from, from + per)), t);
  }

  static List<PackedBatch> ofAll(List<Batch> batches) {
    return batches.stream().map(PackedBatch::of).toList();
  }
}
