package io.holdout.api.detection;

import java.util.Objects;

/**
 * Ground-truth objects of one image: boxes as corners {@code [x1, y1, x2, y2]} ({@code 4n} values),
 * class ids, and which objects are marked difficult (Pascal VOC): a difficult object neither counts
 * as a miss nor makes a detection of it a false positive.
 */
public record BoxTruth(float[] boxes, int[] classes, boolean[] difficult) {
  public BoxTruth {
    Objects.requireNonNull(boxes, "boxes is null");
    Objects.requireNonNull(classes, "classes is null");
    checkBoxes(boxes, classes.length);
    difficult = difficult == null ? new boolean[classes.length] : difficult.clone();
    if (difficult.length != classes.length) {
      throw new IllegalArgumentException(difficult.length + " difficult flags for " + classes.length + " boxes");
    }
    boxes = boxes.clone();
    classes = classes.clone();
  }

  /** Objects none of which is difficult. */
  public static BoxTruth of(float[] boxes, int[] classes) {
    return new BoxTruth(boxes, classes, null);
  }

  /** Number of objects. */
  public int size() {
    return classes.length;
  }

  @Override
  public float[] boxes() {
    return boxes.clone();
  }

  @Override
  public int[] classes() {
    return classes.clone();
  }

  @Override
  public boolean[] difficult() {
    return difficult.clone();
  }

  /** Coordinate {@code k} (0: x1, 1: y1, 2: x2, 3: y2) of object {@code i}, without a copy. */
  public float box(int i, int k) {
    return boxes[4 * i + k];
  }

  /** The class id of object {@code i}. */
  public int classOf(int i) {
    return classes[i];
  }

  /** Whether object {@code i} is marked difficult. */
  public boolean isDifficult(int i) {
    return difficult[i];
  }

  static void checkBoxes(float[] boxes, int n) {
    if (boxes.length != 4L * n) {
      throw new IllegalArgumentException(boxes.length + " box values for " + n + " boxes (4 each)");
    }
    for (int i = 0; i < n; i++) {
      float x1 = boxes[4 * i];
      float y1 = boxes[4 * i + 1];
      float x2 = boxes[4 * i + 2];
      float y2 = boxes[4 * i + 3];
      if (!(x2 >= x1 && y2 >= y1)) {
        throw new IllegalArgumentException("box " + i + " [" + x1 + ", " + y1 + ", " + x2 + ", " + y2
            + "] is not [x1, y1, x2, y2] with x2 >= x1 and y2 >= y1");
      }
    }
  }
}
