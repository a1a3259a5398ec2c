package io.holdout.datasets.detection;

import io.holdout.api.detection.BoxTruth;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads each image's ground truth out of a batch as {@link BoxTruth} for {@link
 * io.holdout.losses.metrics.DetectionMap}: boxes {@code [B, M, 4]} (normalised corners) and labels
 * {@code [B, M]} (1-based), padded within the batch; rows with a label {@code <= 0} (the loader pads
 * labels with {@code -1}) are skipped. No object is marked difficult.
 */
public final class GroundTruth {
  private GroundTruth() {}

  /** From the raw fields {@value BoxEncoder#GT_BOXES} and {@value BoxEncoder#GT_LABELS} kept by {@link BoxEncoder}. */
  public static List<BoxTruth> of(Batch batch) {
    return of(batch, BoxEncoder.GT_BOXES, BoxEncoder.GT_LABELS);
  }

  /** From the named fields (e.g. {@code boxes}/{@code labels} of a batch that was not encoded). */
  public static List<BoxTruth> of(Batch batch, String boxesField, String labelsField) {
    Objects.requireNonNull(batch, "batch is null");
    Tensor boxes = batch.get(boxesField);
    Tensor labels = batch.get(labelsField);
    int b = batch.size();
    if (boxes.rank() != 3 || boxes.dim(2) != 4 || boxes.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException("'" + boxesField + "' " + boxes + " is not float [batch, objects, 4]");
    }
    if (labels.rank() != 2 || labels.dim(1) != boxes.dim(1) || labels.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          "'" + labelsField + "' " + labels + " is not int64 [batch, " + boxes.dim(1) + "]");
    }
    int m = (int) boxes.dim(1);
    float[] bx = boxes.toFloatArray();
    long[] lb = labels.toLongArray();
    List<BoxTruth> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      int n = 0;
      for (int g = 0; g < m; g++) {
        if (lb[i * m + g] > 0) {
          n++;
        }
      }
      float[] tb = new float[4 * n];
      int[] tc = new int[n];
      int k = 0;
      for (int g = 0; g < m; g++) {
        long c = lb[i * m + g];
        if (c > 0) {
          System.arraycopy(bx, (i * m + g) * 4, tb, 4 * k, 4);
          tc[k++] = Math.toIntExact(c);
        }
      }
      out.add(BoxTruth.of(tb, tc));
    }
    return out;
  }
}
