package io.holdout.engine.tensorflow;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * A float resource variable of the graph with what a session needs around it: its value at the
 * start of a run ({@code read}, the one read every other operation uses), that value as float32
 * ({@code fetch}, what sessions copy out), and an assignment from a float32 placeholder, for
 * loading values in ({@code load}, {@code assign}). The variable has the graph's float type
 * ({@link GraphMath#floatType}).
 *
 * @param handle the variable
 * @param read its value at the start of a run
 * @param fetch {@code read} as float32 (itself in a float32 graph)
 * @param load the placeholder {@code assign} copies into the variable
 * @param assign the assignment from {@code load}
 */
record StateVariable(VarHandleOp handle, Operand<TFloating> read, Operand<TFloat32> fetch,
    Placeholder<TFloat32> load, Op assign) {

  /** A new variable named {@code name} (unique in the graph) of {@code shape}. */
  static StateVariable create(Ops tf, String name, Shape shape) {
    String clean = name.replaceAll("[^A-Za-z0-9_.\\-/]", "_");
    VarHandleOp h = tf.withName(clean).varHandleOp(GraphMath.floatType(tf), shape, VarHandleOp.sharedName(clean));
    Operand<TFloating> read = tf.withName(clean + "_read").readVariableOp(h, GraphMath.floatType(tf));
    Placeholder<TFloat32> load = tf.withName(clean + "_load").placeholder(TFloat32.class, Placeholder.shape(shape));
    return new StateVariable(h, read, GraphMath.as(tf, read, TFloat32.class), load,
        tf.withName(clean + "_assign").assignVariableOp(h, GraphMath.toFloat(tf, load)));
  }

  /** An assignment of {@code value} to the variable. */
  Op assign(Ops tf, Operand<TFloating> value) {
    return tf.assignVariableOp(handle, value);
  }
}
