package io.holdout.engine.tensorflow;

import io.holdout.api.optim.RuleExpression;
import io.holdout.api.optim.UpdateRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.family.TFloating;

/**
 * A registered optimizer's {@link UpdateRule} as graph operations, so a training step stays one
 * run. Each slot is a resource variable per parameter, set to the slot's initial value when the
 * session opens and saved as {@code <slot>.<param>}. Scalar sub-expressions that depend on the
 * learning rate or the step are computed in double precision in Java and fed as float placeholders
 * each run; constant ones are float constants. Every assignment waits for every new value (and
 * every gradient), so each expression reads the values from before the step.
 */
final class TfRule extends TfOptimizer {
  private final UpdateRule rule;
  private final List<RuleExpression> scalars;
  private final List<Scalar> feeds = new ArrayList<>();

  TfRule(Ops tf, UpdateRule rule) {
    this.rule = rule;
    this.scalars = rule.stepScalars();
    for (int k = 0; k < scalars.size(); k++) {
      feeds.add(scalar(tf, "opt_rule_scalar_" + k));
    }
  }

  @Override
  List<Op> build(Ops tf, StateVariable[] params, Operand<TFloating>[] grads) {
    Map<String, List<StateVariable>> slots = new LinkedHashMap<>();
    for (UpdateRule.Slot s : rule.slots()) {
      slots.put(s.name(), stateLike(tf, s.name(), "rule_" + s.name(), params, s.init()));
    }
    List<Op> values = new ArrayList<>(List.of(grads));
    List<StateVariable> targets = new ArrayList<>();
    List<Operand<TFloating>> newValues = new ArrayList<>();
    for (int i = 0; i < params.length; i++) {
      Compiler c = new Compiler(tf, params[i].read(), grads[i], slots, i);
      for (UpdateRule.Slot s : rule.slots()) {
        Operand<TFloating> v = c.compile(s.update());
        c.fresh.put(s.name(), v);
        targets.add(slots.get(s.name()).get(i));
        newValues.add(v);
      }
      targets.add(params[i]);
      newValues.add(c.compile(rule.param()));
    }
    values.addAll(newValues);
    Ops after = tf.withControlDependencies(values);
    List<Op> out = new ArrayList<>();
    for (int k = 0; k < targets.size(); k++) {
      out.add(targets.get(k).assign(after, newValues.get(k)));
    }
    return out;
  }

  @Override
  void feed(Session.Runner runner, double lr, List<AutoCloseable> owned) {
    long t = steps + 1;
    for (int k = 0; k < scalars.size(); k++) {
      feedScalar(runner, feeds.get(k), scalars.get(k).scalarValue(lr, t), owned);
    }
  }

  /** One parameter's expressions as graph operations. */
  private final class Compiler {
    final Ops tf;
    final Operand<TFloating> param;
    final Operand<TFloating> grad;
    final Map<String, List<StateVariable>> slots;
    final int index;
    final Map<String, Operand<TFloating>> fresh = new LinkedHashMap<>();

    Compiler(Ops tf, Operand<TFloating> param, Operand<TFloating> grad, Map<String, List<StateVariable>> slots, int index) {
      this.tf = tf;
      this.param = param;
      this.grad = grad;
      this.slots = slots;
      this.index = index;
    }

    Operand<TFloating> compile(RuleExpression e) {
      if (e.isScalar()) {
        int k = scalars.indexOf(e);
        return k >= 0 ? feeds.get(k).value() : GraphMath.f(tf, e.scalarValue(0, 0));
      }
      List<RuleExpression> a = e.args();
      return switch (e.op()) {
        case PARAM -> param;
        case GRAD -> grad;
        case STATE -> slots.get(e.slot()).get(index).read();
        case UPDATED -> fresh.get(e.slot());
        case NEG -> tf.math.neg(compile(a.get(0)));
        case ABS -> tf.math.abs(compile(a.get(0)));
        case SIGN -> tf.math.sign(compile(a.get(0)));
        case SQRT -> tf.math.sqrt(compile(a.get(0)));
        case SQUARE -> tf.math.square(compile(a.get(0)));
        case ADD -> tf.math.add(compile(a.get(0)), compile(a.get(1)));
        case SUB -> tf.math.sub(compile(a.get(0)), compile(a.get(1)));
        case MUL -> tf.math.mul(compile(a.get(0)), compile(a.get(1)));
        case DIV -> tf.math.div(compile(a.get(0)), compile(a.get(1)));
        case MIN -> tf.math.minimum(compile(a.get(0)), compile(a.get(1)));
        case MAX -> tf.math.maximum(compile(a.get(0)), compile(a.get(1)));
        case POW -> tf.math.pow(compile(a.get(0)), compile(a.get(1)));
        default -> throw new IllegalStateException("leaf " + e.op() + " is a scalar");
      };
    }
  }
}
