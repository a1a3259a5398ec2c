package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.holdout.losses.Reduction;
import java.util.Arrays;

/**
 * The loss catalogue as differentiable PyTorch operations. Each loss returns its {@link Terms}: a
 * numerator per sample (an NDArray carrying the gradient) and a denominator per sample, computed in
 * Java from the targets alone by {@link io.holdout.losses.ResolvedComponent#denominators} and
 * passed in, exactly as {@code io.holdout.losses.reference.LossTerms} defines them: {@code sum} is
 * {@code Σ num}, {@code mean} is {@code Σ num / Σ den} (0 when {@code Σ den} is 0), and a sample's
 * own value is {@code num_i / den_i}.
 *
 * <p>Every array a loss creates belongs to the manager of its prediction (the step's manager).
 * Constants enter as engine-allocated scalars ({@link Tensors#scalar}), never as {@code Number}
 * operands, so that autograd never keeps a pointer into Java memory.
 */
final class TorchLosses {
  private TorchLosses() {}

  /** Element-wise regression losses of {@code d = prediction - target}. */
  enum Regression {
    MSE,
    MAE,
    SMOOTH_L1,
    HUBER
  }

  /** Per-sample numerators ({@code [B]}, with gradient) and denominators of one loss component. */
  record Terms(NDArray numerators, double[] denominators) {
    /** {@code Σ den}. */
    double denominator() {
      double d = 0;
      for (double v : denominators) {
        d += v;
      }
      return d;
    }

    /** {@code Σ num}, a scalar array with gradient. */
    NDArray numerator() {
      return numerators.sum();
    }

    /** The reduced value, a scalar array with gradient. */
    NDArray reduce(Reduction r) {
      return reduce(numerator(), r);
    }

    /** The reduced value of {@code total}, this {@link #numerator()}: a scalar with gradient. */
    NDArray reduce(NDArray total, Reduction r) {
      if (r == Reduction.SUM) {
        return total;
      }
      double den = denominator();
      NDManager m = total.getManager();
      return den == 0 ? total.mul(Tensors.scalar(m, 0)) : total.div(Tensors.scalar(m, den));
    }

    /** Each sample's value as if the batch held only it, copied out. */
    float[] perSample(Reduction r) {
      float[] num = numerators.toType(DataType.FLOAT32, false).toFloatArray();
      if (r == Reduction.SUM) {
        return num;
      }
      float[] out = new float[num.length];
      for (int i = 0; i < num.length; i++) {
        out[i] = denominators[i] == 0 ? 0f : (float) (num[i] / denominators[i]);
      }
      return out;
    }
  }

  /**
   * Regression terms: {@code pred} and {@code target} have the same element count, {@code [B,
   * ...]}; each sample sums its elements (its denominator counts them).
   *
   * @param a beta for smooth L1, delta for Huber, unused otherwise
   * @param den each sample's denominator
   */
  static Terms regression(
      Regression kind, NDArray pred, NDArray target, int batch, double a, double[] den) {
    NDManager m = pred.getManager();
    NDArray d = pred.sub(target.reshape(pred.getShape()));
    NDArray e =
        switch (kind) {
          case MSE -> d.square();
          case MAE -> d.abs();
          case SMOOTH_L1 -> a == 0 ? d.abs() : smoothL1(d, a);
          case HUBER -> {
            NDArray ad = d.abs();
            yield NDArrays.where(
                ad.lte(a),
                d.square().mul(Tensors.scalar(m, 0.5)),
                ad.sub(Tensors.scalar(m, 0.5 * a)).mul(Tensors.scalar(m, a)));
          }
        };
    return new Terms(e.reshape(batch, -1).sum(new int[] {1}), den);
  }

  /** Smooth L1 element-wise, {@code beta > 0}. */
  static NDArray smoothL1(NDArray d, double beta) {
    NDManager m = d.getManager();
    NDArray ad = d.abs();
    return NDArrays.where(
        ad.lt(beta),
        d.square().mul(Tensors.scalar(m, 0.5 / beta)),
        ad.sub(Tensors.scalar(m, 0.5 * beta)));
  }

