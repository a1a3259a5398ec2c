package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;

import io.holdout.losses.Reduction;
import java.util.List;

/**
 * The loss catalogue as standard ONNX operations. Each loss yields its {@link Terms}: a numerator
 * and a denominator per sample, as {@code io.holdout.losses.reference.LossTerms} defines them, so
 * the reduction and the per-sample values follow from them the same way for every loss.
 * Predictions arrive flattened to {@code [B, values per sample]}; targets and labels are reshaped
 * here from whatever shape the batch holds them in (their sizes are checked in Java before a run).
 */
final class OnnxLosses {
  private OnnxLosses() {}

  /** Element-wise regression losses of {@code d = prediction - target}. */
  enum Regression {
    MSE,
    MAE,
    SMOOTH_L1,
    HUBER
  }

  /** Per-sample numerators and denominators, both float {@code [B]}. */
  record Terms(String numerators, String denominators) {
    /** {@code Σ num}, a scalar. */
    String numerator(OnnxGraph g) {
      return g.sum(numerators, 0);
    }

    /** {@code Σ num} for sum, {@code Σ num / Σ den} for mean (0 when {@code Σ den} is 0); a scalar. */
    String reduce(OnnxGraph g, Reduction r) {
      String total = g.sum(numerators, 0);
      return r == Reduction.SUM ? total : g.safeDiv(total, g.sum(denominators, 0));
    }

    /** Each sample's value as if the batch held only it. */
    String perSample(OnnxGraph g, Reduction r) {
      return r == Reduction.SUM ? numerators : g.safeDiv(numerators, denominators);
    }
  }

  /**
   * Regression terms of {@code pred [B, U]} against a target of {@code B·U} values: each sample
   * sums its elements and counts them.
   *
   * @param a beta for smooth L1, delta for Huber, unused otherwise
   */
  static Terms regression(OnnxGraph g, Regression kind, String pred, String target, int units, double a) {
    String t = g.reshape(target, -1, units);
    String d = g.sub(pred, t);
    String e = switch (kind) {
      case MSE -> g.square(d);
      case MAE -> g.abs(d);
      case SMOOTH_L1 -> a == 0 ? g.abs(d) : smoothL1(g, d, a);
      case HUBER -> {
        // 0.5·c² + delta·(|d| - c), c = min(|d|, delta)
        String ad = g.abs(d);
        String c = g.min(ad, g.scalar(a));
        yield g.add(g.mul(g.square(c), 0.5), g.mul(g.sub(ad, c), a));
      }
    };
    return new Terms(g.sum(e, 1), perSample(g, pred, units));
  }

  /** Smooth L1 element-wise for {@code beta > 0}: {@code 0.5·c²/beta + (|d| - c)}, c = min(|d|, beta). */
  static String smoothL1(OnnxGraph g, String d, double beta) {
    String ad = g.abs(d);
    String c = g.min(ad, g.scalar(beta));
    return g.add(g.mul(g.square(c), 0.5 / beta), g.sub(ad, c));
  }

  /** Class labels of any shape as an int64 {@code [B]} vector. */
  static String flatLabels(OnnxGraph g, String labels) {
    return g.reshape(labels, -1);
  }

  /** {@code lp[i, y_i]} of log-probabilities {@code [B, C]} and labels {@code [B]} (in range). */
  private static String pick(OnnxGraph g, String lp, String labels) {
    return g.squeeze(g.op("GatherElements", List.of(lp, g.unsqueeze(labels, 1)), attr("axis", 1)), 1);
  }

