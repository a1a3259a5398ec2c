package io.holdout.engine.tensorflow;

import static io.holdout.engine.tensorflow.GraphMath.add;
import static io.holdout.engine.tensorflow.GraphMath.f;
import static io.holdout.engine.tensorflow.GraphMath.mul;
import static io.holdout.engine.tensorflow.GraphMath.reshape;
import static io.holdout.engine.tensorflow.GraphMath.safeDiv;
import static io.holdout.engine.tensorflow.GraphMath.sub;
import static io.holdout.engine.tensorflow.GraphMath.sum;

import io.holdout.losses.Reduction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import java.util.List;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The loss catalogue as graph operations with gradients. Each loss yields its {@link Terms}: a
 * numerator and a denominator per sample, as {@code io.holdout.losses.reference.LossTerms} defines
 * them; denominators depend on the targets only. Cross-entropy is built from log-softmax and a
 * one-hot matrix (TensorFlow has no gradient for the sparse softmax cross-entropy op), and
 * thresholds (smooth L1, Huber) from {@code min(|d|, a)} so that every piece has a gradient.
 */
final class TfLosses {
  private TfLosses() {}

  /** Element-wise regression losses of {@code d = prediction - target}. */
  enum Regression {
    MSE,
    MAE,
    SMOOTH_L1,
    HUBER
  }

  /** Per-sample numerators and denominators, both {@code [B]}. */
  record Terms(Operand<TFloating> numerators, Operand<TFloating> denominators) {
    /** {@code Σ num}. */
    Operand<TFloating> numerator(Ops tf) {
      return sum(tf, numerators, 0);
    }

    /** {@code Σ num} for sum, {@code Σ num / Σ den} for mean (0 when {@code Σ den} is 0). */
    Operand<TFloating> reduce(Ops tf, Reduction r) {
      Operand<TFloating> total = sum(tf, numerators, 0);
      return r == Reduction.SUM ? total : safeDiv(tf, total, sum(tf, denominators, 0));
    }

    /** Each sample's value as if the batch held only it. */
    Operand<TFloating> perSample(Ops tf, Reduction r) {
      return r == Reduction.SUM ? numerators : safeDiv(tf, numerators, denominators);
    }
  }

  /**
   * Regression terms of {@code pred [B, U]} and a target of {@code B·U} values; each sample sums
   * its elements and counts them.
   *
   * @param a beta for smooth L1, delta for Huber, unused otherwise
   */
  static Terms regression(Ops tf, Regression kind, Operand<TFloating> pred, Operand<TFloating> target,
      int units, double a) {
    Operand<TFloating> t = reshape(tf, target, -1, units);
    Operand<TFloating> d = sub(tf, pred, t);
    Operand<TFloating> e = switch (kind) {
      case MSE -> tf.math.square(d);
      case MAE -> tf.math.abs(d);
      case SMOOTH_L1 -> a == 0 ? tf.math.abs(d) : smoothL1(tf, d, a);
      case HUBER -> {
        // 0.5·c² + delta·(|d| - c), c = min(|d|, delta)
        Operand<TFloating> ad = tf.math.abs(d);
        Operand<TFloating> c = tf.math.minimum(ad, f(tf, a));
        yield add(tf, mul(tf, tf.math.square(c), 0.5), mul(tf, sub(tf, ad, c), a));
      }
    };
    return new Terms(sum(tf, e, 1), perSampleConstant(tf, t, units));
  }

  /** Smooth L1 element-wise for {@code beta > 0}: {@code 0.5·c²/beta + (|d| - c)}, c = min(|d|, beta). */
  static Operand<TFloating> smoothL1(Ops tf, Operand<TFloating> d, double beta) {
    Operand<TFloating> ad = tf.math.abs(d);
    Operand<TFloating> c = tf.math.minimum(ad, f(tf, beta));
    return add(tf, mul(tf, tf.math.square(c), 0.5 / beta), sub(tf, ad, c));
  }

