package io.holdout.api.detection;

import java.util.Objects;

/**
 * Decoded detections of one image: {@code n} boxes as corners {@code [x1, y1, x2, y2]} (row-major,
 * {@code 4n} values, any consistent unit), each with a score and a class id.
 */
public record BoxPredictions(float[] boxes, float[] scores, int[] classes) {
  public BoxPredictions {
    Objects.requireNonNull(boxes, "boxes is null");
    Objects.requireNonNull(scores, "scores is null");
    Objects.requireNonNull(classes, "classes is null");
    BoxTruth.checkBoxes(boxes, classes.length);
    if (scores.length != classes.length) {
      throw new IllegalArgumentException(scores.length + " scores for " + classes.length + " boxes");
    }
    for (float s : scores) {
      if (Float.isNaN(s)) {
        throw new IllegalArgumentException("a detection score is NaN");
      }
    }
    boxes = boxes.clone();
    scores = scores.clone();
    classes = classes.clone();
  }

  /** No detections. */
  public static BoxPredictions none() {
    return new BoxPredictions(new float[0], new float[0], new int[0]);
  }

  /** Number of detections. */
  public int size() {
    return classes.length;
  }

  @Override
  public float[] boxes() {
    return boxes.clone();
  }

  @Override
  public float[] scores() {
    return scores.clone();
  }

  @Override
  public int[] classes() {
    return classes.clone();
  }

  /** Coordinate {@code k} (0: x1, 1: y1, 2: x2, 3: y2) of detection {@code i}, without a copy. */
  public float box(int i, int k) {
    return boxes[4 * i + k];
  }

  /** The score of detection {@code i}. */
  public float score(int i) {
    return scores[i];
  }

  /** The class id of detection {@code i}. */
  public int classOf(int i) {
    return classes[i];
  }
}