  /**
   * Softmax cross-entropy with PyTorch's semantics: per sample {@code (1-ε)·w_y·(-log p_y) +
   * (ε/C)·Σ_c w_c·(-log p_c)} with denominator {@code w_y}; samples labelled {@code ignoreIndex}
   * have both 0.
   *
   * @param weights class weights, or null for all 1
   */
  static Terms crossEntropy(OnnxGraph g, String logits, String labels, int classes, double[] weights,
      double smoothing, long ignoreIndex) {
    String y = flatLabels(g, labels);
    String keep = g.op("Not", List.of(g.op("Equal", List.of(y, g.scalarLong(ignoreIndex)))));
    String valid = g.cast(keep, OnnxGraph.FLOAT);
    String safe = g.where(keep, y, g.scalarLong(0));
    String lp = g.logSoftmax(logits, 1);
    String w = weights == null ? null : g.floats("class_weights", toFloats(weights), classes);
    String wy = w == null ? valid : g.mul(g.op("Gather", List.of(w, safe), attr("axis", 0)), valid);
    String num = g.mul(g.neg(pick(g, lp, safe)), wy);
    if (smoothing != 0) {
      num = g.mul(num, 1 - smoothing);
      String all = g.neg(g.sum(w == null ? lp : g.mul(lp, w), 1));
      num = g.add(num, g.mul(g.mul(all, valid), smoothing / classes));
    }
    return new Terms(num, wy);
  }

  /**
   * Softmax focal loss: per sample {@code -α_y·(1 - p_y)^γ·log p_y}, denominator 1.
   *
   * @param alpha class weights, or null for all 1
   */
  static Terms focal(OnnxGraph g, String logits, String labels, int classes, double gamma, double[] alpha) {
    String y = flatLabels(g, labels);
    String lpy = pick(g, g.logSoftmax(logits, 1), y);
    String num = g.neg(lpy);
    if (alpha != null) {
      String a = g.floats("alpha", toFloats(alpha), classes);
      num = g.mul(num, g.op("Gather", List.of(a, y), attr("axis", 0)));
    }
    if (gamma != 0) {
      String oneMinus = g.sub(g.scalar(1), g.op("Exp", List.of(lpy)));
      num = g.mul(num, g.op("Pow", List.of(oneMinus, g.scalar(gamma))));
    }
    return new Terms(num, g.filled(g.shape(y, 0, 1), 1f));
  }

  /**
   * Binary cross-entropy with logits, per element {@code pos_weight·t·softplus(-x) +
   * (1-t)·softplus(x)} (for {@code pos_weight = 1}: {@code softplus(x) - x·t}); each sample counts
   * its elements.
   */
  static Terms binaryCrossEntropy(OnnxGraph g, String logits, String targets, int units, double posWeight) {
    String t = g.reshape(targets, -1, units);
    String e;
    if (posWeight == 1) {
      e = g.sub(softplus(g, logits), g.mul(logits, t));
    } else {
      String pos = g.mul(g.mul(t, softplus(g, g.neg(logits))), posWeight);
      e = g.add(pos, g.mul(g.sub(g.scalar(1), t), softplus(g, logits)));
    }
    return new Terms(g.sum(e, 1), perSample(g, logits, units));
  }

  /** {@code log(1 + exp(x))} as {@code max(x, 0) + log(1 + exp(-|x|))}, which cannot overflow. */
  private static String softplus(OnnxGraph g, String x) {
    String tail = g.op("Log", List.of(g.add(g.scalar(1), g.op("Exp", List.of(g.neg(g.abs(x)))))));
    return g.add(g.op("Max", List.of(x, g.scalar(0))), tail);
  }

  /**
   * SSD localisation: smooth L1 (beta 1) summed over the 4 coordinates of every positive anchor
   * (label {@code > 0}); each image's denominator is its number of positives.
   *
   * @param loc {@code [B, 4·A]} predicted offsets
   * @param target encoded boxes, {@code B·A·4} values
   * @param labels anchor labels {@code [B, A]}
   */
  static Terms multiboxLoc(OnnxGraph g, String loc, String target, String labels, int anchors) {
    String d = g.sub(g.reshape(loc, -1, anchors, 4), g.reshape(target, -1, anchors, 4));
    String perAnchor = g.sum(smoothL1(g, d, 1.0), 2);
    String pos = g.cast(g.op("Greater", List.of(g.reshape(labels, -1, anchors), g.scalarLong(0))),
        OnnxGraph.FLOAT);
    return new Terms(g.sum(g.mul(perAnchor, pos), 1), g.sum(pos, 1));
  }

