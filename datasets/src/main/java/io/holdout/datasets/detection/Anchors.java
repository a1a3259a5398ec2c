package io.holdout.datasets.detection;

import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * SSD default boxes ("anchors"), in normalised image coordinates, in the order a multi-scale head
 * emits its rows: feature map by feature map (the head's taps in order), then row {@code y}, column
 * {@code x}, then anchor {@code a} within the cell.
 *
 * <p>The recipe ({@link #ssd}), for feature maps {@code k = 1..K} of {@code H_k × W_k} cells, sizes
 * {@code s_1 < … < s_{K+1}} (fractions of the image side) and extra aspect ratios {@code r_1, …,
 * r_n} (each {@code > 1}):
 *
 * <ul>
 *   <li>cell {@code (y, x)} of map {@code k} is centred at {@code ((x + 0.5) / W_k, (y + 0.5) /
 *       H_k)};
 *   <li>its anchors, in this order: a square of side {@code s_k}; a square of side {@code s'_k =
 *       sqrt(s_k · s_{k+1})}; then for each ratio {@code r}: a wide box {@code w = s_k·sqrt(r), h =
 *       s_k/sqrt(r)} and a tall box {@code w = s_k/sqrt(r), h = s_k·sqrt(r)} — so ratios {@code 2,
 *       3} give aspect ratios 1, 1 (larger), 2, 1/2, 3, 1/3 and {@code 2 + 2n = 6} anchors per cell;
 *   <li>each box's corners {@code (cx ∓ w/2, cy ∓ h/2)} are clipped to {@code [0, 1]}, and its
 *       centre and size are then recomputed from the clipped corners (so both forms describe the
 *       same box).
 * </ul>
 *
 * <p>The anchors are immutable; accessors return copies.
 */
public final class Anchors {
  private final float[] corners;
  private final float[] centres;
  private final int perLocation;

  private Anchors(float[] corners, int perLocation) {
    this.corners = corners;
    this.perLocation = perLocation;
    this.centres = new float[corners.length];
    for (int i = 0; i < corners.length; i += 4) {
      centres[i] = (corners[i] + corners[i + 2]) / 2;
      centres[i + 1] = (corners[i + 1] + corners[i + 3]) / 2;
      centres[i + 2] = corners[i + 2] - corners[i];
      centres[i + 3] = corners[i + 3] - corners[i + 1];
    }
  }

  /** Anchors per feature-map cell for {@code ratios.length} extra aspect ratios: {@code 2 + 2n}. */
  public static int perLocation(double[] ratios) {
    return 2 + 2 * ratios.length;
  }

  /**
   * The SSD recipe above.
   *
   * @param mapSizes {@code K} feature maps as {@code {height, width}} in cells, in head tap order
   * @param sizes {@code K + 1} anchor sizes {@code s_1..s_{K+1}}, fractions of the image side,
   *     positive and non-decreasing (the last only sets {@code s'_K})
   * @param ratios extra aspect ratios, each {@code > 1} (e.g. {@code {2, 3}})
   */
  public static Anchors ssd(int[][] mapSizes, double[] sizes, double[] ratios) {
    Objects.requireNonNull(mapSizes, "mapSizes is null");
    Objects.requireNonNull(sizes, "sizes is null");
    Objects.requireNonNull(ratios, "ratios is null");
    int k = mapSizes.length;
    if (k == 0) {
      throw new IllegalArgumentException("anchors need at least one feature map");
    }
    if (sizes.length != k + 1) {
      throw new IllegalArgumentException(
          k + " feature maps need " + (k + 1) + " anchor sizes (one per map and one beyond the last),"
              + " got " + sizes.length + ": " + Arrays.toString(sizes));
    }
    for (int i = 0; i < sizes.length; i++) {
      if (!(sizes[i] > 0) || Double.isInfinite(sizes[i]) || (i > 0 && sizes[i] < sizes[i - 1])) {
        throw new IllegalArgumentException(
            "anchor sizes must be positive, finite and non-decreasing: " + Arrays.toString(sizes));
      }
    }
    for (double r : ratios) {
      if (!(r > 1) || Double.isInfinite(r)) {
        throw new IllegalArgumentException(
            "extra aspect ratios must be finite and > 1 (each adds r and 1/r): " + Arrays.toString(ratios));
      }
    }
    int per = perLocation(ratios);
    long total = 0;
    for (int[] m : mapSizes) {
      if (m == null || m.length != 2 || m[0] <= 0 || m[1] <= 0) {
        throw new IllegalArgumentException(
            "a feature map size is {height, width} > 0, got " + Arrays.toString(m));
      }
      total += (long) m[0] * m[1] * per;
    }
    float[] corners = new float[Math.toIntExact(total * 4)];
    int o = 0;
    double[] w = new double[per];
    double[] h = new double[per];
    for (int m = 0; m < k; m++) {
      double s = sizes[m];
      double big = Math.sqrt(sizes[m] * sizes[m + 1]);
      w[0] = s;
      h[0] = s;
      w[1] = big;
      h[1] = big;
      for (int j = 0; j < ratios.length; j++) {
        double q = Math.sqrt(ratios[j]);
        w[2 + 2 * j] = s * q;
        h[2 + 2 * j] = s / q;
        w[3 + 2 * j] = s / q;
        h[3 + 2 * j] = s * q;
      }
      int rows = mapSizes[m][0];
      int cols = mapSizes[m][1];
      for (int y = 0; y < rows; y++) {
        double cy = (y + 0.5) / rows;
        for (int x = 0; x < cols; x++) {
          double cx = (x + 0.5) / cols;
          for (int a = 0; a < per; a++) {
            corners[o++] = clip(cx - w[a] / 2);
            corners[o++] = clip(cy - h[a] / 2);
            corners[o++] = clip(cx + w[a] / 2);
            corners[o++] = clip(cy + h[a] / 2);
          }
        }
      }
    }
    return new Anchors(corners, per);
  }

  /**
   * The anchors of multi-scale head {@code head} of {@code model}: its taps' feature-map sizes,
   * with the recipe of {@link #ssd}. The head's {@code anchorsPerLocation} must be {@code 2 + 2 ·
   * ratios.length}.
   */
  public static Anchors forHead(ModelSpec model, String head, double[] sizes, double[] ratios) {
    Objects.requireNonNull(model, "model is null");
    Objects.requireNonNull(ratios, "ratios is null");
    HeadSpec h = model.head(head);
    if (!h.isMultiScale()) {
      throw new IllegalArgumentException("head '" + head + "' is not a multi-scale head (it has no taps)");
    }
    if (h.anchorsPerLocation() != perLocation(ratios)) {
      throw new IllegalArgumentException(
          "head '" + head + "' has " + h.anchorsPerLocation() + " anchors per location but "
              + ratios.length + " extra aspect ratios give " + perLocation(ratios));
    }
    List<long[]> maps = model.tapShapes(head);
    List<int[]> sizesHw = new ArrayList<>();
    for (long[] s : maps) {
      sizesHw.add(new int[] {(int) s[1], (int) s[2]});
    }
    return ssd(sizesHw.toArray(new int[0][]), sizes, ratios);
  }

  /** Wraps given anchors, {@code [A, 4]} corners {@code (xmin, ymin, xmax, ymax)}. */
  public static Anchors ofCorners(float[] corners, int perLocation) {
    Objects.requireNonNull(corners, "corners is null");
    if (corners.length % 4 != 0 || corners.length == 0) {
      throw new IllegalArgumentException("anchors need 4 corner values each, got " + corners.length);
    }
    for (int i = 0; i < corners.length; i += 4) {
      if (!(corners[i + 2] > corners[i] && corners[i + 3] > corners[i + 1])) {
        throw new IllegalArgumentException("anchor " + i / 4 + " has no area");
      }
    }
    return new Anchors(corners.clone(), perLocation);
  }

  private static float clip(double v) {
    return (float) Math.min(1, Math.max(0, v));
  }

  /** Number of anchors {@code A}. */
  public int size() {
    return corners.length / 4;
  }

  /** Anchors per feature-map cell. */
  public int perLocation() {
    return perLocation;
  }

  /** {@code [A, 4]} corners {@code (xmin, ymin, xmax, ymax)}, a copy. */
  public float[] corners() {
    return corners.clone();
  }

  /** {@code [A, 4]} centre form {@code (cx, cy, w, h)}, a copy. */
  public float[] centres() {
    return centres.clone();
  }

  float cornerAt(int i) {
    return corners[i];
  }

  float centreAt(int i) {
    return centres[i];
  }

  @Override
  public String toString() {
    return "Anchors[" + size() + ", " + perLocation + " per location]";
  }
}
