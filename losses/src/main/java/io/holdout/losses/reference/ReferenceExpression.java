package io.holdout.losses.reference;

import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.CustomLoss;
import io.holdout.api.loss.LossExpression;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plugin's {@link CustomLoss} evaluated in double precision: the reference every backend's
 * compiled expression is checked against. Values are {@code [batch, units]} arrays in row-major
 * order; constants are broadcast. The gradient is exact reverse-mode differentiation of the same
 * expression (at a kink, {@code abs}, {@code relu}, {@code min} and {@code max} take the derivative
 * of the branch their value comes from, the second operand on a tie of {@code min}/{@code max}).
 */
public final class ReferenceExpression {
  private final CustomLoss loss;
  private final int batch;
  private final int units;
  private final double[] pred;
  private final double[] target;
  private final List<LossExpression> order;
  private final Map<LossExpression, double[]> values = new IdentityHashMap<>();

  /**
   * @param pred the head output, {@code batch × units} values
   * @param targets number targets ({@code batch × units} values) or class labels ({@code batch})
   */
  ReferenceExpression(CustomLoss loss, float[] pred, float[] targets, long[] labels, int batch) {
    this.loss = loss;
    this.batch = batch;
    this.units = batch == 0 ? 0 : pred.length / batch;
    this.pred = new double[pred.length];
    for (int i = 0; i < pred.length; i++) {
      this.pred[i] = pred[i];
    }
    this.target = new double[pred.length];
    if (loss.target() == TargetKind.CLASS) {
      for (int i = 0; i < batch; i++) {
        if (labels[i] < 0 || labels[i] >= units) {
          throw new IllegalArgumentException("label " + labels[i] + " is not a class of " + units);
        }
        target[i * units + (int) labels[i]] = 1;
      }
    } else {
      for (int i = 0; i < pred.length; i++) {
        target[i] = targets[i];
      }
    }
    this.order = loss.expression().postOrder();
    for (LossExpression e : order) {
      values.put(e, forward(e));
    }
  }

