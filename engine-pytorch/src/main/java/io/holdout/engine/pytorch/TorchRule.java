package io.holdout.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.holdout.api.optim.RuleExpression;
import io.holdout.api.optim.RuleExpression.Op;
import io.holdout.api.optim.UpdateRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A registered optimizer's {@link UpdateRule}, compiled to array operations over all parameters at
 * once ({@link TorchOptimizer.Layout}), with gradient recording off (the session's step turns it
 * off before the update). Each slot is one flat array owned by the session's manager, zero- or
 * constant-filled up front, with a view per parameter for checkpoints ({@code <slot>.<param>}).
 *
 * <p>Scalar sub-expressions (learning rate, step, constants) are computed in double precision in
 * Java each step and applied as float scalars, as PyTorch applies Python floats. Every intermediate
 * array is closed as soon as the next operation has consumed it; the slots' new values are computed
 * from the old ones first, then copied into the slot arrays, then the parameters are updated in
 * place ({@code p.subi(x)} for a rule {@code param - x}, exactly the native optimizers' operation).
 */
final class TorchRule extends TorchOptimizer {
  private final UpdateRule rule;
  private final List<UpdateRule.Slot> slots;
  private final TorchOptimizer.Layout layout;
  private final NDArray[] flats;
  private final NDArray[][] views;
  private long t;

  TorchRule(UpdateRule rule, NDArray[] params, NDManager owner) {
    this.rule = rule;
    this.slots = rule.slots();
    this.layout = new TorchOptimizer.Layout(params);
    this.flats = new NDArray[slots.size()];
    this.views = new NDArray[slots.size()][];
    for (int i = 0; i < flats.length; i++) {
      double init = slots.get(i).init();
      flats[i] = init == 0 ? owner.zeros(new Shape(layout.total), Tensors.floatType())
          : Tensors.floatType() == DataType.FLOAT64 ? owner.zeros(new Shape(layout.total), DataType.FLOAT64).addi(init)
          : owner.full(new Shape(layout.total), (float) init, DataType.FLOAT32);
      views[i] = layout.pieces(flats[i]);
    }
  }

  @Override
  void step(NDArray[] params, NDArray[] grads, double lr) {
    t++;
    Step s = new Step(params, grads, lr, t);
    try {
      NDArray[] fresh = new NDArray[flats.length];
      for (int i = 0; i < fresh.length; i++) {
        fresh[i] = s.tensor(slots.get(i).update());
        if (isSlot(fresh[i])) {
          fresh[i] = fresh[i].duplicate(); // a slot's new value read from another slot's old one
        }
        s.fresh.put(slots.get(i).name(), fresh[i]);
        s.keep.add(fresh[i]);
      }
      RuleExpression p = rule.param();
      boolean minus = p.op() == Op.SUB && p.args().get(0).op() == Op.PARAM;
      NDArray value;
      if (minus && p.args().get(1).isScalar()) {
        value = null;
      } else {
        value = s.tensor(minus ? p.args().get(1) : p);
        if (isSlot(value)) {
          value = value.duplicate(); // the slot is written below, the parameter reads its old value
        }
        s.keep.add(value);
      }
      // every new value is computed from the old ones: now write them
      for (int i = 0; i < fresh.length; i++) {
        flats[i].set(new NDIndex(":"), fresh[i]);
      }
      NDArray[] pieces = value == null ? null : layout.pieces(value);
      for (int i = 0; i < params.length; i++) {
        if (value == null) {
          params[i].subi(Tensors.num(p.args().get(1).scalarValue(lr, t)));
        } else if (minus) {
          params[i].subi(pieces[i]);
        } else {
          try (NDArray flat = params[i].reshape(-1)) {
            flat.set(new NDIndex(":"), pieces[i].reshape(-1));
          }
        }
      }
      if (pieces != null) {
        for (NDArray piece : pieces) {
          if (piece != value) {
            piece.close();
          }
        }
      }
    } finally {
      s.close();
    }
  }

  /** One step's evaluation: its leaves, the slots updated so far, and what it must close. */
  private final class Step implements AutoCloseable {
    final NDArray[] params;
    final NDArray[] grads;
    final double lr;
    final long t;
    final Map<String, NDArray> fresh = new LinkedHashMap<>();
    /** Arrays that later operations may still read (leaves, new slot values): closed at the end. */
    final Set<NDArray> keep = Collections.newSetFromMap(new IdentityHashMap<>());
    NDArray param;
    NDArray grad;

    Step(NDArray[] params, NDArray[] grads, double lr, long t) {
      this.params = params;
      this.grads = grads;
      this.lr = lr;
      this.t = t;
    }

    /** The array of {@code e}, which reads a tensor; the caller closes it unless it is kept. */
    NDArray tensor(RuleExpression e) {
      List<RuleExpression> a = e.args();
      switch (e.op()) {
        case PARAM -> {
          if (param == null) {
            param = layout.flat(params);
            keep.add(param);
          }
          return param;
        }
        case GRAD -> {
          if (grad == null) {
            grad = layout.flat(grads);
            keep.add(grad);
          }
          return grad;
        }
        case STATE -> {
          return flats[index(e.slot())];
        }
        case UPDATED -> {
          return fresh.get(e.slot());
        }
        default -> {
          // a leaf of another kind is a scalar, which never reaches here
        }
      }
      if (e.op().arity() == 1) {
        NDArray x = tensor(a.get(0));
        NDArray out = switch (e.op()) {
          case NEG -> x.neg();
          case ABS -> x.abs();
          case SIGN -> x.sign();
          case SQRT -> x.sqrt();
          case SQUARE -> x.square();
          default -> throw new IllegalStateException("unary " + e.op());
        };
        release(x);
        return out;
      }
      RuleExpression l = a.get(0);
      RuleExpression r = a.get(1);
      if (r.isScalar()) {
        NDArray x = tensor(l);
        Number s = Tensors.num(r.scalarValue(lr, t));
        NDArray out = switch (e.op()) {
          case ADD -> x.add(s);
          case SUB -> x.sub(s);
          case MUL -> x.mul(s);
          case DIV -> x.div(s);
          case MIN -> x.minimum(s);
          case MAX -> x.maximum(s);
          case POW -> x.pow(s);
          default -> throw new IllegalStateException("binary " + e.op());
        };
        release(x);
        return out;
      }
      if (l.isScalar()) {
        NDArray y = tensor(r);
        Number s = Tensors.num(l.scalarValue(lr, t));
        NDArray out = switch (e.op()) {
          case ADD -> y.add(s);
          case SUB -> NDArrays.sub(s, y);
          case MUL -> y.mul(s);
          case DIV -> NDArrays.div(s, y);
          case MIN -> y.minimum(s);
          case MAX -> y.maximum(s);
          default -> throw new IllegalStateException("binary " + e.op() + " with a scalar first operand");
        };
        release(y);
        return out;
      }
      NDArray x = tensor(l);
      NDArray y = tensor(r);
      NDArray out = switch (e.op()) {
        case ADD -> x.add(y);
        case SUB -> x.sub(y);
        case MUL -> x.mul(y);
        case DIV -> x.div(y);
        case MIN -> x.minimum(y);
        case MAX -> x.maximum(y);
        default -> throw new IllegalStateException("binary " + e.op());
      };
      release(x);
      if (y != x) {
        release(y);
      }
      return out;
    }

    /** Closes {@code x} unless it is a slot array or kept for later operations. */
    private void release(NDArray x) {
      if (!keep.contains(x) && !isSlot(x)) {
        x.close();
      }
    }

    @Override
    public void close() {
      keep.forEach(NDArray::close);
    }
  }

  private boolean isSlot(NDArray x) {
    for (NDArray f : flats) {
      if (f == x) {
        return true;
      }
    }
    return false;
  }

  private int index(String slot) {
    for (int i = 0; i < slots.size(); i++) {
      if (slots.get(i).name().equals(slot)) {
        return i;
      }
    }
    throw new IllegalStateException("no slot " + slot);
  }

  @Override
  List<NDArray> state() {
    List<NDArray> all = new ArrayList<>();
    for (int i = 0; i < flats.length; i++) {
      all.addAll(List.of(views[i]));
      all.add(flats[i]);
    }
    return all;
  }

  @Override
  Map<String, NDArray> named(String[] names) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (int p = 0; p < names.length; p++) {
      for (int i = 0; i < flats.length; i++) {
        out.put(slots.get(i).name() + "." + names[p], views[i][p]);
      }
    }
    return out;
  }

  @Override
  void load(Map<String, io.holdout.api.tensor.Tensor> state, String[] names) {
    for (int i = 0; i < flats.length; i++) {
      views[i] = layout.load(flats[i], views[i], state, slots.get(i).name() + ".", names);
    }
  }

  @Override
  long steps() {
    return t;
  }

  @Override
  void setSteps(long steps) {
    this.t = steps;
  }
}