  /**
   * Softmax cross-entropy with PyTorch's semantics: per sample {@code (1-ε)·w_y·(-log p_y) +
   * (ε/C)·Σ_c w_c·(-log p_c)} with denominator {@code w_y}; ignored samples have both 0.
   *
   * @param labels {@code [B]} class indices (checked in Java before every run)
   * @param weights class weights, or null for all 1
   */
  static Terms crossEntropy(Ops tf, Operand<TFloating> logits, Operand<TInt64> labels, int classes,
      double[] weights, double smoothing, long ignoreIndex) {
    Operand<TBool> keep = tf.math.notEqual(labels, tf.constant(ignoreIndex));
    Operand<TFloating> valid = GraphMath.toFloat(tf, keep);
    Operand<TInt64> safe = tf.select(keep, labels, tf.zerosLike(labels));
    Operand<TFloating> oneHot = oneHot(tf, safe, tf.constant(classes));
    Operand<TFloating> lp = tf.nn.logSoftmax(logits);
    Operand<TFloating> wy = weights == null
        ? valid
        : mul(tf, sum(tf, mul(tf, oneHot, GraphMath.vector(tf, weights)), 1), valid);
    Operand<TFloating> nll = tf.math.neg(sum(tf, mul(tf, lp, oneHot), 1));
    Operand<TFloating> num = mul(tf, mul(tf, nll, wy), 1 - smoothing);
    if (smoothing > 0) {
      Operand<TFloating> all = weights == null
          ? tf.math.neg(sum(tf, lp, 1))
          : tf.math.neg(sum(tf, mul(tf, lp, GraphMath.vector(tf, weights)), 1));
      num = add(tf, num, mul(tf, mul(tf, all, valid), smoothing / classes));
    }
    return new Terms(num, wy);
  }

  /**
   * Softmax focal loss: per sample {@code -α_y·(1 - p_y)^γ·log p_y}, denominator 1.
   *
   * @param alpha class weights, or null for all 1
   */
  static Terms focal(Ops tf, Operand<TFloating> logits, Operand<TInt64> labels, int classes,
      double gamma, double[] alpha) {
    Operand<TFloating> oneHot = oneHot(tf, labels, tf.constant(classes));
    Operand<TFloating> lpy = sum(tf, mul(tf, tf.nn.logSoftmax(logits), oneHot), 1);
    Operand<TFloating> ones = sum(tf, oneHot, 1);
    Operand<TFloating> ay = alpha == null
        ? ones
        : sum(tf, mul(tf, oneHot, GraphMath.vector(tf, alpha)), 1);
    Operand<TFloating> num = tf.math.neg(mul(tf, lpy, ay));
    if (gamma != 0) {
      Operand<TFloating> oneMinus = sub(tf, f(tf, 1), tf.math.exp(lpy));
      num = mul(tf, num, tf.math.pow(oneMinus, f(tf, gamma)));
    }
    return new Terms(num, ones);
  }

  /**
   * Binary cross-entropy with logits, per element {@code pos_weight·t·softplus(-x) +
   * (1-t)·softplus(x)} (for {@code pos_weight = 1}: {@code softplus(x) - x·t}); each sample counts
   * its elements.
   */
  static Terms binaryCrossEntropy(Ops tf, Operand<TFloating> logits, Operand<TFloating> targets,
      int units, double posWeight) {
    Operand<TFloating> t = reshape(tf, targets, -1, units);
    Operand<TFloating> e;
    if (posWeight == 1) {
      e = sub(tf, tf.math.softplus(logits), mul(tf, logits, t));
    } else {
      Operand<TFloating> pos = mul(tf, mul(tf, t, tf.math.softplus(tf.math.neg(logits))), posWeight);
      e = add(tf, pos, mul(tf, sub(tf, f(tf, 1), t), tf.math.softplus(logits)));
    }
    return new Terms(sum(tf, e, 1), perSampleConstant(tf, t, units));
  }

  /**
   * SSD localisation: smooth L1 (beta 1) summed over the 4 coordinates of every positive anchor
   * (label {@code > 0}); each image's denominator is its number of positives.
   *
   * @param loc {@code [B, 4·A]} predicted offsets
   * @param target encoded boxes, {@code B·A·4} values
   * @param labels anchor labels {@code [B, A]}
   */
  static Terms multiboxLoc(Ops tf, Operand<TFloating> loc, Operand<TFloating> target,
      Operand<TInt64> labels, int anchors) {
    Operand<TFloating> l = reshape(tf, loc, -1, anchors, 4);
    Operand<TFloating> d = sub(tf, l, reshape(tf, target, -1, anchors, 4));
    Operand<TFloating> perAnchor = sum(tf, smoothL1(tf, d, 1.0), 2);
    Operand<TFloating> pos = GraphMath.toFloat(tf, tf.math.greater(labels, tf.constant(0L)));
    return new Terms(sum(tf, mul(tf, perAnchor, pos), 1), sum(tf, pos, 1));
  }