  /** Per-sample numerators (the expression summed over each sample's values) and denominators. */
  LossTerms terms() {
    double[] v = values.get(loss.expression());
    double[] num = new double[batch];
    double[] den = new double[batch];
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < units; j++) {
        num[i] += v[i * units + j];
      }
      den[i] = loss.normalisation() == CustomLoss.Normalisation.ELEMENTS ? units : 1;
    }
    return new LossTerms(num, den);
  }

  /** Gradient of {@code Σ numerators} w.r.t. the prediction, element by element. */
  double[] numeratorGrad() {
    Map<LossExpression, double[]> grads = new IdentityHashMap<>();
    double[] seed = new double[pred.length];
    java.util.Arrays.fill(seed, 1);
    grads.put(loss.expression(), seed);
    double[] out = new double[pred.length];
    for (int k = order.size() - 1; k >= 0; k--) {
      LossExpression e = order.get(k);
      double[] g = grads.get(e);
      if (g == null) {
        continue;
      }
      if (e.op() == LossExpression.Op.PRED) {
        add(out, g);
        continue;
      }
      backward(e, g, grads);
    }
    return out;
  }

  private static void add(double[] into, double[] g) {
    for (int i = 0; i < into.length; i++) {
      into[i] += g[i];
    }
  }

  private static void accumulate(Map<LossExpression, double[]> grads, LossExpression e, double[] g) {
    double[] have = grads.get(e);
    if (have == null) {
      grads.put(e, g);
    } else {
      add(have, g);
    }
  }

  private double[] forward(LossExpression e) {
    int n = pred.length;
    double[] out = new double[n];
    switch (e.op()) {
      case PRED -> System.arraycopy(pred, 0, out, 0, n);
      case TARGET, ONE_HOT_TARGET -> System.arraycopy(target, 0, out, 0, n);
      case CONSTANT -> java.util.Arrays.fill(out, e.value());
      case LOG_SOFTMAX -> {
        double[] a = values.get(e.args().get(0));
        for (int i = 0; i < batch; i++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < units; j++) {
            max = Math.max(max, a[i * units + j]);
          }
          double s = 0;
          for (int j = 0; j < units; j++) {
            s += Math.exp(a[i * units + j] - max);
          }
          double lse = max + Math.log(s);
          for (int j = 0; j < units; j++) {
            out[i * units + j] = a[i * units + j] - lse;
          }
        }
      }
      default -> {
        double[] a = values.get(e.args().get(0));
        double[] b = e.args().size() > 1 ? values.get(e.args().get(1)) : null;
        for (int i = 0; i < n; i++) {
          out[i] = apply(e.op(), a[i], b == null ? 0 : b[i]);
        }
      }
    }
    return out;
  }

  private static double apply(LossExpression.Op op, double x, double y) {
    return switch (op) {
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SQUARE -> x * x;
      case SQRT -> Math.sqrt(x);
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case LOG1P -> Math.log1p(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> 1 / (1 + Math.exp(-x));
      case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      case RELU -> Math.max(x, 0);
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case MIN -> Math.min(x, y);
      case MAX -> Math.max(x, y);
      default -> throw new IllegalStateException("not element-wise: " + op);
    };
  }

  private void backward(LossExpression e, double[] g, Map<LossExpression, double[]> grads) {
    int n = pred.length;
    if (e.args().isEmpty()) {
      return;
    }
    LossExpression first = e.args().get(0);
    double[] a = values.get(first);
    double[] v = values.get(e);
    double[] ga = new double[n];
    if (e.op() == LossExpression.Op.LOG_SOFTMAX) {
      // d/da_j = g_j - softmax_j · Σ_k g_k
      for (int i = 0; i < batch; i++) {
        double sg = 0;
        for (int j = 0; j < units; j++) {
          sg += g[i * units + j];
        }
        for (int j = 0; j < units; j++) {
          ga[i * units + j] = g[i * units + j] - Math.exp(v[i * units + j]) * sg;
        }
      }
      accumulate(grads, first, ga);
      return;
    }
    if (e.args().size() == 1) {
      for (int i = 0; i < n; i++) {
        double x = a[i];
        double d = switch (e.op()) {
          case NEG -> -1;
          case ABS -> x >= 0 ? 1 : -1;
          case SQUARE -> 2 * x;
          case SQRT -> 0.5 / v[i];
          case EXP -> v[i];
          case LOG -> 1 / x;
          case LOG1P -> 1 / (1 + x);
          case TANH -> 1 - v[i] * v[i];
          case SIGMOID -> v[i] * (1 - v[i]);
          case SOFTPLUS -> 1 / (1 + Math.exp(-x));
          case RELU -> x > 0 ? 1 : 0;
          default -> throw new IllegalStateException("no derivative for " + e.op());
        };
        ga[i] = g[i] * d;
      }
      accumulate(grads, first, ga);
      return;
    }
    LossExpression second = e.args().get(1);
    double[] b = values.get(second);
    double[] gb = new double[n];
    for (int i = 0; i < n; i++) {
      switch (e.op()) {
        case ADD -> {
          ga[i] = g[i];
          gb[i] = g[i];
        }
        case SUB -> {
          ga[i] = g[i];
          gb[i] = -g[i];
        }
        case MUL -> {
          ga[i] = g[i] * b[i];
          gb[i] = g[i] * a[i];
        }
        case DIV -> {
          ga[i] = g[i] / b[i];
          gb[i] = -g[i] * a[i] / (b[i] * b[i]);
        }
        case MIN -> {
          if (a[i] < b[i]) {
            ga[i] = g[i];
          } else {
            gb[i] = g[i];
          }
        }
        case MAX -> {
          if (a[i] > b[i]) {
            ga[i] = g[i];
          } else {
            gb[i] = g[i];
          }
        }
        default -> throw new IllegalStateException("no derivative for " + e.op());
      }
    }
    accumulate(grads, first, ga);
    accumulate(grads, second, gb);
  }
}
