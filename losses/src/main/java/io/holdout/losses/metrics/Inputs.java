package io.holdout.losses.metrics;

import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Map;

/** Reads head outputs and targets for metrics, with messages that name the metric. */
final class Inputs {
  private Inputs() {}

  static Tensor output(String metric, String output, Map<String, Tensor> outputs, Batch batch) {
    Tensor t = outputs.get(output);
    if (t == null) {
      throw new IllegalArgumentException(
          metric + ": no output '" + output + "' (has " + outputs.keySet() + ")");
    }
    if (t.rank() == 0 || t.dim(0) != batch.size()) {
      throw new IllegalArgumentException(
          metric + ": output " + t + " does not have batch dimension " + batch.size());
    }
    return t;
  }

  /** Per-sample width of a tensor: its elements divided by the batch size (1 for rank 1). */
  static int width(Tensor t) {
    return t.dim(0) == 0 ? 0 : (int) (t.elementCount() / t.dim(0));
  }

  static float[] floats(Tensor t) {
    return switch (t.dtype()) {
      case FLOAT32 -> t.toFloatArray();
      case INT64 -> {
        long[] l = t.toLongArray();
        float[] f = new float[l.length];
        for (int i = 0; i < l.length; i++) {
          f[i] = l[i];
        }
        yield f;
      }
      case INT32 -> {
        int[] n = t.toIntArray();
        float[] f = new float[n.length];
        for (int i = 0; i < n.length; i++) {
          f[i] = n[i];
        }
        yield f;
      }
    };
  }

  /**
   * Class labels, one per sample: integer tensors as they are, float tensors (binary targets such
   * as 0/1) when every value is a whole number.
   */
  static long[] labels(String metric, Tensor t, int batch) {
    if (t.elementCount() != batch) {
      throw new IllegalArgumentException(
          metric + ": target " + t + " is not one class label per sample of " + batch);
    }
    return switch (t.dtype()) {
      case INT64 -> t.toLongArray();
      case INT32 -> {
        int[] n = t.toIntArray();
        long[] l = new long[n.length];
        for (int i = 0; i < n.length; i++) {
          l[i] = n[i];
        }
        yield l;
      }
      case FLOAT32 -> {
        float[] f = t.toFloatArray();
        long[] l = new long[f.length];
        for (int i = 0; i < f.length; i++) {
          if (f[i] != Math.rint(f[i])) {
            throw new IllegalArgumentException(
                metric + ": target " + t + " holds " + f[i] + ", not a class label");
          }
          l[i] = (long) f[i];
        }
        yield l;
      }
    };
  }

  /**
   * Number of classes a classifier output stands for: its width, or 2 for a single logit (binary,
   * positive when the logit is > 0).
   */
  static int classes(Tensor logits) {
    int w = width(logits);
    return w == 1 ? 2 : w;
  }

  /**
   * The predicted class of row {@code i}: the arg-max logit (the lowest index among equal maxima),
   * or for a single logit 1 when it is > 0, else 0.
   */
  static int predicted(float[] logits, int i, int width) {
    if (width == 1) {
      return logits[i] > 0 ? 1 : 0;
    }
    int best = 0;
    for (int k = 1; k < width; k++) {
      if (logits[i * width + k] > logits[i * width + best]) {
        best = k;
      }
    }
    return best;
  }

  static int checkLabel(String metric, long y, int classes) {
    if (y < 0 || y >= classes) {
      throw new IllegalArgumentException(
          metric + ": label " + y + " outside [0, " + classes + ")");
    }
    return (int) y;
  }
}
