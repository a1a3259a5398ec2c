package io.holdout.losses.metrics;

import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds small batches for metric tests. */
final class Fixtures {
  private Fixtures() {}

  /** A batch holding {@code y} as target {@code "y"}. */
  static Batch batch(Tensor y) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < y.dim(0); i++) {
      ids.add("s" + i);
    }
    return new Batch(ids, Map.of("y", y));
  }

  static Tensor labels(long... y) {
    return Tensor.ofLongs(new long[] {y.length}, y);
  }

  /** Logits [n, classes] that are 1 at the predicted class and 0 elsewhere. */
  static Tensor oneHot(int classes, int... predicted) {
    float[] v = new float[predicted.length * classes];
    for (int i = 0; i < predicted.length; i++) {
      v[i * classes + predicted[i]] = 1;
    }
    return Tensor.ofFloats(new long[] {predicted.length, classes}, v);
  }

  static Tensor rows(int width, float... values) {
    return Tensor.ofFloats(new long[] {values.length / width, width}, values);
  }

  static Map<String, Tensor> out(Tensor t) {
    return Map.of("out", t);
  }
}
