package io.holdout.api.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One mini-batch: named tensors whose first dimension is the batch size, plus the ids of the samples
 * it holds (for per-sample reports and error messages).
 *
 * <p>By convention the model input is named {@value #INPUT} and each target carries the name of the
 * target in the dataset schema.
 */
public final class Batch {
  /** Name of the model input tensor. */
  public static final String INPUT = "input";

  private final int size;
  private final List<String> ids;
  private final Map<String, Tensor> tensors;

  public Batch(List<String> ids, Map<String, Tensor> tensors) {
    this.ids = List.copyOf(Objects.requireNonNull(ids, "ids is null"));
    this.size = ids.size();
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    for (Map.Entry<String, Tensor> e : this.tensors.entrySet()) {
      Tensor t = e.getValue();
      if (t.rank() == 0 || t.dim(0) != size) {
        throw new IllegalArgumentException(
            "tensor '" + e.getKey() + "' " + t + " does not have batch dimension " + size);
      }
    }
  }

  public int size() {
    return size;
  }

  public List<String> ids() {
    return ids;
  }

  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Tensor input() {
    return get(INPUT);
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("batch has no tensor '" + name + "' (has " + tensors.keySet() + ")");
    }
    return t;
  }

  public boolean has(String name) {
    return tensors.containsKey(name);
  }
}
