package io.holdout.engine.onnx;

import java.util.Objects;

/**
 * What an exported SSD model needs to decode its boxes in the graph: the multi-scale heads holding
 * the box offsets ({@code [B, A, 4]}) and the class logits ({@code [B, A, C + 1]}, background
 * first), the anchors and the encoding's variances.
 *
 * <p>Decoding inverts SSD's centre/size encoding per anchor {@code (ax, ay, aw, ah)} and offsets
 * {@code (tx, ty, tw, th)}: {@code cx = ax + tx·v_c·aw}, {@code cy = ay + ty·v_c·ah}, {@code w =
 * aw·exp(min(tw·v_s, ln(1000/16)))}, {@code h = ah·exp(min(th·v_s, ln(1000/16)))}; the box is {@code
 * (cx - w/2, cy - h/2, cx + w/2, cy + h/2)}, clipped to {@code [0, 1]}. This is what the datasets
 * module's {@code BoxCoder} and {@code BoxDecoder} compute, so pass the anchors in the same order
 * (e.g. {@code Anchors.centres()}) and the coder's variances.
 *
 * @param locHead the head of box offsets, 4 values per anchor
 * @param confHead the head of class logits, background in column 0
 * @param anchors {@code [A, 4]} anchors in centre form {@code (cx, cy, w, h)}, normalised to the
 *     image, row-major; kept as a copy
 * @param centreVariance {@code v_c > 0} (SSD: 0.1)
 * @param sizeVariance {@code v_s > 0} (SSD: 0.2)
 */
public record SsdDecoding(
    String locHead, String confHead, float[] anchors, double centreVariance, double sizeVariance) {

  /** The cap on {@code tw·v_s} and {@code th·v_s}: a box is at most 62.5 times its anchor. */
  public static final double MAX_LOG_SCALE = Math.log(1000.0 / 16);

  public SsdDecoding {
    Objects.requireNonNull(locHead, "locHead is null");
    Objects.requireNonNull(confHead, "confHead is null");
    Objects.requireNonNull(anchors, "anchors is null");
    if (anchors.length == 0 || anchors.length % 4 != 0) {
      throw new IllegalArgumentException("anchors need 4 values (cx, cy, w, h) each, got " + anchors.length);
    }
    for (int i = 0; i < anchors.length; i += 4) {
      if (!(anchors[i + 2] > 0 && anchors[i + 3] > 0) || !Float.isFinite(anchors[i])
          || !Float.isFinite(anchors[i + 1]) || !Float.isFinite(anchors[i + 2]) || !Float.isFinite(anchors[i + 3])) {
        throw new IllegalArgumentException("anchor " + i / 4 + " needs a finite centre and a positive,"
            + " finite size, got (" + anchors[i] + ", " + anchors[i + 1] + ", " + anchors[i + 2] + ", "
            + anchors[i + 3] + ")");
      }
    }
    if (!(centreVariance > 0) || !(sizeVariance > 0)
        || Double.isInfinite(centreVariance) || Double.isInfinite(sizeVariance)) {
      throw new IllegalArgumentException(
          "box variances must be finite and > 0, got " + centreVariance + ", " + sizeVariance);
    }
    anchors = anchors.clone();
  }

  /** SSD's usual set-up: heads {@code loc} and {@code conf}, variances (0.1, 0.2). */
  public static SsdDecoding ssd(float[] anchorCentres) {
    return new SsdDecoding("loc", "conf", anchorCentres, 0.1, 0.2);
  }

  /** A copy of the anchors, {@code [A, 4]} in centre form. */
  @Override
  public float[] anchors() {
    return anchors.clone();
  }

  /** Number of anchors {@code A}. */
  public int size() {
    return anchors.length / 4;
  }
}
