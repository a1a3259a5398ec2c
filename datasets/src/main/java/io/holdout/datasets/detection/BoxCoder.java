package io.holdout.datasets.detection;

import java.util.Objects;

/**
 * SSD's centre/size box encoding relative to an anchor, with variances. For a box with centre
 * {@code (gx, gy)} and size {@code (gw, gh)} and an anchor with centre {@code (ax, ay)} and size
 * {@code (aw, ah)}:
 *
 * <pre>
 *   t_x = (gx - ax) / (aw · v_c)     t_w = ln(gw / aw) / v_s
 *   t_y = (gy - ay) / (ah · v_c)     t_h = ln(gh / ah) / v_s
 * </pre>
 *
 * <p>{@code v_c} is the centre variance (SSD: 0.1) and {@code v_s} the size variance (0.2): they
 * scale the offsets to roughly unit spread, which balances the localisation loss against the
 * classification loss. Decoding inverts it exactly: {@code gx = ax + t_x·aw·v_c}, {@code gw =
 * aw·exp(t_w·v_s)}. Boxes outside the encoder are corners {@code (xmin, ymin, xmax, ymax)}.
 *
 * @param centreVariance {@code v_c > 0}
 * @param sizeVariance {@code v_s > 0}
 */
public record BoxCoder(double centreVariance, double sizeVariance) {
  /**
   * Decoding caps {@code t_w·v_s} and {@code t_h·v_s} at {@code ln(1000/16)} (a box at most 62.5
   * times its anchor), so that a wild prediction cannot overflow to an infinite box.
   */
  public static final double MAX_LOG_SCALE = Math.log(1000.0 / 16);

  public BoxCoder {
    if (!(centreVariance > 0) || !(sizeVariance > 0)
        || Double.isInfinite(centreVariance) || Double.isInfinite(sizeVariance)) {
      throw new IllegalArgumentException(
          "box variances must be finite and > 0, got " + centreVariance + ", " + sizeVariance);
    }
  }

  /** SSD's variances (0.1, 0.2). */
  public static BoxCoder ssd() {
    return new BoxCoder(0.1, 0.2);
  }

  /**
   * Encodes the corner box {@code box[bo..bo+3]} against anchor {@code anchor} into {@code
   * out[oo..oo+3]}. The box must have positive width and height.
   */
  public void encode(float[] box, int bo, Anchors anchors, int anchor, float[] out, int oo) {
    double gw = (double) box[bo + 2] - box[bo];
    double gh = (double) box[bo + 3] - box[bo + 1];
    if (!(gw > 0 && gh > 0)) {
      throw new IllegalArgumentException("cannot encode a box without area: width " + gw + ", height " + gh);
    }
    double gx = ((double) box[bo] + box[bo + 2]) / 2;
    double gy = ((double) box[bo + 1] + box[bo + 3]) / 2;
    int a = 4 * anchor;
    double ax = anchors.centreAt(a);
    double ay = anchors.centreAt(a + 1);
    double aw = anchors.centreAt(a + 2);
    double ah = anchors.centreAt(a + 3);
    out[oo] = (float) ((gx - ax) / (aw * centreVariance));
    out[oo + 1] = (float) ((gy - ay) / (ah * centreVariance));
    out[oo + 2] = (float) (Math.log(gw / aw) / sizeVariance);
    out[oo + 3] = (float) (Math.log(gh / ah) / sizeVariance);
  }

  /** The offsets of corner box {@code box} (4 values) against anchor {@code anchor}. */
  public float[] encode(float[] box, Anchors anchors, int anchor) {
    Objects.requireNonNull(box, "box is null");
    float[] out = new float[4];
    encode(box, 0, anchors, anchor, out, 0);
    return out;
  }

  /** Decodes {@code offsets[oo..oo+3]} against anchor {@code anchor} into corners {@code out[bo..]}. */
  public void decode(float[] offsets, int oo, Anchors anchors, int anchor, float[] out, int bo) {
    int a = 4 * anchor;
    double aw = anchors.centreAt(a + 2);
    double ah = anchors.centreAt(a + 3);
    double cx = anchors.centreAt(a) + offsets[oo] * centreVariance * aw;
    double cy = anchors.centreAt(a + 1) + offsets[oo + 1] * centreVariance * ah;
    double w = aw * Math.exp(Math.min(offsets[oo + 2] * sizeVariance, MAX_LOG_SCALE));
    double h = ah * Math.exp(Math.min(offsets[oo + 3] * sizeVariance, MAX_LOG_SCALE));
    out[bo] = (float) (cx - w / 2);
    out[bo + 1] = (float) (cy - h / 2);
    out[bo + 2] = (float) (cx + w / 2);
    out[bo + 3] = (float) (cy + h / 2);
  }

  /** Decodes every anchor's offsets ({@code [A, 4]}) into corner boxes ({@code [A, 4]}), unclipped. */
  public float[] decodeAll(float[] offsets, Anchors anchors) {
    Objects.requireNonNull(offsets, "offsets is null");
    if (offsets.length != 4 * anchors.size()) {
      throw new IllegalArgumentException(
          offsets.length + " offset values for " + anchors.size() + " anchors (4 each)");
    }
    float[] out = new float[offsets.length];
    for (int a = 0; a < anchors.size(); a++) {
      decode(offsets, 4 * a, anchors, a, out, 4 * a);
    }
    return out;
  }
}
