package io.holdout.losses;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.util.Arrays;

/**
 * Checks a loss component's targets in a batch before an engine runs it, the same way on every
 * engine: present, of the right size and type, labels in range. Graph engines call it because a bad
 * label inside a compiled graph would fail with an engine message, or not at all.
 */
public final class TargetCheck {
  private TargetCheck() {}

  /**
   * Checks {@code c}'s targets in {@code batch}: present, of {@code c.units()} values per sample,
   * class labels in {@code [0, units)} (or {@code cross_entropy}'s ignore index), anchor labels
   * {@code [batch, anchors]} in range.
   *
   * @throws HoldoutException naming the component and what is wrong
   */
  public static void check(ResolvedComponent c, Batch batch) {
    LossComponentSpec spec = c.spec();
    int units = c.units();
    Tensor target = target(spec, batch, spec.target());
    int b = batch.size();
    if (c.custom() != null) {
      if (c.custom().target() == io.holdout.api.data.TargetKind.CLASS) {
        classLabels(spec, target, b, units, false, 0);
      } else if (target.elementCount() != (long) b * units) {
        throw fail(spec, "output of " + b + " × " + units + " values and target '" + spec.target() + "' "
            + Arrays.toString(target.shape()) + " differ in size");
      }
      return;
    }
    switch (spec.type()) {
      case "mse", "mae", "smooth_l1", "huber", "binary_cross_entropy" -> {
        if (target.elementCount() != (long) b * units) {
          throw fail(spec, "output of " + b + " × " + units + " values and target '" + spec.target() + "' "
              + Arrays.toString(target.shape()) + " differ in size");
        }
      }
      case "cross_entropy" -> classLabels(spec, target, b, units, true, c.ignoreIndex());
      case "focal" -> classLabels(spec, target, b, units, false, 0);
      case "multibox_loc" -> {
        Tensor lab = target(spec, batch, c.labels());
        int anchors = anchors(spec, lab, b);
        anchorLabels(spec, lab, Long.MAX_VALUE);
        if (units != anchors * 4 || target.elementCount() != (long) b * units) {
          throw fail(spec, "box offsets [" + b + ", " + units + "] and encoded boxes " + target
              + " must both be [" + b + ", " + anchors + ", 4]");
        }
      }
      case "multibox_conf" -> {
        int anchors = anchors(spec, target, b);
        if (units % anchors != 0) {
          throw fail(spec, "class logits [" + b + ", " + units + "] are not [" + b + ", " + anchors + ", classes]");
        }
        anchorLabels(spec, target, units / anchors);
      }
      default -> throw new IllegalStateException("uncompiled loss type " + spec.type());
    }
  }

  /** Integer labels as longs; {@code what} names the tensor in the error for float labels. */
  public static long[] labels(Tensor t, String what) {
    return switch (t.dtype()) {
      case INT64 -> t.toLongArray();
      case INT32 -> Arrays.stream(t.toIntArray()).asLongStream().toArray();
      case FLOAT32 -> throw new HoldoutException(what + " must hold integer class labels (INT64), got FLOAT32");
    };
  }

  private static Tensor target(LossComponentSpec spec, Batch batch, String name) {
    if (!batch.has(name)) {
      throw fail(spec, "needs the batch tensor '" + name + "' but the batch has " + batch.tensors().keySet());
    }
    return batch.get(name);
  }

  private static void classLabels(LossComponentSpec spec, Tensor target, int batch, int units, boolean allowIgnore,
      long ignoreIndex) {
    if (target.elementCount() != batch) {
      throw fail(spec, "labels '" + spec.target() + "' " + Arrays.toString(target.shape())
          + " are not one per sample of " + batch);
    }
    long[] y = labels(target, "loss '" + spec.name() + "' target '" + spec.target() + "'");
    for (int i = 0; i < y.length; i++) {
      if ((y[i] < 0 || y[i] >= units) && !(allowIgnore && y[i] == ignoreIndex)) {
        throw fail(spec, "label " + y[i] + " of sample " + i + " is outside [0, " + units + ")");
      }
    }
  }

  private static int anchors(LossComponentSpec spec, Tensor anchorLabels, int batch) {
    if (anchorLabels.rank() != 2 || anchorLabels.dim(0) != batch || anchorLabels.dim(1) == 0) {
      throw fail(spec, "anchor labels must be [" + batch + ", anchors], got " + anchorLabels);
    }
    return (int) anchorLabels.dim(1);
  }

  private static void anchorLabels(LossComponentSpec spec, Tensor t, long classes) {
    long[] y = labels(t, "loss '" + spec.name() + "' anchor labels");
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= classes) {
        throw fail(spec, "anchor label " + y[i] + " (image " + i / t.dim(1) + ", anchor " + i % t.dim(1)
            + ") is outside [0, " + (classes == Long.MAX_VALUE ? "classes" : classes) + ")");
      }
    }
  }

  private static HoldoutException fail(LossComponentSpec spec, String what) {
    return new HoldoutException("loss '" + spec.name() + "' (" + spec.type() + "): " + what);
  }
}
