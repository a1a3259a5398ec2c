package io.holdout.datasets.detection;

import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.Boxes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Per-class greedy non-maximum suppression over one image's decoded boxes and class probabilities.
 *
 * <p>For each class {@code c >= 1} (0 is the background and never reported): the boxes whose
 * probability for {@code c} is {@code > scoreThreshold} are ranked by it (highest first; ties: the
 * lower anchor index), the first {@code preNmsTopK} kept as candidates, and then, in rank order,
 * a candidate is kept unless its IoU with a box already kept for {@code c} is {@code >
 * iouThreshold}. The kept boxes of all classes are ranked by score again (ties: lower class, then
 * lower anchor index) and the first {@code topK} are the image's detections. An anchor may thus
 * report several classes.
 *
 * @param iouThreshold suppress a box overlapping a kept one by more than this (SSD: 0.45)
 * @param scoreThreshold ignore probabilities at or below this (0.01 for mAP, higher for display)
 * @param preNmsTopK candidates per class before suppression
 * @param topK detections kept per image
 */
public record Nms(double iouThreshold, double scoreThreshold, int preNmsTopK, int topK) {
  public Nms {
    if (!(iouThreshold > 0 && iouThreshold <= 1)) {
      throw new IllegalArgumentException("NMS IoU threshold must be in (0, 1], got " + iouThreshold);
    }
    if (!(scoreThreshold >= 0 && scoreThreshold < 1)) {
      throw new IllegalArgumentException("score threshold must be in [0, 1), got " + scoreThreshold);
    }
    if (preNmsTopK <= 0 || topK <= 0) {
      throw new IllegalArgumentException("NMS top-k values must be > 0, got " + preNmsTopK + ", " + topK);
    }
  }

  /** Settings for measuring mAP: IoU 0.45, score 0.01, 200 candidates per class, 100 per image. */
  public static Nms forEvaluation() {
    return new Nms(0.45, 0.01, 200, 100);
  }

  /**
   * The detections of one image.
   *
   * @param boxes {@code [A, 4]} corners
   * @param probs {@code [A, C]} class probabilities, column 0 the background
   * @param classes {@code C}, the background included
   */
  public BoxPredictions apply(float[] boxes, float[] probs, int classes) {
    Objects.requireNonNull(boxes, "boxes is null");
    Objects.requireNonNull(probs, "probs is null");
    int a = boxes.length / 4;
    if (boxes.length != 4 * a || probs.length != (long) a * classes || classes < 1) {
      throw new IllegalArgumentException(
          boxes.length + " box values and " + probs.length + " probabilities do not fit " + classes
              + " classes");
    }
    List<long[]> kept = new ArrayList<>(); // {class, anchor} with the score alongside
    List<Float> keptScores = new ArrayList<>();
    for (int c = 1; c < classes; c++) {
      int n = 0;
      int[] cand = new int[a];
      for (int i = 0; i < a; i++) {
        if (probs[i * classes + c] > scoreThreshold) {
          cand[n++] = i;
        }
      }
      if (n == 0) {
        continue;
      }
      int cc = c;
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        order[j] = cand[j];
      }
      Arrays.sort(order, (p, q) -> {
        int s = Float.compare(probs[q * classes + cc], probs[p * classes + cc]);
        return s != 0 ? s : Integer.compare(p, q);
      });
      int m = Math.min(n, preNmsTopK);
      int[] ranked = new int[m];
      for (int j = 0; j < m; j++) {
        ranked[j] = order[j];
      }
      for (int i : suppress(boxes, ranked, iouThreshold)) {
        kept.add(new long[] {c, i});
        keptScores.add(probs[i * classes + c]);
      }
    }
    Integer[] order = new Integer[kept.size()];
    for (int j = 0; j < order.length; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (p, q) -> {
      int s = Float.compare(keptScores.get(q), keptScores.get(p));
      if (s != 0) {
        return s;
      }
      s = Long.compare(kept.get(p)[0], kept.get(q)[0]);
      return s != 0 ? s : Long.compare(kept.get(p)[1], kept.get(q)[1]);
    });
    int n = Math.min(order.length, topK);
    float[] outBoxes = new float[4 * n];
    float[] scores = new float[n];
    int[] cls = new int[n];
    for (int j = 0; j < n; j++) {
      long[] k = kept.get(order[j]);
      int i = (int) k[1];
      System.arraycopy(boxes, 4 * i, outBoxes, 4 * j, 4);
      scores[j] = keptScores.get(order[j]);
      cls[j] = (int) k[0];
    }
    return new BoxPredictions(outBoxes, scores, cls);
  }

  /**
   * Greedy suppression: walks {@code ranked} (box indices, best first) and keeps each box whose IoU
   * with every box kept so far is {@code <= iouThreshold}.
   *
   * @return the kept indices, in rank order
   */
  public static int[] suppress(float[] boxes, int[] ranked, double iouThreshold) {
    int[] kept = new int[ranked.length];
    int n = 0;
    for (int i : ranked) {
      boolean keep = true;
      for (int j = 0; j < n && keep; j++) {
        int k = kept[j];
        double iou = Boxes.iou(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3],
            boxes[4 * k], boxes[4 * k + 1], boxes[4 * k + 2], boxes[4 * k + 3]);
        keep = iou <= iouThreshold;
      }
      if (keep) {
        kept[n++] = i;
      }
    }
    return Arrays.copyOf(kept, n);
  }
}
