package io.holdout.api.detection;

/** Geometry of corner boxes {@code [x1, y1, x2, y2]} shared by decoding, NMS and detection metrics. */
public final class Boxes {
  private Boxes() {}

  /** IoU of two corner boxes; 0 when their union is empty. */
  public static double iou(double ax1, double ay1, double ax2, double ay2,
      double bx1, double by1, double bx2, double by2) {
    double iw = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
    double ih = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
    double inter = iw * ih;
    double union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
    return union <= 0 ? 0 : inter / union;
  }
}
