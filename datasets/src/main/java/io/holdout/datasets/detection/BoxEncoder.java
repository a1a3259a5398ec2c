package io.holdout.datasets.detection;

import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.datasets.Detection;
import io.holdout.datasets.transform.SampleTransform;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * SSD target encoding as a loader transform: matches a {@link Detection} sample's objects to the
 * anchors ({@link AnchorMatcher}) and encodes them ({@link BoxCoder}), so batches need no padding
 * for the loss. It runs in the loader's workers; add it last, after any augmentation that moves
 * boxes.
 *
 * <p>It replaces the sample's variable-length fields by fixed-size ones and keeps the originals
 * under new names:
 *
 * <ul>
 *   <li>{@value Detection#BOXES}: float32 {@code [A, 4]}, the encoded offsets of each anchor's
 *       assigned object (0 for background anchors);
 *   <li>{@value Detection#LABELS}: int64 {@code [A]}, {@code 0} for background, otherwise the
 *       assigned object's 1-based class;
 *   <li>{@value #GT_BOXES}: float32 {@code [M, 4]}, the raw corner boxes, normalised;
 *   <li>{@value #GT_LABELS}: int64 {@code [M]}, their 1-based classes.
 * </ul>
 *
 * <p>The raw fields vary in length, so the loader must pad them: build it with {@code
 * optPadded(BoxEncoder.GT_BOXES, BoxEncoder.GT_LABELS)} (padding rows are boxes of zeros with label
 * {@code -1}, which {@link GroundTruth} skips). Losses read {@code boxes}/{@code labels}
 * ({@code multibox_loc} with parameter {@code labels: labels}, {@code multibox_conf}); mAP reads the
 * raw fields through {@link GroundTruth}.
 */
public final class BoxEncoder implements SampleTransform {
  /** The raw ground-truth boxes, {@code [M, 4]}, kept for evaluation. */
  public static final String GT_BOXES = "gt_boxes";

  /** The raw ground-truth labels, {@code [M]}, kept for evaluation. */
  public static final String GT_LABELS = "gt_labels";

  private final AnchorMatcher matcher;
  private final BoxCoder coder;

  public BoxEncoder(AnchorMatcher matcher, BoxCoder coder) {
    this.matcher = Objects.requireNonNull(matcher, "matcher is null");
    this.coder = Objects.requireNonNull(coder, "coder is null");
  }

  /** SSD defaults: IoU threshold 0.5, variances (0.1, 0.2). */
  public BoxEncoder(Anchors anchors) {
    this(new AnchorMatcher(anchors), BoxCoder.ssd());
  }

  public AnchorMatcher matcher() {
    return matcher;
  }

  public BoxCoder coder() {
    return coder;
  }

  /** The fields that vary in length after encoding, for the loader's {@code optPadded}. */
  public static String[] paddedFields() {
    return new String[] {GT_BOXES, GT_LABELS};
  }

  /** Encoded targets of one image. */
  public record Targets(float[] offsets, long[] labels) {}

  /**
   * Encodes one image's objects.
   *
   * @param boxes {@code [M, 4]} corners, normalised
   * @param labels {@code [M]} classes, each {@code >= 1}
   */
  public Targets encode(float[] boxes, long[] labels) {
    Objects.requireNonNull(boxes, "boxes is null");
    Objects.requireNonNull(labels, "labels is null");
    if (boxes.length != 4 * labels.length) {
      throw new IllegalArgumentException(boxes.length + " box values for " + labels.length + " labels");
    }
    for (int g = 0; g < labels.length; g++) {
      if (labels[g] < 1) {
        throw new IllegalArgumentException(
            "object " + g + " has label " + labels[g] + " but classes are 1-based (0 is background)");
      }
    }
    Anchors anchors = matcher.anchors();
    int[] assigned = matcher.match(boxes);
    float[] offsets = new float[4 * anchors.size()];
    long[] out = new long[anchors.size()];
    for (int a = 0; a < assigned.length; a++) {
      int g = assigned[a];
      if (g >= 0) {
        out[a] = labels[g];
        coder.encode(boxes, 4 * g, anchors, a, offsets, 4 * a);
      }
    }
    return new Targets(offsets, out);
  }

  @Override
  public Sample apply(Sample sample, RandomGenerator rng) {
    Field boxes = sample.field(Detection.BOXES);
    Field labels = sample.field(Detection.LABELS);
    Targets t = encode(boxes.floats(), labels.longs());
    int a = matcher.anchors().size();
    Map<String, Field> f = new LinkedHashMap<>();
    f.put(Detection.BOXES, Field.floats(new long[] {a, 4}, t.offsets()));
    f.put(Detection.LABELS, Field.longs(new long[] {a}, t.labels()));
    f.put(GT_BOXES, boxes);
    f.put(GT_LABELS, labels);
    return Detection.with(sample, f);
  }
}