  /**
   * Softmax cross-entropy with PyTorch's semantics, built from log-softmax and a one-hot matrix:
   * per sample {@code (1-ε)·w_y·(-log p_y) + (ε/C)·Σ_c w_c·(-log p_c)} with denominator {@code
   * w_y}; ignored samples have both 0.
   *
   * @param labels checked labels, {@code [B]}
   * @param weights class weights, or null for all 1
   * @param den each sample's denominator
   */
  static Terms crossEntropy(
      NDArray logits,
      long[] labels,
      double[] weights,
      double smoothing,
      long ignoreIndex,
      double[] den,
      Staging st) {
    NDManager m = logits.getManager();
    int b = labels.length;
    int classes = (int) logits.getShape().get(1);
    long[] safe = new long[b];
    float[] wy = new float[b];
    float[] valid = new float[b];
    for (int i = 0; i < b; i++) {
      if (labels[i] == ignoreIndex) {
        continue;
      }
      safe[i] = labels[i];
      valid[i] = 1;
      wy[i] = (float) weight(weights, (int) labels[i]);
    }
    NDArray lp = logits.logSoftmax(1);
    NDArray nll = lp.mul(st.longs(m, safe).oneHot(classes)).sum(new int[] {1}).neg();
    NDArray num = nll.mul(st.floats(m, wy)).mul(Tensors.scalar(m, 1 - smoothing));
    if (smoothing > 0) {
      NDArray all =
          weights == null
              ? lp.sum(new int[] {1}).neg()
              : lp.mul(st.floats(m, toFloats(weights))).sum(new int[] {1}).neg();
      num = num.add(all.mul(st.floats(m, valid)).mul(Tensors.scalar(m, smoothing / classes)));
    }
    return new Terms(num, den);
  }

  /**
   * Softmax focal loss: per sample {@code -α_y·(1 - p_y)^γ·log p_y}, denominator 1.
   *
   * @param alpha class weights, or null for all 1
   * @param den each sample's denominator
   */
  static Terms focal(
      NDArray logits, long[] labels, double gamma, double[] alpha, double[] den, Staging st) {
    NDManager m = logits.getManager();
    int b = labels.length;
    int classes = (int) logits.getShape().get(1);
    float[] ay = new float[b];
    for (int i = 0; i < b; i++) {
      ay[i] = (float) -weight(alpha, (int) labels[i]);
    }
    NDArray lpy = logits.logSoftmax(1).mul(st.longs(m, labels).oneHot(classes)).sum(new int[] {1});
    NDArray num = lpy.mul(st.floats(m, ay));
    if (gamma != 0) {
      num = num.mul(lpy.exp().neg().add(Tensors.scalar(m, 1)).pow(Tensors.scalar(m, gamma)));
    }
    return new Terms(num, den);
  }

  /**
   * Binary cross-entropy with logits, per element {@code pos_weight·t·softplus(-x) +
   * (1-t)·softplus(x)} (for {@code pos_weight = 1}: {@code softplus(x) - x·t}); each sample counts
   * its elements.
   *
   * @param den each sample's denominator
   */
  static Terms binaryCrossEntropy(
      NDArray logits, NDArray targets, int batch, double posWeight, double[] den) {
    NDManager m = logits.getManager();
    NDArray t = targets.reshape(logits.getShape());
    NDArray e;
    if (posWeight == 1) {
      e = Activation.softPlus(logits).sub(logits.mul(t));
    } else {
      NDArray pos = t.mul(Activation.softPlus(logits.neg())).mul(Tensors.scalar(m, posWeight));
      e = pos.add(t.neg().add(Tensors.scalar(m, 1)).mul(Activation.softPlus(logits)));
    }
    return new Terms(e.reshape(batch, -1).sum(new int[] {1}), den);
  }

