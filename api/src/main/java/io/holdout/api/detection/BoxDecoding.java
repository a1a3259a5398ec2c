package io.holdout.api.detection;

import java.util.Objects;

/**
 * How an SSD detector's boxes are decoded, for an exporter that decodes them in the written file:
 * the multi-scale heads holding the box offsets ({@code [B, A, 4]}) and the class logits ({@code
 * [B, A, C + 1]}, background first), the anchors in centre form {@code (cx, cy, w, h)} normalised
 * to the image ({@code [A, 4]}, row-major, in the order the heads use) and the centre/size
 * encoding's variances. Exporters check the values; this record only keeps copies.
 *
 * @param locHead the head of box offsets, 4 values per anchor
 * @param confHead the head of class logits, background in column 0
 * @param anchors {@code [A, 4]} anchors in centre form, row-major; kept as a copy
 * @param centreVariance the centre variance (SSD: 0.1)
 * @param sizeVariance the size variance (SSD: 0.2)
 */
public record BoxDecoding(
    String locHead, String confHead, float[] anchors, double centreVariance, double sizeVariance) {

  public BoxDecoding {
    Objects.requireNonNull(locHead, "locHead is null");
    Objects.requireNonNull(confHead, "confHead is null");
    anchors = Objects.requireNonNull(anchors, "anchors is null").clone();
  }

  /** A copy of the anchors, {@code [A, 4]} in centre form. */
  @Override
  public float[] anchors() {
    return anchors.clone();
  }
}
