package io.holdout.datasets.detection;

import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.BoxTruth;
import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.metrics.DetectionMap;
import io.holdout.losses.metrics.DetectionMapResult;
import io.holdout.losses.metrics.ResamplableMetric;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Detection mAP as a trainer {@link Metric}: each evaluation batch's box offsets and class logits
 * are decoded and suppressed ({@link BoxDecoder}) and matched against the batch's ground truth
 * ({@link GroundTruth#of(Batch)}, the raw boxes that {@link BoxEncoder} keeps). Named {@code
 * mAP@0.5} for {@link DetectionMap#voc()} and {@code mAP@[.5:.95]} for {@link DetectionMap#coco()}.
 * Its bootstrap resamples images.
 */
public final class DetectionMapMetric implements ResamplableMetric {
  private final String name;
  private final BoxDecoder decoder;
  private final String locHead;
  private final String confHead;
  private final DetectionMap map;

  private DetectionMapMetric(String name, BoxDecoder decoder, String locHead, String confHead, DetectionMap map) {
    this.name = name;
    this.decoder = Objects.requireNonNull(decoder, "decoder is null");
    this.locHead = Objects.requireNonNull(locHead, "locHead is null");
    this.confHead = Objects.requireNonNull(confHead, "confHead is null");
    this.map = map;
  }

  /** Pascal VOC mAP at IoU 0.5 (all-point interpolation). */
  public static DetectionMapMetric voc(BoxDecoder decoder, String locHead, String confHead) {
    return new DetectionMapMetric("mAP@0.5", decoder, locHead, confHead, DetectionMap.voc());
  }

  /** COCO mAP averaged over IoU 0.50, 0.55, ..., 0.95. */
  public static DetectionMapMetric coco(BoxDecoder decoder, String locHead, String confHead) {
    return new DetectionMapMetric("mAP@[.5:.95]", decoder, locHead, confHead, DetectionMap.coco());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  public void reset() {
    map.reset();
  }

  @Override
  public int sampleCount() {
    return map.images();
  }

  @Override
  public double valueOn(int[] indices) {
    return map.valueOn(indices);
  }

  @Override
  public void update(Map<String, Tensor> outputs, Batch batch) {
    Tensor loc = outputs.get(locHead);
    Tensor conf = outputs.get(confHead);
    if (loc == null || conf == null) {
      throw new IllegalArgumentException("mAP needs head outputs '" + locHead + "' and '" + confHead + "', got "
          + outputs.keySet());
    }
    List<BoxTruth> truth = GroundTruth.of(batch);
    List<BoxPredictions> predictions = decoder.decode(loc, conf);
    for (int i = 0; i < truth.size(); i++) {
      map.add(truth.get(i), predictions.get(i));
    }
  }

  @Override
  public double value() {
    return map.value();
  }

  /** Per-class AP and counts of what was added since the last reset. */
  public DetectionMapResult result() {
    return map.result();
  }
}
