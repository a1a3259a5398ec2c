package io.holdout.api.optim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An engine-neutral, element-wise expression of an {@link UpdateRule}: a small tree of operations
 * over one parameter ({@link #param()}), its gradient after global-norm clipping ({@link #grad()}),
 * the optimizer's per-parameter state slots ({@link #state} before this step, {@link #updated} after
 * this step's update), the learning rate ({@link #lr()}), the 1-based step count ({@link #step()})
 * and constants. Every engine compiles it into its own operations; {@code
 * io.holdout.checks.ReferenceOptimizer} evaluates it in double precision as the reference.
 *
 * <p>A node without a tensor leaf (param, grad, state) is a <em>scalar</em>: engines evaluate it in
 * double precision in Java, once per step (it may depend on the learning rate and the step, like
 * Adam's bias correction {@code 1 - β1^t}), and use it rounded to float, as PyTorch rounds its
 * Python-float hyper-parameters. {@link Op#POW} takes a scalar exponent. Build expressions with the
 * static factories and the fluent methods, e.g. {@code param().sub(lr().mul(grad().sign()))}.
 */
public final class RuleExpression {
  /** The operations an expression may use. */
  public enum Op {
    PARAM(0), GRAD(0), STATE(0), UPDATED(0), LR(0), STEP(0), CONSTANT(0),
    NEG(1), ABS(1), SIGN(1), SQRT(1), SQUARE(1),
    ADD(2), SUB(2), MUL(2), DIV(2), MIN(2), MAX(2), POW(2);

    private final int arity;

    Op(int arity) {
      this.arity = arity;
    }

    /** How many operands it takes. */
    public int arity() {
      return arity;
    }
  }

  private static final RuleExpression PARAM = new RuleExpression(Op.PARAM, List.of(), 0, null);
  private static final RuleExpression GRAD = new RuleExpression(Op.GRAD, List.of(), 0, null);
  private static final RuleExpression LR = new RuleExpression(Op.LR, List.of(), 0, null);
  private static final RuleExpression STEP = new RuleExpression(Op.STEP, List.of(), 0, null);

  private final Op op;
  private final List<RuleExpression> args;
  private final double value;
  private final String slot;
  private final boolean scalar;
  private final boolean constant;

  private RuleExpression(Op op, List<RuleExpression> args, double value, String slot) {
    this.op = op;
    this.args = List.copyOf(args);
    this.value = value;
    this.slot = slot;
    boolean s = switch (op) {
      case PARAM, GRAD, STATE, UPDATED -> false;
      default -> true;
    };
    boolean c = op != Op.LR && op != Op.STEP && s;
    for (RuleExpression a : this.args) {
      s &= a.scalar;
      c &= a.constant;
    }
    this.scalar = s;
    this.constant = c;
  }

  /** The parameter's value before this step. */
  public static RuleExpression param() {
    return PARAM;
  }

  /** The parameter's gradient (after global-norm clipping, when the config asks for it). */
  public static RuleExpression grad() {
    return GRAD;
  }

  /** State slot {@code name} as it was before this step. */
  public static RuleExpression state(String name) {
    return new RuleExpression(Op.STATE, List.of(), 0, Objects.requireNonNull(name, "slot name is null"));
  }

  /**
   * State slot {@code name} after this step's update: usable in the parameter's expression and in
   * the expressions of slots declared after {@code name}.
   */
  public static RuleExpression updated(String name) {
    return new RuleExpression(Op.UPDATED, List.of(), 0, Objects.requireNonNull(name, "slot name is null"));
  }

  /** The learning rate of this step (after the schedule and plateau reductions). */
  public static RuleExpression lr() {
    return LR;
  }

  /** The step count: 1 on the first step (and continued after a resume). */
  public static RuleExpression step() {
    return STEP;
  }

  /** A constant; it must be finite. */
  public static RuleExpression constant(double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("update rule constant must be finite, got " + v);
    }
    return new RuleExpression(Op.CONSTANT, List.of(), v, null);
  }

  /** The operation {@code op} on {@code operands} (as many as its arity). */
  public static RuleExpression of(Op op, RuleExpression... operands) {
    Objects.requireNonNull(op, "op is null");
    if (op.arity() == 0 || operands.length != op.arity()) {
      throw new IllegalArgumentException(op + " takes " + op.arity() + " operand(s), got " + operands.length);
    }
    for (RuleExpression e : operands) {
      Objects.requireNonNull(e, "operand is null");
    }
    if (op == Op.POW && !operands[1].scalar) {
      throw new IllegalArgumentException("pow takes a scalar exponent (constants, lr, step), got " + operands[1]);
    }
    return new RuleExpression(op, List.of(operands), 0, null);
  }

  public Op op() {
    return op;
  }

  /** The operands, in order. */
  public List<RuleExpression> args() {
    return args;
  }

  /** A constant's value (0 for other nodes). */
  public double value() {
    return value;
  }

  /** The slot a {@link Op#STATE} or {@link Op#UPDATED} leaf reads ({@code null} for other nodes). */
  public String slot() {
    return slot;
  }

  /**
   * Whether the node has no tensor leaf (param, grad, state): one number per step, which engines
   * compute in double precision in Java.
   */
  public boolean isScalar() {
    return scalar;
  }

  /** Whether the node is made of constants only (the same number every step). */
  public boolean isConstant() {
    return constant;
  }

  /**
   * The value of a scalar node at learning rate {@code lr} and step {@code t}, in double
   * precision.
   *
   * @throws IllegalStateException when the node reads a tensor
   */
  public double scalarValue(double lr, long t) {
    if (!scalar) {
      throw new IllegalStateException("not a scalar expression: " + this);
    }
    return switch (op) {
      case LR -> lr;
      case STEP -> t;
      case CONSTANT -> value;
      default -> {
        double a = args.get(0).scalarValue(lr, t);
        yield op.arity() == 1 ? apply(op, a, 0) : apply(op, a, args.get(1).scalarValue(lr, t));
      }
    };
  }

  /** The double-precision meaning of every operation: {@code b} is ignored by unary ones. */
  public static double apply(Op op, double a, double b) {
    return switch (op) {
      case NEG -> -a;
      case ABS -> Math.abs(a);
      case SIGN -> Math.signum(a);
      case SQRT -> Math.sqrt(a);
      case SQUARE -> a * a;
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case MIN -> Math.min(a, b);
      case MAX -> Math.max(a, b);
      case POW -> Math.pow(a, b);
      default -> throw new IllegalArgumentException(op + " is a leaf");
    };
  }

  /** The slots {@code leaf} ({@link Op#STATE} or {@link Op#UPDATED}) nodes of this tree read. */
  public Set<String> slots(Op leaf) {
    Set<String> out = new LinkedHashSet<>();
    collect(leaf, out);
    return out;
  }

  private void collect(Op leaf, Set<String> out) {
    if (op == leaf) {
      out.add(slot);
    }
    args.forEach(a -> a.collect(leaf, out));
  }

  /** Whether {@code leaf} occurs in this expression. */
  public boolean uses(Op leaf) {
    if (op == leaf) {
      return true;
    }
    for (RuleExpression a : args) {
      if (a.uses(leaf)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The largest scalar sub-expressions that depend on the learning rate or the step (in the order
   * they occur, duplicates once): what an engine computes in Java and feeds each step.
   */
  public List<RuleExpression> stepScalars() {
    List<RuleExpression> out = new ArrayList<>();
    collectStepScalars(out);
    return out;
  }

  private void collectStepScalars(List<RuleExpression> out) {
    if (scalar) {
      if (!constant && !out.contains(this)) {
        out.add(this);
      }
      return;
    }
    args.forEach(a -> a.collectStepScalars(out));
  }

  public RuleExpression neg() {
    return of(Op.NEG, this);
  }

  public RuleExpression abs() {
    return of(Op.ABS, this);
  }

  /** -1, 0 or 1. */
  public RuleExpression sign() {
    return of(Op.SIGN, this);
  }

  public RuleExpression sqrt() {
    return of(Op.SQRT, this);
  }

  public RuleExpression square() {
    return of(Op.SQUARE, this);
  }

  public RuleExpression add(RuleExpression o) {
    return of(Op.ADD, this, o);
  }

  public RuleExpression add(double c) {
    return add(constant(c));
  }

  public RuleExpression sub(RuleExpression o) {
    return of(Op.SUB, this, o);
  }

  public RuleExpression sub(double c) {
    return sub(constant(c));
  }

  public RuleExpression mul(RuleExpression o) {
    return of(Op.MUL, this, o);
  }

  public RuleExpression mul(double c) {
    return mul(constant(c));
  }

  public RuleExpression div(RuleExpression o) {
    return of(Op.DIV, this, o);
  }

  public RuleExpression div(double c) {
    return div(constant(c));
  }

  /** Element-wise minimum. */
  public RuleExpression min(RuleExpression o) {
    return of(Op.MIN, this, o);
  }

  public RuleExpression min(double c) {
    return min(constant(c));
  }

  /** Element-wise maximum. */
  public RuleExpression max(RuleExpression o) {
    return of(Op.MAX, this, o);
  }

  public RuleExpression max(double c) {
    return max(constant(c));
  }

  /** {@code this ^ exponent}; the exponent must be a scalar (e.g. {@code constant(0.9).pow(step())}). */
  public RuleExpression pow(RuleExpression exponent) {
    return of(Op.POW, this, exponent);
  }

  public RuleExpression pow(double exponent) {
    return pow(constant(exponent));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RuleExpression e && e.op == op && Double.compare(e.value, value) == 0
        && Objects.equals(e.slot, slot) && e.args.equals(args);
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, args, value, slot);
  }

  /** A readable form, e.g. {@code sub(param, mul(lr, sign(grad)))}. */
  @Override
  public String toString() {
    return switch (op) {
      case CONSTANT -> Double.toString(value);
      case STATE -> "state(" + slot + ")";
      case UPDATED -> "updated(" + slot + ")";
      case PARAM, GRAD, LR, STEP -> op.name().toLowerCase(Locale.ROOT);
      default -> {
        StringBuilder b = new StringBuilder(op.name().toLowerCase(Locale.ROOT)).append('(');
        for (int i = 0; i < args.size(); i++) {
          b.append(i == 0 ? "" : ", ").append(args.get(i));
        }
        yield b.append(')').toString();
      }
    };
  }
}
