package io.holdout.api.optim;

import io.holdout.api.optim.RuleExpression.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An engine-neutral optimizer: per-parameter state slots and element-wise {@link RuleExpression}s
 * for each slot's new value and for the parameter's new value. A plain data structure that every
 * training backend compiles (PyTorch array operations, TensorFlow graph operations, ONNX operators)
 * and {@code io.holdout.checks.ReferenceOptimizer} evaluates in double precision.
 *
 * <p>One step, for every trainable parameter: the gradient is clipped by the global norm if the
 * config asks ({@code optimizer.clipNorm}, generic to every optimizer); then each slot's {@link
 * Slot#update} is evaluated in the order the slots are listed, where {@link
 * RuleExpression#state(String)} reads a slot's value before this step and {@link
 * RuleExpression#updated(String)} the new value of a slot listed earlier; finally {@link #param()}
 * gives the parameter's new value (it may read every slot, old or new). Slots start at their {@link
 * Slot#init} value, shaped like the parameter, and are saved in checkpoints as {@code
 * <slot>.<parameter name>}.
 *
 * @param slots the state slots, in update order
 * @param param the parameter's new value
 */
public record UpdateRule(List<Slot> slots, RuleExpression param) {

  /**
   * A per-parameter state slot.
   *
   * @param name lower snake case ({@code exp_avg}); the checkpoint key is {@code name.<parameter>}
   * @param init every element's value before the first step
   * @param update the slot's new value
   */
  public record Slot(String name, double init, RuleExpression update) {
    public Slot {
      Objects.requireNonNull(name, "slot name is null");
      Objects.requireNonNull(update, () -> "slot '" + name + "' has no update");
      if (!name.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException("update rule slot '" + name
            + "': names are lower case letters, digits and underscores, starting with a letter");
      }
      if (!Double.isFinite(init)) {
        throw new IllegalArgumentException("update rule slot '" + name + "' starts at " + init + ": it must be finite");
      }
    }

    /** A slot starting at zero. */
    public static Slot zeros(String name, RuleExpression update) {
      return new Slot(name, 0, update);
    }
  }

  public UpdateRule {
    slots = List.copyOf(Objects.requireNonNull(slots, "slots is null"));
    Objects.requireNonNull(param, "the parameter's expression is null");
    Set<String> names = new HashSet<>();
    List<String> before = new ArrayList<>();
    for (Slot s : slots) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("update rule slot '" + s.name() + "' is declared twice");
      }
    }
    for (Slot s : slots) {
      check("slot '" + s.name() + "'", s.update(), names, before);
      before.add(s.name());
    }
    check("the parameter's expression", param, names, before);
  }

  /** A rule without state. */
  public static UpdateRule of(RuleExpression param, Slot... slots) {
    return new UpdateRule(List.of(slots), param);
  }

  private static void check(String what, RuleExpression e, Set<String> names, List<String> before) {
    if (e.isScalar()) {
      throw new IllegalArgumentException("update rule " + what + " must read the parameter, its gradient or a slot: " + e);
    }
    for (String s : e.slots(Op.STATE)) {
      if (!names.contains(s)) {
        throw new IllegalArgumentException("update rule " + what + " reads state(" + s + "), which is not a slot (slots: "
            + String.join(", ", names.stream().sorted().toList()) + ")");
      }
    }
    for (String s : e.slots(Op.UPDATED)) {
      if (!before.contains(s)) {
        throw new IllegalArgumentException("update rule " + what + " reads updated(" + s + "), which is not a slot "
            + "updated before it (before it: " + (before.isEmpty() ? "none" : String.join(", ", before)) + ")");
      }
    }
  }

  /** The slot named {@code name}, or {@code null}. */
  public Slot slot(String name) {
    for (Slot s : slots) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Every distinct scalar sub-expression depending on the learning rate or the step, over the slots'
   * expressions and the parameter's: what an engine computes in double precision in Java each step
   * and feeds as a float.
   */
  public List<RuleExpression> stepScalars() {
    List<RuleExpression> out = new ArrayList<>();
    for (Slot s : slots) {
      for (RuleExpression e : s.update().stepScalars()) {
        if (!out.contains(e)) {
          out.add(e);
        }
      }
    }
    for (RuleExpression e : param.stepScalars()) {
      if (!out.contains(e)) {
        out.add(e);
      }
    }
    return out;
  }
}
