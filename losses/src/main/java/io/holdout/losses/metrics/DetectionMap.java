package io.holdout.losses.metrics;

import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.detection.BoxTruth;
import io.holdout.api.detection.Boxes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Detection mean average precision over decoded detections and ground truth, image by image.
 *
 * <p>{@link #voc()}: Pascal VOC, IoU 0.5, all-point interpolation. Per class, all detections are
 * ranked by score (highest first; equal scores in the order added: image, then detection). Each is
 * matched to the ground-truth box of its class in its image with the highest IoU; it is a true
 * positive when that IoU is {@code >= 0.5} and the box is not matched yet, ignored when the box is
 * difficult, and otherwise (a duplicate, or too little overlap) a false positive. AP is the area
 * under the precision envelope: {@code Σ (r_{i+1} - r_i)·max_{j>i} p_j}.
 *
 * <p>{@link #coco()}: COCO style, mean over IoU thresholds 0.50, 0.55, …, 0.95 with 101-point
 * interpolation (precision envelope at recall 0, 0.01, …, 1, 0 beyond the highest recall). Per
 * image and class, the top 100 detections by score are matched greedily, each to the unmatched
 * ground-truth box with the highest IoU {@code >= threshold} (preferring non-difficult boxes); all
 * object sizes count together.
 *
 * <p>Both: IoU of corner boxes without the VOC devkit's +1 pixel (0 when the union is empty); VOC's
 * devkit demands IoU {@code > 0.5}, here {@code >= 0.5}, which differs only at exactly 0.5. Classes
 * with no non-difficult ground truth among the images are left out of the mean (their detections
 * are then not counted anywhere); a class with ground truth but no detection scores 0. With no
 * ground truth at all the mAP is NaN.
 */
public final class DetectionMap {
  private static final int COCO_MAX_DETECTIONS = 100;

  private final boolean coco;
  private final double[] thresholds;
  private final List<BoxTruth> truths = new ArrayList<>();
  private final List<BoxPredictions> predictions = new ArrayList<>();

  private DetectionMap(boolean coco, double[] thresholds) {
    this.coco = coco;
    this.thresholds = thresholds;
  }

  /** mAP@0.5, Pascal VOC all-point interpolation. */
  public static DetectionMap voc() {
    return new DetectionMap(false, new double[] {0.5});
  }

  /** mAP@[.5:.95], COCO style. */
  public static DetectionMap coco() {
    double[] t = new double[10];
    for (int i = 0; i < t.length; i++) {
      t[i] = (50 + 5 * i) / 100.0;
    }
    return new DetectionMap(true, t);
  }

  /** Adds one image. */
  public void add(BoxTruth truth, BoxPredictions detections) {
    truths.add(Objects.requireNonNull(truth, "truth is null"));
    predictions.add(Objects.requireNonNull(detections, "detections is null"));
  }

  public void reset() {
    truths.clear();
    predictions.clear();
  }

  /** Images added since the last reset. */
  public int images() {
    return truths.size();
  }

  /** The mAP over every image added. */
  public double value() {
    return result().map();
  }

  /** The mAP over every image added, with per-class and per-threshold values. */
  public DetectionMapResult result() {
    int[] all = new int[images()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return resultOn(all);
  }

  /** The mAP over the images at {@code indices} (repeats count as separate images), for bootstrap. */
  public double valueOn(int[] indices) {
    return resultOn(indices).map();
  }

  private DetectionMapResult resultOn(int[] images) {
    TreeSet<Integer> classes = new TreeSet<>();
    for (int img : images) {
      BoxTruth t = truths.get(img);
      for (int i = 0; i < t.size(); i++) {
        if (!t.isDifficult(i)) {
          classes.add(t.classOf(i));
        }
      }
    }
    Map<Integer, Double> perClass = new TreeMap<>();
    double[] sumAtThreshold = new double[thresholds.length];
    for (int c : classes) {
      double sum = 0;
      for (int k = 0; k < thresholds.length; k++) {
        double ap = averagePrecision(images, c, thresholds[k]);
        sumAtThreshold[k] += ap;
        sum += ap;
      }
      perClass.put(c, sum / thresholds.length);
    }
    Map<Double, Double> perThreshold = new LinkedHashMap<>();
    double total = 0;
    for (int k = 0; k < thresholds.length; k++) {
      double m = classes.isEmpty() ? Double.NaN : sumAtThreshold[k] / classes.size();
      perThreshold.put(thresholds[k], m);
      total += m;
    }
    return new DetectionMapResult(total / thresholds.length, perClass, perThreshold);
  }

  /** A detection: which image slot, which box in it, its score, and how it was judged. */
  private static final class Judged {
    final int slot;
    final int box;
    final float score;
    int outcome; // 1 true positive, 0 false positive, -1 ignored

    Judged(int slot, int box, float score) {
      this.slot = slot;
      this.box = box;
      this.score = score;
    }
  }

  private static final Comparator<Judged> BY_SCORE =
      Comparator.comparingDouble((Judged j) -> -j.score).thenComparingInt(j -> j.slot)
          .thenComparingInt(j -> j.box);

  private double averagePrecision(int[] images, int c, double threshold) {
    long positives = 0;
    List<Judged> all = new ArrayList<>();
    for (int slot = 0; slot < images.length; slot++) {
      BoxTruth t = truths.get(images[slot]);
      BoxPredictions p = predictions.get(images[slot]);
      List<Integer> gts = new ArrayList<>();
      for (int g = 0; g < t.size(); g++) {
        if (t.classOf(g) == c) {
          gts.add(g);
          positives += t.isDifficult(g) ? 0 : 1;
        }
      }
      List<Judged> dets = new ArrayList<>();
      for (int d = 0; d < p.size(); d++) {
        if (p.classOf(d) == c) {
          dets.add(new Judged(slot, d, p.score(d)));
        }
      }
      dets.sort(BY_SCORE);
      if (coco && dets.size() > COCO_MAX_DETECTIONS) {
        dets = new ArrayList<>(dets.subList(0, COCO_MAX_DETECTIONS));
      }
      if (coco) {
        matchCoco(t, p, gts, dets, threshold);
      }
      all.addAll(dets);
    }
    all.sort(BY_SCORE);
    if (!coco) {
      matchVoc(images, all, c, threshold);
    }
    List<Judged> counted = all.stream().filter(j -> j.outcome >= 0).toList();
    int n = counted.size();
    double[] recall = new double[n];
    double[] precision = new double[n];
    long tp = 0;
    for (int i = 0; i < n; i++) {
      tp += counted.get(i).outcome;
      recall[i] = (double) tp / positives;
      precision[i] = (double) tp / (i + 1);
    }
    return coco ? interpolated101(recall, precision) : allPoint(recall, precision);
  }

  private void matchVoc(int[] images, List<Judged> ranked, int c, double threshold) {
    Map<Integer, boolean[]> matched = new LinkedHashMap<>();
    for (Judged j : ranked) {
      BoxTruth t = truths.get(images[j.slot]);
      BoxPredictions p = predictions.get(images[j.slot]);
      boolean[] used = matched.computeIfAbsent(j.slot, s -> new boolean[t.size()]);
      double best = -1;
      int bestGt = -1;
      for (int g = 0; g < t.size(); g++) {
        if (t.classOf(g) != c) {
          continue;
        }
        double iou = iou(p, j.box, t, g);
        if (iou > best) {
          best = iou;
          bestGt = g;
        }
      }
      if (bestGt >= 0 && best >= threshold) {
        if (t.isDifficult(bestGt)) {
          j.outcome = -1;
        } else if (!used[bestGt]) {
          used[bestGt] = true;
          j.outcome = 1;
        } else {
          j.outcome = 0;
        }
      } else {
        j.outcome = 0;
      }
    }
  }

  private static void matchCoco(
      BoxTruth t, BoxPredictions p, List<Integer> gts, List<Judged> dets, double threshold) {
    List<Integer> order = new ArrayList<>(gts);
    order.sort(Comparator.comparingInt(g -> t.isDifficult(g) ? 1 : 0));
    boolean[] used = new boolean[t.size()];
    for (Judged j : dets) {
      double best = Math.min(threshold, 1 - 1e-10);
      int bestGt = -1;
      for (int g : order) {
        if (used[g]) {
          continue;
        }
        if (bestGt >= 0 && !t.isDifficult(bestGt) && t.isDifficult(g)) {
          break;
        }
        double iou = iou(p, j.box, t, g);
        if (iou < best) {
          continue;
        }
        best = iou;
        bestGt = g;
      }
      if (bestGt < 0) {
        j.outcome = 0;
      } else {
        used[bestGt] = true;
        j.outcome = t.isDifficult(bestGt) ? -1 : 1;
      }
    }
  }

  /** VOC all-point AP: area under the precision envelope, with sentinels (0, 0) and (1, 0). */
  static double allPoint(double[] recall, double[] precision) {
    int n = recall.length;
    double[] r = new double[n + 2];
    double[] p = new double[n + 2];
    r[n + 1] = 1;
    for (int i = 0; i < n; i++) {
      r[i + 1] = recall[i];
      p[i + 1] = precision[i];
    }
    for (int i = n; i >= 0; i--) {
      p[i] = Math.max(p[i], p[i + 1]);
    }
    double ap = 0;
    for (int i = 0; i <= n; i++) {
      if (r[i + 1] != r[i]) {
        ap += (r[i + 1] - r[i]) * p[i + 1];
      }
    }
    return ap;
  }

  /** COCO AP: the precision envelope read at recall 0, 0.01, …, 1 (0 past the last recall), averaged. */
  static double interpolated101(double[] recall, double[] precision) {
    int n = recall.length;
    double[] q = precision.clone();
    for (int i = n - 2; i >= 0; i--) {
      q[i] = Math.max(q[i], q[i + 1]);
    }
    double sum = 0;
    int i = 0;
    for (int k = 0; k <= 100; k++) {
      double level = k / 100.0;
      while (i < n && recall[i] < level) {
        i++;
      }
      sum += i < n ? q[i] : 0;
    }
    return sum / 101;
  }

  /** Intersection over union of detection {@code d} and ground-truth box {@code g}. */
  private static double iou(BoxPredictions p, int d, BoxTruth t, int g) {
    return Boxes.iou(p.box(d, 0), p.box(d, 1), p.box(d, 2), p.box(d, 3),
        t.box(g, 0), t.box(g, 1), t.box(g, 2), t.box(g, 3));
  }
}
