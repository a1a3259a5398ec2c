package io.holdout.run;

import io.holdout.api.data.BatchSource;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.Baseline;
import io.holdout.losses.Baselines;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Baselines for reading each loss component on a split: what a trivial model (uniform guess, train
 * prior, train mean, untrained detector) scores there. Targets are gathered once, before training.
 */
final class SplitTargets {
  private static final Set<String> NEEDS_TRAIN =
      Set.of("mse", "mae", "smooth_l1", "huber", "cross_entropy", "focal", "binary_cross_entropy");

  private SplitTargets() {}

  /** Component name → baselines on {@code split}; empty when a split is empty. */
  static Map<String, List<Baseline>> baselines(LossSpec loss, ModelSpec model, BatchSource train, BatchSource split) {
    Map<String, List<Baseline>> out = new LinkedHashMap<>();
    if (split == null || split.size() == 0) {
      return out;
    }
    boolean needTrain = loss.components().stream().anyMatch(c -> NEEDS_TRAIN.contains(c.type()));
    Map<String, Tensor> tr = needTrain ? collect(train) : Map.of();
    Map<String, Tensor> sp = collect(split);
    for (LossComponentSpec c : loss.components()) {
      int width = model.head(c.output()).units();
      try {
        out.put(c.name(), Baselines.forComponent(c, needTrain ? tr : sp, sp, width));
      } catch (RuntimeException e) {
        out.put(c.name(), List.of());
      }
    }
    return out;
  }

  /** Concatenates every non-input tensor of all batches of one pass. */
  static Map<String, Tensor> collect(BatchSource source) {
    Map<String, List<Tensor>> parts = new LinkedHashMap<>();
    Iterator<Batch> it = source.epoch(0);
    while (it.hasNext()) {
      Batch b = it.next();
      b.tensors().forEach((k, v) -> {
        if (!k.equals(Batch.INPUT)) {
          parts.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
      });
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    parts.forEach((k, list) -> out.put(k, concat(list)));
    return out;
  }

  /** The tensors of {@code list} concatenated along their first dimension. */
  static Tensor concat(List<Tensor> list) {
    long rows = 0;
    for (Tensor t : list) {
      rows += t.dim(0);
    }
    long[] shape = list.get(0).shape();
    shape[0] = rows;
    DType dtype = list.get(0).dtype();
    Tensor out = Tensor.zeros(dtype, shape);
    ByteBuffer dst = out.buffer();
    ByteBuffer target = dst.duplicate();
    int pos = 0;
    for (Tensor t : list) {
      ByteBuffer src = t.buffer();
      target.position(pos);
      pos += src.remaining();
      // writes into the freshly allocated tensor we own
      target.put(src);
    }
    return out;
  }
}