  /**
   * SSD confidence: cross-entropy summed over the positive anchors and each image's hard-mined
   * negatives; each image's denominator is its number of positives. The number of anchors comes
   * from the labels ({@code [B, A]}), the classes from the logits ({@code [B, A·C]}).
   *
   * <p>Hard-negative mining: negatives are ranked by their background loss {@code -log p_0},
   * highest first, with {@code TopK}, which puts equal values in index order (ties: the lower anchor
   * index first, as the reference); the rank of each anchor is scattered back from the sorted
   * order, and the first {@code k = min(floor(ratio · positives), negatives)} of each image are
   * kept, {@code ratio · positives} computed in double precision as the reference has it.
   */
  static Terms multiboxConf(OnnxGraph g, String conf, String labels, double negPosRatio) {
    Mined m = mine(g, conf, labels, negPosRatio);
    String ce = g.neg(g.squeeze(
        g.op("GatherElements", List.of(m.logProbs(), g.unsqueeze(labels, 2)), attr("axis", 2)), 2));
    return new Terms(g.sum(g.mul(ce, m.kept()), 1), m.positives());
  }

  /**
   * What the SSD confidence loss sums over.
   *
   * @param logProbs the log-softmax of each anchor's logits, {@code [B, A, C]}
   * @param kept 1 for each positive and each mined negative anchor, else 0, {@code [B, A]}
   * @param positives each image's number of positive anchors, {@code [B]}
   */
  record Mined(String logProbs, String kept, String positives) {}

  /** The anchors of {@link #multiboxConf}: positives and hard-mined negatives (see there). */
  static Mined mine(OnnxGraph g, String conf, String labels, double negPosRatio) {
    String labelShape = g.op("Shape", List.of(labels));
    String anchors = g.shape(labels, 1, 2);
    // [B, A·C] -> [B, A, C]: batch copied, anchors from the labels, classes inferred
    String rows = g.op("Reshape", List.of(conf, g.op("Concat",
        List.of(g.vector(0), anchors, g.vector(-1)), attr("axis", 0))));
    String lp = g.logSoftmax(rows, 2);

    String positive = g.op("Greater", List.of(labels, g.scalarLong(0)));
    String pos = g.cast(positive, OnnxGraph.FLOAT);
    String neg = g.sub(g.scalar(1), pos);
    String posCount = g.sum(pos, 1);
    String scaled = g.mul(g.cast(posCount, OnnxGraph.DOUBLE), g.scalarDouble(negPosRatio));
    String k = g.min(g.cast(g.op("Floor", List.of(scaled)), OnnxGraph.FLOAT), g.sum(neg, 1));

    // negatives ranked by background loss -log p_0 (>= 0), positives (score -1) after all of them
    String logP0 = g.op("Gather", List.of(lp, g.scalarLong(0)), attr("axis", 2));
    String score = g.where(positive, g.scalar(-1), g.neg(logP0));
    String order = g.opMulti("TopK", List.of(score, anchors), 2,
        attr("axis", 1), attr("largest", 1), attr("sorted", 1)).get(1);
    // rank[b, order[b, i]] = i
    String positions = g.op("Expand", List.of(
        g.op("Range", List.of(g.scalarLong(0), g.squeeze(anchors, 0), g.scalarLong(1))), labelShape));
    String rank = g.op("ScatterElements", List.of(g.op("Mul", List.of(labels, g.scalarLong(0))), order,
        positions), attr("axis", 1));
    String inTopK = g.cast(g.op("Less", List.of(g.cast(rank, OnnxGraph.FLOAT), g.unsqueeze(k, 1))),
        OnnxGraph.FLOAT);
    return new Mined(lp, g.add(pos, g.mul(neg, inTopK)), posCount);
  }

  /** A {@code [B]} vector of {@code v}, B being the first dimension of {@code like}. */
  static String perSample(OnnxGraph g, String like, double v) {
    return g.filled(g.shape(like, 0, 1), (float) v);
  }

  static float[] toFloats(double[] d) {
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }
}
