package io.holdout.datasets.detection;

import java.util.Arrays;
import java.util.Objects;

/**
 * Assigns ground-truth boxes to anchors, as SSD does:
 *
 * <ol>
 *   <li>each anchor takes the ground-truth box it overlaps most (highest IoU; ties: the earlier
 *       box), and keeps it when that IoU is {@code >= threshold} (default 0.5); otherwise it is
 *       background;
 *   <li>then each ground-truth box, in order, is forced onto its own best anchor (highest IoU; ties:
 *       the lower anchor index), whatever the threshold, so that every object has at least one
 *       positive anchor. When two boxes share a best anchor, the later box keeps it.
 * </ol>
 *
 * <p>Boxes without area (width or height {@code <= 0}) are not matched. IoU is that of corner
 * boxes, {@code intersection / union}.
 */
public final class AnchorMatcher {
  /** SSD's matching threshold. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  private final Anchors anchors;
  private final double threshold;

  public AnchorMatcher(Anchors anchors, double threshold) {
    this.anchors = Objects.requireNonNull(anchors, "anchors is null");
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("IoU threshold must be in (0, 1], got " + threshold);
    }
    this.threshold = threshold;
  }

  public AnchorMatcher(Anchors anchors) {
    this(anchors, DEFAULT_THRESHOLD);
  }

  public Anchors anchors() {
    return anchors;
  }

  public double threshold() {
    return threshold;
  }

  /**
   * The ground-truth box each anchor is assigned, or {@code -1} for background.
   *
   * @param boxes {@code [M, 4]} corners, normalised
   * @return {@code [A]} indices into {@code boxes}
   */
  public int[] match(float[] boxes) {
    Objects.requireNonNull(boxes, "boxes is null");
    if (boxes.length % 4 != 0) {
      throw new IllegalArgumentException(boxes.length + " box values are not 4 per box");
    }
    int m = boxes.length / 4;
    int a = anchors.size();
    int[] assigned = new int[a];
    Arrays.fill(assigned, -1);
    double[] best = new double[a];
    int[] bestAnchor = new int[m];
    double[] bestAnchorIou = new double[m];
    Arrays.fill(bestAnchor, -1);
    Arrays.fill(bestAnchorIou, -1);
    for (int g = 0; g < m; g++) {
      float x1 = boxes[4 * g];
      float y1 = boxes[4 * g + 1];
      float x2 = boxes[4 * g + 2];
      float y2 = boxes[4 * g + 3];
      double area = ((double) x2 - x1) * ((double) y2 - y1);
      if (!(x2 > x1 && y2 > y1)) {
        continue;
      }
      for (int i = 0; i < a; i++) {
        double iou = iou(x1, y1, x2, y2, area, i);
        if (iou > best[i]) {
          best[i] = iou;
          assigned[i] = g;
        }
        if (iou > bestAnchorIou[g]) {
          bestAnchorIou[g] = iou;
          bestAnchor[g] = i;
        }
      }
    }
    for (int i = 0; i < a; i++) {
      if (best[i] < threshold) {
        assigned[i] = -1;
      }
    }
    for (int g = 0; g < m; g++) {
      if (bestAnchorIou[g] > 0) {
        assigned[bestAnchor[g]] = g;
      }
    }
    return assigned;
  }

  private double iou(float x1, float y1, float x2, float y2, double area, int anchor) {
    int o = 4 * anchor;
    double ax1 = anchors.cornerAt(o);
    double ay1 = anchors.cornerAt(o + 1);
    double ax2 = anchors.cornerAt(o + 2);
    double ay2 = anchors.cornerAt(o + 3);
    double iw = Math.min(x2, ax2) - Math.max(x1, ax1);
    if (iw <= 0) {
      return 0;
    }
    double ih = Math.min(y2, ay2) - Math.max(y1, ay1);
    if (ih <= 0) {
      return 0;
    }
    double inter = iw * ih;
    return inter / (area + (ax2 - ax1) * (ay2 - ay1) - inter);
  }
}