  /**
   * SSD confidence: cross-entropy summed over the positive anchors and each image's hard-mined
   * negatives; each image's denominator is its number of positives. The number of anchors comes
   * from the labels ({@code [B, A]}), the classes from the logits ({@code [B, A·C]}).
   *
   * <p>Hard-negative mining runs in the graph on values cut off from the gradient: negatives are
   * ranked by their background loss {@code -log p_0}, highest first, ties broken by the lower anchor
   * index (TensorFlow's {@code TopK} keeps equal values in index order), and the first {@code
   * min(floor(ratio · positives), negatives)} of each image are kept.
   */
  static Terms multiboxConf(
      Ops tf, Operand<TFloating> conf, Operand<TInt64> labels, int units, double negPosRatio) {
    Operand<TInt32> minusOne = tf.constant(new int[] {-1});
    Operand<TInt32> anchorsVec = tf.slice(tf.shape(labels), tf.constant(new int[] {1}), tf.constant(new int[] {1}));
    Operand<TInt32> classesVec = tf.math.floorDiv(tf.constant(new int[] {units}), anchorsVec);
    Operand<TInt32> anchors = tf.reshape(anchorsVec, tf.constant(new int[0]));
    Operand<TInt32> classes = tf.reshape(classesVec, tf.constant(new int[0]));
    Operand<TFloating> rows = tf.reshape(conf, tf.concat(List.of(minusOne, classesVec), tf.constant(0)));
    Operand<TFloating> lp = tf.reshape(tf.nn.logSoftmax(rows),
        tf.concat(List.of(minusOne, anchorsVec, classesVec), tf.constant(0)));
    Operand<TFloating> ce = tf.math.neg(sum(tf, mul(tf, lp, oneHot(tf, labels, classes)), 2));

    Operand<TBool> positive = tf.math.greater(labels, tf.constant(0L));
    Operand<TFloating> pos = GraphMath.toFloat(tf, positive);
    Operand<TFloating> neg = sub(tf, f(tf, 1), pos);
    Operand<TFloating> posCount = sum(tf, pos, 1);
    // k = min(floor(ratio · positives), negatives), the product in double as the reference has it
    Operand<TFloat64> scaled = tf.math.mul(tf.dtypes.cast(posCount, TFloat64.class), tf.constant(negPosRatio));
    Operand<TFloating> k = tf.math.minimum(GraphMath.toFloat(tf, tf.math.floor(scaled)), sum(tf, neg, 1));

    // negatives ranked by background loss -log p_0 (>= 0), positives (score -1) after all of them
    Operand<TFloating> logP0 = tf.squeeze(
        tf.slice(tf.stopGradient(lp), tf.constant(new int[] {0, 0, 0}), tf.constant(new int[] {-1, -1, 1})),
        Squeeze.axis(List.of(2L)));
    Operand<TFloating> score = tf.select(positive, tf.fill(tf.shape(logP0), f(tf, -1)), tf.math.neg(logP0));
    Operand<TInt32> order = tf.nn.topK(score, anchors, new TopK.Options[0]).indices();
    // the inverse permutation of each row: the rank of every anchor
    Operand<TFloating> rank = GraphMath.toFloat(tf,
        tf.nn.topK(tf.math.neg(GraphMath.toFloat(tf, order)), anchors, new TopK.Options[0]).indices());
    Operand<TFloating> inTopK = GraphMath.toFloat(tf, tf.math.less(rank, tf.expandDims(k, tf.constant(1))));
    Operand<TFloating> kept = tf.stopGradient(add(tf, pos, mul(tf, neg, inTopK)));
    return new Terms(sum(tf, mul(tf, ce, kept), 1), posCount);
  }

  static Operand<TFloating> oneHot(Ops tf, Operand<TInt64> labels, Operand<TInt32> depth) {
    return tf.oneHot(labels, depth, f(tf, 1), f(tf, 0));
  }

  /**
   * A {@code [B]} vector of {@code v}, built from the targets {@code [B, U]} alone: an operation
   * that depends on the prediction would need a gradient, and some (e.g. {@code OnesLike}) have
   * none in TensorFlow's C++ registry.
   */
  static Operand<TFloating> perSampleConstant(Ops tf, Operand<TFloating> targets, double v) {
    return mul(tf, tf.onesLike(sum(tf, targets, 1)), v);
  }
}
