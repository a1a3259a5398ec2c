package io.holdout.api.config;

import java.util.List;

/**
 * How an SSD-style detector turns boxes into per-anchor targets and back. Present only for detection
 * experiments (data sources {@code shapes}, {@code voc}, {@code coco}). See docs/detection.md.
 *
 * @param loc the head that predicts box offsets (default {@code loc})
 * @param conf the head that predicts class logits, background included (default {@code conf})
 * @param anchors default boxes per feature map
 * @param matchIou an anchor is positive when its IoU with a box reaches this (default 0.5); each box
 *     also takes its best anchor
 * @param variances centre and size variances of the box encoding (default {@code [0.1, 0.2]})
 * @param nms how detections are kept when measuring mAP and predicting
 * @param flip probability of a horizontal flip of each training image, boxes included (default 0)
 */
public record DetectionConfig(
    String loc,
    String conf,
    AnchorConfig anchors,
    Double matchIou,
    List<Double> variances,
    NmsConfig nms,
    Double flip) {

  /**
   * @param sizes one size per feature map plus one beyond the last, fractions of the image side,
   *     non-decreasing (e.g. {@code [0.2, 0.35, 0.55, 0.75]} for three maps)
   * @param ratios extra aspect ratios, each {@code > 1} (default {@code [2, 3]}: 6 boxes per cell)
   */
  public record AnchorConfig(List<Double> sizes, List<Double> ratios) {}

  /**
   * @param iou suppress a box overlapping a kept one of its class by more than this (default 0.45)
   * @param score ignore class probabilities at or below this (default 0.01)
   * @param preTopK candidates per class before suppression (default 200)
   * @param topK detections kept per image (default 100)
   */
  public record NmsConfig(Double iou, Double score, Integer preTopK, Integer topK) {}
}
