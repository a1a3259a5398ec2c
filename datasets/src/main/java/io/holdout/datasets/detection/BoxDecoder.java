package io.holdout.datasets.detection;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns an SSD model's raw outputs into detections: per image, the box offsets {@code [A, 4]} are
 * decoded against the anchors ({@link BoxCoder}) and clipped to {@code [0, 1]}, the class logits
 * {@code [A, C]} (column 0 the background) become probabilities by a softmax per anchor, and
 * per-class {@link Nms} picks the detections. Boxes come out as normalised corners {@code (xmin,
 * ymin, xmax, ymax)} with 1-based classes, as in the {@link io.holdout.datasets.Detection} layout
 * and {@link GroundTruth}. Thread-safe (stateless).
 */
public final class BoxDecoder {
  private final Anchors anchors;
  private final BoxCoder coder;
  private final Nms nms;

  public BoxDecoder(Anchors anchors, BoxCoder coder, Nms nms) {
    this.anchors = Objects.requireNonNull(anchors, "anchors is null");
    this.coder = Objects.requireNonNull(coder, "coder is null");
    this.nms = Objects.requireNonNull(nms, "nms is null");
  }

  /** The decoder matching {@code encoder}'s anchors and variances. */
  public static BoxDecoder matching(BoxEncoder encoder, Nms nms) {
    return new BoxDecoder(encoder.matcher().anchors(), encoder.coder(), nms);
  }

  public Anchors anchors() {
    return anchors;
  }

  public Nms nms() {
    return nms;
  }

  /**
   * The detections of one image.
   *
   * @param offsets {@code [A, 4]} predicted offsets
   * @param logits {@code [A, C]} class logits
   * @param classes {@code C}, the background included
   */
  public BoxPredictions decode(float[] offsets, float[] logits, int classes) {
    Objects.requireNonNull(logits, "logits is null");
    int a = anchors.size();
    if (logits.length != (long) a * classes) {
      throw new IllegalArgumentException(
          logits.length + " logits are not " + a + " anchors × " + classes + " classes");
    }
    float[] boxes = coder.decodeAll(offsets, anchors);
    for (int i = 0; i < boxes.length; i++) {
      boxes[i] = Math.min(1f, Math.max(0f, boxes[i]));
    }
    return nms.apply(boxes, softmax(logits, classes), classes);
  }

  /**
   * The detections of each image of a batch.
   *
   * @param loc {@code [B, A, 4]} offsets
   * @param conf {@code [B, A, C]} logits
   */
  public List<BoxPredictions> decode(Tensor loc, Tensor conf) {
    Objects.requireNonNull(loc, "loc is null");
    Objects.requireNonNull(conf, "conf is null");
    int a = anchors.size();
    if (loc.rank() != 3 || loc.dim(1) != a || loc.dim(2) != 4) {
      throw new IllegalArgumentException("box offsets " + loc + " are not [batch, " + a + ", 4]");
    }
    if (conf.rank() != 3 || conf.dim(0) != loc.dim(0) || conf.dim(1) != a || conf.dim(2) < 2) {
      throw new IllegalArgumentException(
          "class logits " + conf + " are not [" + loc.dim(0) + ", " + a + ", classes + 1]");
    }
    int b = (int) loc.dim(0);
    int classes = (int) conf.dim(2);
    float[] l = loc.toFloatArray();
    float[] c = conf.toFloatArray();
    List<BoxPredictions> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      float[] li = java.util.Arrays.copyOfRange(l, i * a * 4, (i + 1) * a * 4);
      float[] ci = java.util.Arrays.copyOfRange(c, i * a * classes, (i + 1) * a * classes);
      out.add(decode(li, ci, classes));
    }
    return out;
  }

  /** The detections of each image, from the outputs {@code locHead} and {@code confHead}. */
  public List<BoxPredictions> decode(EvalResult result, String locHead, String confHead) {
    Objects.requireNonNull(result, "result is null");
    return decode(output(result, locHead), output(result, confHead));
  }

  private static Tensor output(EvalResult r, String head) {
    Tensor t = r.outputs().get(head);
    if (t == null) {
      throw new IllegalArgumentException("no output '" + head + "' (outputs: " + r.outputs().keySet() + ")");
    }
    return t;
  }

  /** Softmax over each row of {@code [A, C]} logits. */
  static float[] softmax(float[] logits, int classes) {
    float[] p = new float[logits.length];
    for (int o = 0; o < logits.length; o += classes) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits[o + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        double e = Math.exp(logits[o + c] - max);
        p[o + c] = (float) e;
        sum += e;
      }
      for (int c = 0; c < classes; c++) {
        p[o + c] = (float) (p[o + c] / sum);
      }
    }
    return p;
  }
}
