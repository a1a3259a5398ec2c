package io.holdout.datasets;

import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.api.tensor.Batch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How detection samples look (VOC, COCO, generated shapes):
 *
 * <ul>
 *   <li>{@value io.holdout.api.tensor.Batch#INPUT}: the image, float32 {@code [3, H, W]}, RGB,
 *       values in {@code [0, 1]};
 *   <li>{@value #BOXES}: float32 {@code [M, 4]}, one row {@code (xmin, ymin, xmax, ymax)} per
 *       object, normalised by the image width and height to {@code [0, 1]} (so resizing the image
 *       leaves them unchanged);
 *   <li>{@value #LABELS}: int64 {@code [M]}, the object's class, 1-based ({@code 0} is reserved for
 *       background; class {@code k} is {@code classes.get(k - 1)}).
 * </ul>
 *
 * <p>{@code M} varies from image to image (it may be 0). In the schema both targets are of kind
 * {@code DETECTION} with {@code -1} for the varying dimension; the loader pads them within a batch
 * to the largest {@code M} (boxes with 0, labels with -1). A detection head's target encoding
 * (anchors, matching) is meant to run in the loader's per-sample transform hook and replace both
 * fields with fixed-size ones.
 */
public final class Detection {
  /** Name of the boxes target. */
  public static final String BOXES = "boxes";

  /** Name of the labels target. */
  public static final String LABELS = "labels";

  private Detection() {}

  /** The schema of a detection dataset with images of {@code [channels, height, width]}. */
  public static DatasetSchema schema(int channels, int height, int width, List<String> classes) {
    Map<String, TargetInfo> targets = new LinkedHashMap<>();
    targets.put(BOXES, new TargetInfo(TargetKind.DETECTION, new long[] {-1, 4}, classes));
    targets.put(LABELS, new TargetInfo(TargetKind.DETECTION, new long[] {-1}, classes));
    return new DatasetSchema(new long[] {channels, height, width}, List.of(), targets);
  }

  /** A detection sample; {@code boxes} holds {@code 4 * labels.length} values. */
  public static Sample sample(String id, Field image, float[] boxes, long[] labels) {
    if (boxes.length != 4 * labels.length) {
      throw new IllegalArgumentException(
          boxes.length + " box values for " + labels.length + " labels");
    }
    Map<String, Field> f = new LinkedHashMap<>();
    f.put(Batch.INPUT, image);
    f.put(BOXES, Field.floats(new long[] {labels.length, 4}, boxes));
    f.put(LABELS, Field.longs(new long[] {labels.length}, labels));
    return new Sample(id, f);
  }

  /** A copy of {@code sample} with other fields replaced. */
  public static Sample with(Sample sample, Map<String, Field> replaced) {
    Map<String, Field> f = new LinkedHashMap<>(sample.fields());
    f.putAll(replaced);
    return new Sample(sample.id(), f);
  }
}
