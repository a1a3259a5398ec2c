package io.holdout.losses;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.reference.ReferenceClassification;
import io.holdout.losses.reference.ReferenceMultiBox;
import io.holdout.losses.reference.ReferenceRegression;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Chance-level baselines for reading a loss: what a model that ignores its input would score on a
 * split, fitted (where it fits anything) on the training targets only.
 *
 * <ul>
 *   <li>Uniform guess: equal logits for every class. Cross-entropy {@code ln C}.
 *   <li>Prior guess: always predict the training class frequencies. Cross-entropy {@code -mean
 *       log prior(y)} over the split's labels, which on the training split is the entropy of the
 *       prior; infinite when the split has a class the training split lacks.
 *   <li>Mean guess: always predict the training mean (per output). Its MSE on the training split is
 *       the variance of the targets. MAE uses the training median instead (the best constant for
 *       it).
 *   <li>Untrained detector (MultiBox): class logits all 0, so every anchor's cross-entropy is {@code
 *       ln K} for {@code K = C + 1} classes with background, and mining keeps {@code k_i =
 *       min(floor(ratio·pos_i), neg_i)} negatives per image: {@code ln K · Σ_i (pos_i + k_i) / N},
 *       which is {@code (1 + ratio)·ln K} when every image has enough negatives. Its localisation
 *       loss predicts zero offsets (the anchors themselves).
 * </ul>
 *
 * <p>Every baseline follows the component's own normalisation (class weights, label smoothing,
 * ignored labels). Baselines exist for {@code mean} reduction only: a {@code sum} grows with the
 * batch size, so {@link #forComponent} returns no baseline for it.
 */
public final class Baselines {
  private Baselines() {}

  /** {@code ln C}: cross-entropy of equal logits over {@code classes} classes. */
  public static Baseline uniformGuess(int classes) {
    requireClasses(classes);
    return new Baseline("uniform guess", Math.log(classes), "for " + classes + " classes");
  }

  /**
   * Cross-entropy on {@code splitLabels} of always predicting the class frequencies of {@code
   * trainLabels}; labels outside {@code [0, classes)} (such as an ignore index) are left out of
   * both.
   */
  public static Baseline priorGuess(long[] trainLabels, long[] splitLabels, int classes) {
    double[] logPrior = logPrior(trainLabels, classes);
    double s = 0;
    long n = 0;
    for (long y : Objects.requireNonNull(splitLabels, "split labels is null")) {
      if (y >= 0 && y < classes) {
        s -= logPrior[(int) y];
        n++;
      }
    }
    return new Baseline("prior guess", n == 0 ? 0 : s / n, "from train class frequencies");
  }

  /**
   * MSE on {@code split} of always predicting the per-output mean of {@code train}; both are
   * row-major {@code [n, width]}. On the training split this is the variance.
   */
  public static Baseline meanGuess(float[] train, float[] split, int width) {
    float[] guess = constant(columnMeans(train, width), split.length);
    return new Baseline("mean guess", ReferenceRegression.mse(guess, split), "from train targets");
  }

  /**
   * Confidence loss of an untrained detector (all logits 0, so every anchor's cross-entropy is
   * {@code ln classes}) on anchor labels {@code [images, anchors]}; 0 when there are no positives.
   *
   * @param classes logits per anchor, background included
   */
  public static Baseline untrainedDetector(
      long[] anchorLabels, int images, int anchors, int classes, double negPosRatio) {
    requireClasses(classes);
    Objects.requireNonNull(anchorLabels, "anchor labels is null");
    if (anchorLabels.length != (long) images * anchors) {
      throw new IllegalArgumentException(
          anchorLabels.length + " anchor labels are not [" + images + ", " + anchors + "]");
    }
    long n = 0;
    long counted = 0;
    for (int b = 0; b < images; b++) {
      long pos = 0;
      for (int a = 0; a < anchors; a++) {
        if (anchorLabels[b * anchors + a] > 0) {
          pos++;
        }
      }
      long kept = Math.min((long) Math.floor(negPosRatio * pos), anchors - pos);
      n += pos;
      counted += pos + kept;
    }
    double value = n == 0 ? 0 : Math.log(classes) * counted / n;
    return new Baseline("untrained detector", value, String.format(Locale.ROOT,
        "for %d classes + background, %s:1 mining", classes - 1, trim(negPosRatio)));
  }

  /**
   * The baselines of one component on a split: the targets of the training split and of the split
   * being read, keyed by target name (as in a batch), and the width of the head's last dimension
   * (classes for cross-entropy and focal, classes + background for {@code multibox_conf}).
   *
   * @return the baselines, best known first; empty for {@code sum} reduction
   */
  public static List<Baseline> forComponent(
      LossComponentSpec c, Map<String, Tensor> train, Map<String, Tensor> split, int outputWidth) {
    Objects.requireNonNull(train, "train targets is null");
    Objects.requireNonNull(split, "split targets is null");
    LossParams p = LossParams.of(c);
    if (p.reduction() == Reduction.SUM || p.type().custom() != null) {
      // a plugin's expression has no closed-form constant predictor here
      return List.of();
    }
    Tensor trainTarget = target(train, c.target(), "train");
    Tensor splitTarget = target(split, c.target(), "split");
    List<Baseline> out = new ArrayList<>();
    switch (c.type()) {
      case "mse", "mae", "smooth_l1", "huber" -> {
        int width = rowWidth(splitTarget);
        float[] tr = floats(trainTarget);
        float[] sp = floats(splitTarget);
        boolean median = c.type().equals("mae");
        double[] centre = median ? columnMedians(tr, width) : columnMeans(tr, width);
        float[] guess = constant(centre, sp.length);
        double value = switch (c.type()) {
          case "mse" -> ReferenceRegression.mse(guess, sp);
          case "mae" -> ReferenceRegression.mae(guess, sp);
          case "smooth_l1" -> ReferenceRegression.smoothL1(guess, sp, p.number("beta"));
          default -> ReferenceRegression.huber(guess, sp, p.number("delta"));
        };
        out.add(new Baseline(median ? "median guess" : "mean guess", value, "from train targets"));
      }
      case "cross_entropy", "focal" -> {
        requireClasses(outputWidth);
        long[] labels = longs(splitTarget);
        double[] uniform = new double[outputWidth];
        Arrays.fill(uniform, -Math.log(outputWidth));
        out.add(new Baseline("uniform guess", constantClassLoss(p, uniform, labels),
            "for " + outputWidth + " classes"));
        out.add(new Baseline("prior guess",
            constantClassLoss(p, logPrior(longs(trainTarget), outputWidth), labels),
            "from train class frequencies"));
      }
      case "binary_cross_entropy" -> {
        int width = rowWidth(splitTarget);
        float[] sp = floats(splitTarget);
        double[] rates = columnMeans(floats(trainTarget), width);
        double[] logits = new double[width];
        for (int k = 0; k < width; k++) {
          logits[k] = Math.log(rates[k]) - Math.log1p(-rates[k]);
        }
        double pw = p.number("pos_weight");
        out.add(new Baseline("uniform guess", bce(new double[width], sp, pw), "(p = 0.5)"));
        out.add(new Baseline("prior guess", bce(logits, sp, pw), "from train label frequencies"));
      }
      case "multibox_conf" -> {
        long[] shape = splitTarget.shape();
        if (shape.length != 2) {
          throw new IllegalArgumentException("multibox_conf labels must be [images, anchors], got "
              + splitTarget);
        }
        out.add(untrainedDetector(longs(splitTarget), (int) shape[0], (int) shape[1], outputWidth,
            p.number("neg_pos_ratio")));
      }
      case "multibox_loc" -> {
        Tensor labels = target(split, p.string("labels"), "split");
        long[] shape = labels.shape();
        float[] boxes = floats(splitTarget);
        double value = ReferenceMultiBox.loc(new float[boxes.length], boxes, longs(labels),
            (int) shape[0], (int) shape[1]).reduce(Reduction.MEAN);
        out.add(new Baseline("untrained detector", value, "(zero offsets: boxes = anchors)"));
      }
      default -> throw new IllegalArgumentException("no baseline for loss type " + c.type());
    }
    return List.copyOf(out);
  }

  /**
   * {@code classification 3.2755 (uniform guess 3.0445 for 21 classes)}; several baselines are
   * separated by {@code ; }, none leave the parentheses out.
   */
  public static String describe(String component, double value, List<Baseline> baselines) {
    Objects.requireNonNull(component, "component is null");
    String head = String.format(Locale.ROOT, "%s %.4f", component, value);
    if (baselines == null || baselines.isEmpty()) {
      return head;
    }
    List<String> parts = baselines.stream().map(Baseline::describe).toList();
    return head + " (" + String.join("; ", parts) + ")";
  }

  /** Loss of predicting the same log-probabilities for every sample, under the component's params. */
  private static double constantClassLoss(LossParams p, double[] logProbs, long[] labels) {
    int classes = logProbs.length;
    boolean focal = p.type().name().equals("focal");
    double[] w = focal ? p.numbers("alpha") : p.numbers("class_weights");
    if (w != null && w.length != classes) {
      throw new HoldoutException(w.length + " class weights for " + classes + " classes");
    }
    double eps = focal ? 0 : p.number("label_smoothing");
    long ignore = focal ? Long.MIN_VALUE : p.integer("ignore_index");
    double gamma = focal ? p.number("gamma") : 0;
    double smooth = 0;
    for (int c = 0; c < classes; c++) {
      smooth += (w == null ? 1 : w[c]) * -logProbs[c];
    }
    double num = 0;
    double den = 0;
    for (long label : labels) {
      if (label == ignore) {
        continue;
      }
      int y = (int) label;
      if (y < 0 || y >= classes) {
        throw new IllegalArgumentException("label " + y + " outside [0, " + classes + ")");
      }
      double wy = w == null ? 1 : w[y];
      if (focal) {
        num += wy * Math.pow(1 - Math.exp(logProbs[y]), gamma) * -logProbs[y];
        den += 1;
      } else {
        num += (1 - eps) * wy * -logProbs[y] + (eps > 0 ? eps / classes * smooth : 0);
        den += wy;
      }
    }
    return den == 0 ? 0 : num / den;
  }

  private static double bce(double[] logits, float[] targets, double posWeight) {
    int width = logits.length;
    double s = 0;
    for (int j = 0; j < targets.length; j++) {
      double x = logits[j % width];
      double t = targets[j];
      s += posWeight * t * ReferenceClassification.softplus(-x)
          + (1 - t) * ReferenceClassification.softplus(x);
    }
    return targets.length == 0 ? 0 : s / targets.length;
  }

  private static double[] logPrior(long[] trainLabels, int classes) {
    requireClasses(classes);
    Objects.requireNonNull(trainLabels, "train labels is null");
    long[] counts = new long[classes];
    long n = 0;
    for (long y : trainLabels) {
      if (y >= 0 && y < classes) {
        counts[(int) y]++;
        n++;
      }
    }
    if (n == 0) {
      throw new HoldoutException("no training labels to take a class prior from");
    }
    double[] out = new double[classes];
    for (int c = 0; c < classes; c++) {
      out[c] = Math.log((double) counts[c] / n);
    }
    return out;
  }

  private static double[] columnMeans(float[] values, int width) {
    checkWidth(values, width);
    double[] sum = new double[width];
    for (int j = 0; j < values.length; j++) {
      sum[j % width] += values[j];
    }
    int rows = values.length / width;
    for (int k = 0; k < width; k++) {
      sum[k] = rows == 0 ? 0 : sum[k] / rows;
    }
    return sum;
  }

  private static double[] columnMedians(float[] values, int width) {
    checkWidth(values, width);
    int rows = values.length / width;
    double[] out = new double[width];
    for (int k = 0; k < width && rows > 0; k++) {
      double[] col = new double[rows];
      for (int r = 0; r < rows; r++) {
        col[r] = values[r * width + k];
      }
      Arrays.sort(col);
      out[k] = rows % 2 == 1 ? col[rows / 2] : 0.5 * (col[rows / 2 - 1] + col[rows / 2]);
    }
    return out;
  }

  private static float[] constant(double[] row, int length) {
    float[] out = new float[length];
    for (int j = 0; j < length; j++) {
      out[j] = (float) row[j % row.length];
    }
    return out;
  }

  private static void checkWidth(float[] values, int width) {
    Objects.requireNonNull(values, "values is null");
    if (width <= 0 || values.length % width != 0) {
      throw new IllegalArgumentException(values.length + " values are not rows of " + width);
    }
  }

  private static int rowWidth(Tensor t) {
    long w = t.rank() <= 1 ? 1 : t.elementCount() / t.dim(0);
    return (int) Math.max(w, 1);
  }

  private static Tensor target(Map<String, Tensor> targets, String name, String which) {
    Tensor t = targets.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "no " + which + " target '" + name + "' (has " + targets.keySet() + ")");
    }
    return t;
  }

  private static float[] floats(Tensor t) {
    if (t.dtype() == DType.FLOAT32) {
      return t.toFloatArray();
    }
    long[] l = longs(t);
    float[] f = new float[l.length];
    for (int i = 0; i < l.length; i++) {
      f[i] = l[i];
    }
    return f;
  }

  private static long[] longs(Tensor t) {
    if (t.dtype() == DType.INT64) {
      return t.toLongArray();
    }
    if (t.dtype() == DType.INT32) {
      return Arrays.stream(t.toIntArray()).asLongStream().toArray();
    }
    throw new IllegalArgumentException("class labels must be integers, got " + t);
  }

  private static void requireClasses(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    }
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
