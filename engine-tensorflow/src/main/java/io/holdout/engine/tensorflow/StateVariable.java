package io.holdout.engine.tensorflow;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;

/**
 * A float resource variable of the graph with what a session needs around it: its value at the
 * start of a run ({@code read}, the one read every other operation uses) and an assignment from a
 * placeholder, for loading values in ({@code load}, {@code assign}).
 *
 * @param handle the variable
 * @param read its value at the start of a run
 * @param load the placeholder {@code assign} copies into the variable
 * @param assign the assignment from {@code load}
 */
record StateVariable(VarHandleOp handle, Operand<TFloat32> read, Placeholder<TFloat32> load, Op assign) {

  /** A new variable named {@code name} (unique in the graph) of {@code shape}. */
  static StateVariable create(Ops tf, String name, Shape shape) {
    String clean = name.replaceAll("[^A-Za-z0-9_.\\-/]", "_");
    VarHandleOp h = tf.withName(clean).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(clean));
    Operand<TFloat32> read = tf.withName(clean + "_read").readVariableOp(h, TFloat32.class);
    Placeholder<TFloat32> load = tf.withName(clean + "_load").placeholder(TFloat32.class, Placeholder.shape(shape));
    return new StateVariable(h, read, load, tf.withName(clean + "_assign").assignVariableOp(h, load));
  }

  /** An assignment of {@code value} to the variable. */
  Op assign(Ops tf, Operand<TFloat32> value) {
    return tf.assignVariableOp(handle, value);
  }
}
