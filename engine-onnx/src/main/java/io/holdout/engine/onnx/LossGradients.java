package io.holdout.engine.onnx;

import static io.holdout.engine.onnx.OnnxGraph.attr;

import io.holdout.losses.ResolvedComponent;
import java.util.List;
import java.util.Set;

/**
 * The gradient of a loss component's summed numerator {@code Σ_i num_i} with respect to its head
 * output, as ONNX operators: the backward half of {@link OnnxLosses}, with the derivatives the
 * pure-Java reference ({@code io.holdout.losses.reference}) defines, kinks included. The
 * component's value is {@code Σ num / Σ den} (its denominators depend on the targets only), so the
 * training graph scales this by {@code weight / Σ den}.
 */
final class LossGradients {
  /** The loss types with a gradient here. */
  static final Set<String> TYPES = Set.of("mse", "mae", "smooth_l1", "huber", "cross_entropy",
      "binary_cross_entropy", "focal", "multibox_loc", "multibox_conf");

  private LossGradients() {}

  /**
   * {@code d Σ num / d pred} of {@code pred [B, values per sample]}, same shape (a plugin's loss
   * through {@link OnnxExpression#gradient}).
   *
   * @throws IllegalArgumentException for a type without a gradient here
   */
  static String numeratorGrad(OnnxGraph g, ResolvedComponent r, String pred, TargetInputs in) {
    int units = r.units();
    if (r.custom() != null) {
      String t = r.custom().target() == io.holdout.api.data.TargetKind.CLASS
          ? OnnxExpression.oneHot(g, OnnxLosses.flatLabels(g, in.labels(r.target())), units)
          : g.reshape(in.floats(r.target()), -1, units);
      return OnnxExpression.gradient(g, r.custom(), pred, t);
    }
    return switch (r.type()) {
      case "mse" -> g.mul(diff(g, pred, in.floats(r.target()), units), 2.0);
      case "mae" -> g.op("Sign", List.of(diff(g, pred, in.floats(r.target()), units)));
      case "smooth_l1" -> {
        String d = diff(g, pred, in.floats(r.target()), units);
        String sign = g.op("Sign", List.of(d));
        yield r.beta() == 0 ? sign
            : g.where(g.op("Less", List.of(g.abs(d), g.scalar(r.beta()))), g.mul(d, 1 / r.beta()), sign);
      }
      case "huber" -> {
        String d = diff(g, pred, in.floats(r.target()), units);
        String inside = g.op("LessOrEqual", List.of(g.abs(d), g.scalar(r.delta())));
        yield g.where(inside, d, g.mul(g.op("Sign", List.of(d)), r.delta()));
      }
      case "cross_entropy" -> crossEntropy(g, pred, in.labels(r.target()), units, r.classWeights(),
          r.labelSmoothing(), r.ignoreIndex());
      case "focal" -> focal(g, pred, in.labels(r.target()), units, r.gamma(), r.alpha());
      case "binary_cross_entropy" -> {
        // -pos_weight·t·σ(-x) + (1-t)·σ(x)
        String t = g.reshape(in.floats(r.target()), -1, units);
        String pos = g.mul(g.mul(t, g.op("Sigmoid", List.of(g.neg(pred)))), -r.posWeight());
        yield g.add(pos, g.mul(g.sub(g.scalar(1), t), g.op("Sigmoid", List.of(pred))));
      }
      case "multibox_loc" -> {
        // smooth L1 (β = 1) on the positive anchors only
        int anchors = units / 4;
        String d = g.sub(g.reshape(pred, -1, anchors, 4), g.reshape(in.floats(r.target()), -1, anchors, 4));
        String slope = g.where(g.op("Less", List.of(g.abs(d), g.scalar(1))), d, g.op("Sign", List.of(d)));
        String pos = g.cast(g.op("Greater", List.of(g.reshape(in.labels(r.labels()), -1, anchors),
            g.scalarLong(0))), OnnxGraph.FLOAT);
        yield g.reshape(g.mul(slope, g.unsqueeze(pos, 2)), -1, units);
      }
      case "multibox_conf" -> {
        // (softmax - one-hot) on the positives and the mined negatives; the mining is a constant
        String labels = in.labels(r.target());
        OnnxLosses.Mined m = OnnxLosses.mine(g, pred, labels, r.negPosRatio());
        String p = g.op("Exp", List.of(m.logProbs()));
        String onehot = g.op("OneHot", List.of(labels, g.shape(m.logProbs(), 2, 3),
            g.floats("off_on", new float[] {0, 1}, 2)), attr("axis", -1L));
        yield g.reshape(g.mul(g.sub(p, onehot), g.unsqueeze(m.kept(), 2)), -1, units);
      }
      default -> throw new IllegalArgumentException("loss type '" + r.type() + "' has no gradient on onnx yet");
    };
  }