  /**
   * SSD localisation: smooth L1 (beta 1) summed over the 4 coordinates of every positive anchor
   * (label {@code > 0}); each image's denominator is its number of positives.
   *
   * @param loc predicted offsets, {@code B·A·4} values (any shape)
   * @param target encoded boxes, {@code B·A·4} values
   * @param labels anchor labels {@code [B·A]}, checked non-negative
   * @param den each image's denominator
   */
  static Terms multiboxLoc(
      NDArray loc,
      NDArray target,
      long[] labels,
      int batch,
      int anchors,
      double[] den,
      Staging st) {
    NDManager m = loc.getManager();
    float[] pos = new float[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] > 0) {
        pos[i] = 1;
      }
    }
    NDArray l = loc.reshape(batch, anchors, 4);
    NDArray d = l.sub(target.reshape(batch, anchors, 4));
    NDArray perAnchor = smoothL1(d, 1.0).sum(new int[] {2});
    NDArray num = perAnchor.mul(st.floats(m, pos, new Shape(batch, anchors))).sum(new int[] {1});
    return new Terms(num, den);
  }

  /**
   * SSD confidence: cross-entropy summed over positive anchors and each image's hard-mined
   * negatives; each image's denominator is its number of positives. Mining is done in Java on the
   * background losses, outside the gradient (see {@link #mineNegatives}).
   *
   * @param conf logits, {@code B·A·C} values, class 0 the background
   * @param labels anchor labels {@code [B·A]}, checked in {@code [0, C)}
   * @param den each image's denominator
   */
  static Terms multiboxConf(
      NDArray conf,
      long[] labels,
      int batch,
      int anchors,
      int classes,
      double negPosRatio,
      double[] den,
      Staging st) {
    NDManager m = conf.getManager();
    NDArray lp = conf.reshape(batch, anchors, classes).logSoftmax(2);
    boolean[] kept;
    try (NDArray bg = lp.get(":, :, 0")) {
      kept = bg.getDataType() == DataType.FLOAT64
          ? mineNegatives(bg.toDoubleArray(), labels, batch, anchors, negPosRatio)
          : mineNegatives(bg.toFloatArray(), labels, batch, anchors, negPosRatio);
    }
    float[] mask = new float[kept.length];
    for (int i = 0; i < kept.length; i++) {
      mask[i] = kept[i] ? 1 : 0;
    }
    NDArray ce =
        lp.mul(st.longs(m, labels, new Shape(batch, anchors)).oneHot(classes))
            .sum(new int[] {2})
            .neg();
    NDArray num = ce.mul(st.floats(m, mask, new Shape(batch, anchors))).sum(new int[] {1});
    return new Terms(num, den);
  }

  /**
   * Hard-negative mining: every positive anchor, plus per image the {@code min(floor(ratio ·
   * positives), negatives)} negatives with the highest background loss {@code -log p_0}, ties
   * broken by the lower anchor index.
   *
   * @param logBackground {@code log p_0} per anchor, {@code [B·A]}
   */
  static boolean[] mineNegatives(
      float[] logBackground, long[] labels, int batch, int anchors, double negPosRatio) {
    long[] keys = new long[anchors];
    return mine(labels, batch, anchors, negPosRatio, (negatives, n, k, kept) -> {
      for (int j = 0; j < n; j++) {
        // lowest log p_0 (highest loss) first, then the lower index: the float's bits made
        // monotonic as a signed int (floatToIntBits turns every NaN into the one positive NaN,
        // which sorts last as Double.compare has it), the index below them
        int bits = Float.floatToIntBits(logBackground[negatives[j]]);
        long order = bits ^ ((bits >> 31) & 0x7fffffff);
        keys[j] = (order << 32) | negatives[j];
      }
      Arrays.sort(keys, 0, n);
      for (int j = 0; j < k; j++) {
        kept[(int) (keys[j] & 0xffffffffL)] = true;
      }
    });
  }

  /**
   * {@link #mineNegatives(float[], long[], int, int, double)} over float64 values (float64
   * sessions): the same order, ties broken by the lower index.
   */
  static boolean[] mineNegatives(
      double[] logBackground, long[] labels, int batch, int anchors, double negPosRatio) {
    Integer[] order = new Integer[anchors];
    return mine(labels, batch, anchors, negPosRatio, (negatives, n, k, kept) -> {
      for (int j = 0; j < n; j++) {
        order[j] = negatives[j];
      }
      // a stable sort of the negatives (in index order) by log p_0, lowest first
      Arrays.sort(order, 0, n, (x, y) -> Double.compare(logBackground[x], logBackground[y]));
      for (int j = 0; j < k; j++) {
        kept[order[j]] = true;
      }
    });
  }

  /** Marks the {@code k} hardest of an image's {@code n} negatives (anchor indices, ascending). */
  private interface NegativePicker {
    void keep(int[] negatives, int n, long k, boolean[] kept);
  }

  /** Every positive, and per image what {@code picker} keeps of its negatives. */
  private static boolean[] mine(long[] labels, int batch, int anchors, double negPosRatio, NegativePicker picker) {
    boolean[] kept = new boolean[labels.length];
    int[] negatives = new int[anchors];
    for (int b = 0; b < batch; b++) {
      int positives = 0;
      int n = 0;
      for (int a = 0; a < anchors; a++) {
        int i = b * anchors + a;
        if (labels[i] > 0) {
          positives++;
          kept[i] = true;
        } else {
          negatives[n++] = i;
        }
      }
      long k = Math.min((long) Math.floor(negPosRatio * positives), n);
      if (k > 0) {
        picker.keep(negatives, n, k, kept);
      }
    }
    return kept;
  }

  private static double weight(double[] weights, int c) {
    return weights == null ? 1 : weights[c];
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
