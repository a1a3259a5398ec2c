package io.holdout.api.loss;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An engine-neutral, element-wise loss term: a small tree of operations over the head's output
 * ({@link #pred()}) and its target ({@link #target()} for number targets, {@link #oneHotTarget()}
 * for class labels), each of shape {@code [batch, values per sample]}. Every backend compiles it
 * once into its own differentiable operations; {@code io.holdout.losses.reference} evaluates it in
 * double precision as the reference.
 *
 * <p>A sample's numerator is the sum of the expression over the sample's values; see {@link
 * CustomLoss} for its denominator. Constants broadcast. {@link Op#LOG_SOFTMAX} works along the
 * values of a sample (the classes). Build expressions with the static factories and the fluent
 * methods, e.g. {@code pred().sub(target()).square()}.
 */
public final class LossExpression {
  /** The operations an expression may use. */
  public enum Op {
    PRED(0), TARGET(0), ONE_HOT_TARGET(0), CONSTANT(0),
    NEG(1), ABS(1), SQUARE(1), SQRT(1), EXP(1), LOG(1), LOG1P(1), TANH(1), SIGMOID(1), SOFTPLUS(1), RELU(1),
    LOG_SOFTMAX(1),
    ADD(2), SUB(2), MUL(2), DIV(2), MIN(2), MAX(2);

    private final int arity;

    Op(int arity) {
      this.arity = arity;
    }

    /** How many operands it takes. */
    public int arity() {
      return arity;
    }
  }

  private static final LossExpression PRED = new LossExpression(Op.PRED, List.of(), 0);
  private static final LossExpression TARGET = new LossExpression(Op.TARGET, List.of(), 0);
  private static final LossExpression ONE_HOT = new LossExpression(Op.ONE_HOT_TARGET, List.of(), 0);

  private final Op op;
  private final List<LossExpression> args;
  private final double value;

  private LossExpression(Op op, List<LossExpression> args, double value) {
    this.op = op;
    this.args = List.copyOf(args);
    this.value = value;
  }

  /** The head's output, {@code [batch, values]}. */
  public static LossExpression pred() {
    return PRED;
  }

  /** A number target, reshaped to the output's {@code [batch, values]}. */
  public static LossExpression target() {
    return TARGET;
  }

  /** A class target as one-hot rows {@code [batch, classes]}: 1 at the label, 0 elsewhere. */
  public static LossExpression oneHotTarget() {
    return ONE_HOT;
  }

  /** A constant; it must be finite. */
  public static LossExpression constant(double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("loss expression constant must be finite, got " + v);
    }
    return new LossExpression(Op.CONSTANT, List.of(), v);
  }

  /** The operation {@code op} on {@code operands} (as many as its arity). */
  public static LossExpression of(Op op, LossExpression... operands) {
    Objects.requireNonNull(op, "op is null");
    if (op.arity() == 0 || operands.length != op.arity()) {
      throw new IllegalArgumentException(op + " takes " + op.arity() + " operand(s), got " + operands.length);
    }
    for (LossExpression e : operands) {
      Objects.requireNonNull(e, "operand is null");
    }
    return new LossExpression(op, List.of(operands), 0);
  }

  public Op op() {
    return op;
  }

  /** The operands, in order. */
  public List<LossExpression> args() {
    return args;
  }

  /** A constant's value (0 for other nodes). */
  public double value() {
    return value;
  }

  public LossExpression neg() {
    return of(Op.NEG, this);
  }

  public LossExpression abs() {
    return of(Op.ABS, this);
  }

  public LossExpression square() {
    return of(Op.SQUARE, this);
  }

  public LossExpression sqrt() {
    return of(Op.SQRT, this);
  }

  public LossExpression exp() {
    return of(Op.EXP, this);
  }

  public LossExpression log() {
    return of(Op.LOG, this);
  }

  public LossExpression log1p() {
    return of(Op.LOG1P, this);
  }

  public LossExpression tanh() {
    return of(Op.TANH, this);
  }

  public LossExpression sigmoid() {
    return of(Op.SIGMOID, this);
  }

  /** {@code log(1 + e^x)}, computed stably by every backend. */
  public LossExpression softplus() {
    return of(Op.SOFTPLUS, this);
  }

  public LossExpression relu() {
    return of(Op.RELU, this);
  }

  /** Log-softmax along the values of each sample. */
  public LossExpression logSoftmax() {
    return of(Op.LOG_SOFTMAX, this);
  }

  public LossExpression add(LossExpression o) {
    return of(Op.ADD, this, o);
  }

  public LossExpression add(double c) {
    return add(constant(c));
  }

  public LossExpression sub(LossExpression o) {
    return of(Op.SUB, this, o);
  }

  public LossExpression sub(double c) {
    return sub(constant(c));
  }

  public LossExpression mul(LossExpression o) {
    return of(Op.MUL, this, o);
  }

  public LossExpression mul(double c) {
    return mul(constant(c));
  }

  public LossExpression div(LossExpression o) {
    return of(Op.DIV, this, o);
  }

  /** Element-wise minimum. */
  public LossExpression min(LossExpression o) {
    return of(Op.MIN, this, o);
  }

  public LossExpression min(double c) {
    return min(constant(c));
  }

  /** Element-wise maximum. */
  public LossExpression max(LossExpression o) {
    return of(Op.MAX, this, o);
  }

  public LossExpression max(double c) {
    return max(constant(c));
  }

  /** Whether {@code leaf} ({@link Op#PRED}, {@link Op#TARGET}, ...) occurs in this expression. */
  public boolean uses(Op leaf) {
    return op == leaf || args.stream().anyMatch(a -> a.uses(leaf));
  }

  /** Every node, operands before the nodes that use them (a shared node once). */
  public List<LossExpression> postOrder() {
    List<LossExpression> out = new ArrayList<>();
    visit(this, out, Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    return out;
  }

  private static void visit(LossExpression e, List<LossExpression> out, java.util.Set<LossExpression> seen) {
    if (!seen.add(e)) {
      return;
    }
    for (LossExpression a : e.args) {
      visit(a, out, seen);
    }
    out.add(e);
  }

  @Override
  public String toString() {
    return switch (op) {
      case PRED -> "pred";
      case TARGET -> "target";
      case ONE_HOT_TARGET -> "one_hot(target)";
      case CONSTANT -> String.format(Locale.ROOT, "%s", value);
      default -> op.name().toLowerCase(Locale.ROOT) + "(" + String.join(", ", args.stream().map(Object::toString)
          .toList()) + ")";
    };
  }
}