  private static String diff(OnnxGraph g, String pred, String target, int units) {
    return g.sub(pred, g.reshape(target, -1, units));
  }

  /**
   * {@code (1-ε)·w_y·(p - e_y) + (ε/C)·(W·p - w)} per sample, {@code W = Σ_c w_c}; 0 for ignored
   * samples.
   */
  private static String crossEntropy(OnnxGraph g, String logits, String labels, int classes, double[] weights,
      double smoothing, long ignoreIndex) {
    String y = g.reshape(labels, -1);
    String keep = g.op("Not", List.of(g.op("Equal", List.of(y, g.scalarLong(ignoreIndex)))));
    String valid = g.unsqueeze(g.cast(keep, OnnxGraph.FLOAT), 1);
    String safe = g.where(keep, y, g.scalarLong(0));
    String p = g.op("Softmax", List.of(logits), attr("axis", 1));
    String onehot = oneHot(g, safe, classes);
    String w = weights == null ? null : g.floats("class_weights", OnnxLosses.toFloats(weights), classes);
    String wy = w == null ? null : g.unsqueeze(g.op("Gather", List.of(w, safe), attr("axis", 0)), 1);
    String grad = g.sub(p, onehot);
    if (wy != null) {
      grad = g.mul(grad, wy);
    }
    if (smoothing != 0) {
      grad = g.mul(grad, 1 - smoothing);
      double total = 0;
      for (int c = 0; c < classes; c++) {
        total += weights == null ? 1 : weights[c];
      }
      String spread = g.sub(g.mul(p, total), w == null ? g.scalar(1) : w);
      grad = g.add(grad, g.mul(spread, smoothing / classes));
    }
    return g.mul(grad, valid);
  }

  /**
   * {@code α_y·([j=y] - p_j)·(γ·q·(1-q)^(γ-1)·log q - (1-q)^γ)} with {@code q = p_y} (the first
   * term taken as 0 where {@code q = 1}).
   */
  private static String focal(OnnxGraph g, String logits, String labels, int classes, double gamma, double[] alpha) {
    String y = g.reshape(labels, -1);
    String lp = g.logSoftmax(logits, 1);
    String p = g.op("Exp", List.of(lp));
    String lpy = g.unsqueeze(g.squeeze(g.op("GatherElements", List.of(lp, g.unsqueeze(y, 1)), attr("axis", 1)), 1), 1);
    String q = g.op("Exp", List.of(lpy));
    String oneMinus = g.sub(g.scalar(1), q);
    String first = gamma == 0 ? g.scalar(0)
        : g.where(g.op("Equal", List.of(oneMinus, g.scalar(0))), g.scalar(0),
            g.mul(g.mul(g.mul(q, g.op("Pow", List.of(oneMinus, g.scalar(gamma - 1)))), lpy), gamma));
    String inner = g.sub(first, gamma == 0 ? g.scalar(1) : g.op("Pow", List.of(oneMinus, g.scalar(gamma))));
    String grad = g.mul(g.sub(oneHot(g, y, classes), p), inner);
    if (alpha != null) {
      String a = g.floats("alpha", OnnxLosses.toFloats(alpha), classes);
      grad = g.mul(grad, g.unsqueeze(g.op("Gather", List.of(a, y), attr("axis", 0)), 1));
    }
    return grad;
  }

  /** {@code [B, C]} float one-hot rows of int64 labels {@code [B]} (in range). */
  private static String oneHot(OnnxGraph g, String labels, int classes) {
    return g.op("OneHot", List.of(labels, g.vector(classes), g.floats("off_on", new float[] {0, 1}, 2)),
        attr("axis", -1L));
  }
}
