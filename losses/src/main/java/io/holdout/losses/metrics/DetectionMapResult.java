package io.holdout.losses.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Mean average precision of a set of images.
 *
 * @param map the mean over IoU thresholds of the mean AP over classes; NaN when no class has a
 *     (non-difficult) ground-truth object
 * @param perClass each class's AP, averaged over the IoU thresholds, for classes with ground truth
 *     (in class-id order)
 * @param perThreshold the mAP at each IoU threshold, in increasing threshold order
 */
public record DetectionMapResult(
    double map, Map<Integer, Double> perClass, Map<Double, Double> perThreshold) {
  public DetectionMapResult {
    perClass = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(perClass, "perClass is null")));
    perThreshold = Collections.unmodifiableMap(
        new LinkedHashMap<>(Objects.requireNonNull(perThreshold, "perThreshold is null")));
  }
}
