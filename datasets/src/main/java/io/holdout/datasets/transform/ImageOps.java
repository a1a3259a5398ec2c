package io.holdout.datasets.transform;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.tensor.DType;
import java.util.Arrays;

/** Pixel operations shared by the image transforms and sources. */
public final class ImageOps {
  private ImageOps() {}

  /** The input as an image {@code [C, H, W]} float field, or an error naming the sample. */
  static Field image(Sample s, String transform) {
    Field in = s.input();
    if (in.dtype() != DType.FLOAT32 || in.shape().length != 3) {
      throw new HoldoutException(
          transform
              + ": sample "
              + s.id()
              + " has input "
              + in.dtype()
              + Arrays.toString(in.shape())
              + ", not an image [C, H, W]");
    }
    return in;
  }

  /** Bilinear resize of a {@code [C, H, W]} plane stack, half-pixel centres, edges clamped. */
  public static float[] resize(float[] src, int c, int h, int w, int oh, int ow) {
    float[] out = new float[c * oh * ow];
    float sy = (float) h / oh;
    float sx = (float) w / ow;
    int[] x0 = new int[ow];
    int[] x1 = new int[ow];
    float[] fx = new float[ow];
    for (int x = 0; x < ow; x++) {
      float px = Math.max(0f, (x + 0.5f) * sx - 0.5f);
      x0[x] = Math.min((int) px, w - 1);
      x1[x] = Math.min(x0[x] + 1, w - 1);
      fx[x] = px - (int) px;
      if (x0[x] == w - 1) {
        fx[x] = 0;
      }
    }
    for (int y = 0; y < oh; y++) {
      float py = Math.max(0f, (y + 0.5f) * sy - 0.5f);
      int y0 = Math.min((int) py, h - 1);
      int y1 = Math.min(y0 + 1, h - 1);
      float fy = y0 == h - 1 ? 0 : py - (int) py;
      for (int ch = 0; ch < c; ch++) {
        int base = ch * h * w;
        int r0 = base + y0 * w;
        int r1 = base + y1 * w;
        int o = ch * oh * ow + y * ow;
        for (int x = 0; x < ow; x++) {
          float top = src[r0 + x0[x]] + (src[r0 + x1[x]] - src[r0 + x0[x]]) * fx[x];
          float bot = src[r1 + x0[x]] + (src[r1 + x1[x]] - src[r1 + x0[x]]) * fx[x];
          out[o + x] = top + (bot - top) * fy;
        }
      }
    }
    return out;
  }
}
