package io.holdout.datasets.detection;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.BoxTruth;
import io.holdout.api.tensor.Batch;
import io.holdout.losses.metrics.DetectionMap;
import io.holdout.losses.metrics.DetectionMapResult;
import java.util.List;
import java.util.Objects;

/**
 * Accumulates detection mAP over evaluation batches of an SSD model: decodes each {@link
 * EvalResult}'s box and class outputs ({@link BoxDecoder}), reads the batch's ground truth ({@link
 * GroundTruth#of(Batch)}) and adds both to a {@link DetectionMap}. Not thread-safe.
 */
public final class DetectionEvaluator {
  private final BoxDecoder decoder;
  private final String locHead;
  private final String confHead;
  private final DetectionMap map;

  /**
   * @param locHead the head that outputs box offsets {@code [B, A, 4]}
   * @param confHead the head that outputs class logits {@code [B, A, classes + 1]}
   * @param map where the images go, e.g. {@link DetectionMap#voc()} for mAP@0.5
   */
  public DetectionEvaluator(BoxDecoder decoder, String locHead, String confHead, DetectionMap map) {
    this.decoder = Objects.requireNonNull(decoder, "decoder is null");
    this.locHead = Objects.requireNonNull(locHead, "locHead is null");
    this.confHead = Objects.requireNonNull(confHead, "confHead is null");
    this.map = Objects.requireNonNull(map, "map is null");
  }

  /** Adds every image of {@code batch}, whose evaluation step returned {@code result}. */
  public void add(Batch batch, EvalResult result) {
    List<BoxTruth> truth = GroundTruth.of(batch);
    List<BoxPredictions> predictions = decoder.decode(result, locHead, confHead);
    for (int i = 0; i < truth.size(); i++) {
      map.add(truth.get(i), predictions.get(i));
    }
  }

  public DetectionMapResult result() {
    return map.result();
  }

  /** The mAP so far. */
  public double value() {
    return map.value();
  }

  public int images() {
    return map.images();
  }

  public void reset() {
    map.reset();
  }
}
