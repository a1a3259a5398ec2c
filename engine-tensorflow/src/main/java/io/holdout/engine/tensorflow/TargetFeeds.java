package io.holdout.engine.tensorflow;

import io.holdout.api.HoldoutException;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.TInt64;

/**
 * The placeholders through which batch tensors other than the input reach the graph: one per
 * batch tensor name and kind (float values, or int64 class labels), shared by every loss component
 * that reads it and by the training and evaluation subgraphs.
 */
final class TargetFeeds {
  private final Ops tf;
  private final Map<String, Placeholder<TFloat32>> floats = new LinkedHashMap<>();
  private final Map<String, Operand<TFloating>> values = new LinkedHashMap<>();
  private final Map<String, Placeholder<TInt64>> labels = new LinkedHashMap<>();

  TargetFeeds(Ops tf) {
    this.tf = tf;
  }

  /**
   * The values of batch tensor {@code name} in the graph's float type: a float32 placeholder
   * (integers are converted when fed), cast when the graph computes in float64.
   */
  Operand<TFloating> floats(String name) {
    return values.computeIfAbsent(name, n -> {
      Placeholder<TFloat32> p = tf.withName(unique("target_f_" + n)).placeholder(TFloat32.class);
      floats.put(n, p);
      return GraphMath.toFloat(tf, p);
    });
  }

  /** The int64 placeholder of batch tensor {@code name}, holding class labels. */
  Operand<TInt64> labels(String name) {
    return labels.computeIfAbsent(name, n -> tf.withName(unique("target_l_" + n)).placeholder(TInt64.class));
  }

  private String unique(String base) {
    String clean = base.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return clean + "_" + (floats.size() + labels.size());
  }

  /**
   * Adds a feed for every target placeholder, converting {@code batch}'s tensors; each native
   * tensor created is added to {@code owned} for the caller to close after the run.
   */
  void feed(Session.Runner runner, Batch batch, List<AutoCloseable> owned) {
    for (Map.Entry<String, Placeholder<TFloat32>> e : floats.entrySet()) {
      TFloat32 t = Tensors.floats(require(batch, e.getKey()));
      owned.add(t);
      runner.feed(e.getValue(), t);
    }
    for (Map.Entry<String, Placeholder<TInt64>> e : labels.entrySet()) {
      Tensor src = require(batch, e.getKey());
      TInt64 t = src.dtype() == DType.INT64
          ? org.tensorflow.Tensor.of(TInt64.class, Shape.of(src.shape()), DataBuffers.of(src.buffer()))
          : Tensors.longs(Tensors.labels(src, "batch tensor '" + e.getKey() + "'"), src.shape());
      owned.add(t);
      runner.feed(e.getValue(), t);
    }
  }

  private static Tensor require(Batch batch, String name) {
    if (!batch.has(name)) {
      throw new HoldoutException("the batch has no tensor '" + name + "' (has " + batch.tensors().keySet() + ")");
    }
    return batch.get(name);
  }
}
