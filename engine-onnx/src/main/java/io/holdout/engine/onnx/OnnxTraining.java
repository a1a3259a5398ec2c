package io.holdout.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.holdout.api.HoldoutException;
import io.holdout.api.model.DropoutStream;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.ResolvedLoss;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training side of an {@link OnnxSession}: a {@link TrainGraph} in its own ONNX Runtime
 * session, and the values it carries from step to step. Parameters and optimizer state live in
 * ONNX Runtime: the tensors a step outputs ({@code new.<name>}) are the next step's inputs, and the
 * result that owns them is closed only once the following step has replaced them, so no parameter
 * goes through a Java array per step. Dropout masks come from the engine-neutral {@link
 * DropoutStream} (one stream per step number, masks in graph order), as on the other engines.
 *
 * <p>Not thread-safe; the session calls it under its own lock.
 */
final class OnnxTraining implements AutoCloseable {
  private final OptimizerSpec optimizer;
  private final TrainGraph graph;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final DropoutStream dropout;
  /** Parameters the step does not update (heads without a loss, their batch norms' statistics), owned here. */
  private final Map<String, OnnxTensor> fixed = new LinkedHashMap<>();
  /** Trainable parameters, updated running statistics and optimizer state, the next step's inputs. */
  private Map<String, OnnxTensor> carried = new LinkedHashMap<>();
  /** What owns {@link #carried}: the last step's result, or tensors made here. */
  private OrtSession.Result carriedResult;
  private final List<OnnxTensor> carriedOwned = new ArrayList<>();
  private long steps;
  private long optimizerSteps;
  /** Whether parameters and optimizer state are double tensors (a float64 session). */
  private final boolean float64;

  OnnxTraining(ModelSpec model, ResolvedLoss loss, OptimizerSpec optimizer, Weights initial, long seed,
      int intraOpThreads, int interOpThreads, boolean float64) {
    this.optimizer = optimizer;
    this.float64 = float64;
    this.graph = TrainGraph.build(model, loss, optimizer, OnnxBackend.moduleVersion(), float64);
    this.env = OrtRuntime.environment();
    this.dropout = new DropoutStream(seed);
    try {
      this.session = OrtRuntime.session(graph.model, intraOpThreads, interOpThreads, float64);
    } catch (OrtException e) {
      throw new IllegalStateException("backend 'onnx': ONNX Runtime refused the training graph: "
          + OrtRuntime.oneLine(e.getMessage()), e);
    }
    Map<String, float[]> state = new LinkedHashMap<>();
    graph.state.forEach((name, shape) -> {
      float[] v = new float[Math.toIntExact(Tensor.elementCount(shape))];
      java.util.Arrays.fill(v, (float) OptimizerGraph.initial(optimizer, name));
      state.put(name, v);
    });
    replace(initial, state);
  }

  /**
   * One step on {@code batch} (already checked) with learning rate {@code lr}: each component's
   * value and numerator before the update.
   */
  double[][] step(Batch batch, double lr) {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>(fixed);
    feeds.putAll(carried);
    List<OnnxTensor> owned = new ArrayList<>();
    OrtSession.Result r = null;
    try {
      put(feeds, owned, Batch.INPUT, Feeds.floats(env, batch.input()));
      for (Map.Entry<String, String> e : graph.targets.floatInputs().entrySet()) {
        put(feeds, owned, e.getValue(), Feeds.floats(env, batch.get(e.getKey())));
      }
      for (Map.Entry<String, String> e : graph.targets.labelInputs().entrySet()) {
        put(feeds, owned, e.getValue(), Feeds.labels(env, batch.get(e.getKey()), "batch tensor '" + e.getKey() + "'"));
      }
      for (Map.Entry<String, Double> e : OptimizerGraph.scalars(optimizer, lr, optimizerSteps + 1).entrySet()) {
        // rounded to float once, or exact doubles in float64
        put(feeds, owned, e.getKey(), float64
            ? OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(new double[] {e.getValue()}), new long[0])
            : OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {e.getValue().floatValue()}), new long[0]));
      }
      dropout.beginStep(steps);
      for (Map.Entry<String, long[]> e : graph.maskShapes.entrySet()) {
        long[] shape = new long[e.getValue().length + 1];
        shape[0] = batch.size();
        System.arraycopy(e.getValue(), 0, shape, 1, e.getValue().length);
        double rate = graph.maskRates.get(e.getKey());
        float[] mask = dropout.next(Math.toIntExact(Tensor.elementCount(shape)), rate);
        put(feeds, owned, e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(mask), shape));
      }
      r = session.run(feeds);
      double[] values = doubles(r, TrainGraph.VALUES);
      double[] numerators = doubles(r, TrainGraph.NUMERATORS);
      Map<String, OnnxTensor> next = new LinkedHashMap<>();
      for (String name : carried.keySet()) {
        OnnxValue v = r.get(TrainGraph.NEW + name)
            .orElseThrow(() -> new IllegalStateException("the training graph has no output 'new." + name + "'"));
        next.put(name, (OnnxTensor) v);
      }
      releaseCarried();
      carried = next;
      carriedResult = r;
      r = null;
      steps++;
      optimizerSteps++;
      return new double[][] {values, numerators};
    } catch (OrtException e) {
      throw new IllegalStateException("backend 'onnx': training step failed: " + OrtRuntime.oneLine(e.getMessage()), e);
    } finally {
      if (r != null) {
        r.close();
      }
      owned.forEach(OnnxTensor::close);
      Reference.reachabilityFence(batch);
    }
  }

  private static void put(Map<String, OnnxTensor> feeds, List<OnnxTensor> owned, String name, OnnxTensor t) {
    owned.add(t);
    feeds.put(name, t);
  }

  private static double[] doubles(OrtSession.Result r, String name) {
    OnnxValue v = r.get(name).orElseThrow(() -> new IllegalStateException("the training graph has no output '" + name + "'"));
    return Feeds.doubles(v, name);
  }

  /**
   * The tensors holding the current parameters, by name (owned here: valid until the next step or
   * load; double in float64 sessions).
   */
  Map<String, OnnxTensor> paramTensors() {
    Map<String, OnnxTensor> out = new LinkedHashMap<>();
    for (String name : graph.params.keySet()) {
      out.put(name, carried.containsKey(name) ? carried.get(name) : fixed.get(name));
    }
    return out;
  }

  /** The current parameters, copied out in model order. */
  Weights weights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : graph.params.keySet()) {
      OnnxTensor t = carried.containsKey(name) ? carried.get(name) : fixed.get(name);
      out.put(name, Feeds.toTensor(t, "parameter '" + name + "'"));
    }
    return new Weights(out);
  }

  /** Replaces the parameters ({@code w} already checked against the model), keeping the optimizer state. */
  void loadWeights(Weights w) {
    replace(w, currentState());
  }

  /** {@code steps}, {@code optimizer_steps} and every optimizer state tensor by its PyTorch name. */
  Map<String, Tensor> trainingState() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("steps", Tensor.ofLongs(new long[] {1}, steps));
    out.put("optimizer_steps", Tensor.ofLongs(new long[] {1}, optimizerSteps));
    for (String name : graph.state.keySet()) {
      out.put(name, Feeds.toTensor(carried.get(name), "optimizer state '" + name + "'"));
    }
    return out;
  }

  /**
   * Restores what {@link #trainingState()} returned; checks every name and shape first, so a bad
   * state changes nothing.
   */
  void loadTrainingState(Map<String, Tensor> state) {
    for (String key : List.of("steps", "optimizer_steps")) {
      if (!state.containsKey(key)) {
        throw new HoldoutException("training state lacks '" + key + "'");
      }
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : graph.state.entrySet()) {
      Tensor t = state.get(e.getKey());
      if (t == null) {
        throw new HoldoutException("training state lacks '" + e.getKey() + "' (was it saved by another optimizer?)");
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw new HoldoutException("training state '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
            + ", expected " + Arrays.toString(e.getValue()));
      }
      if (t.dtype() != DType.FLOAT32) {
        throw new HoldoutException("training state '" + e.getKey() + "' is " + t.dtype() + ", expected FLOAT32");
      }
      values.put(e.getKey(), t.toFloatArray());
    }
    replace(weights(), values);
    steps = state.get("steps").toLongArray()[0];
    optimizerSteps = state.get("optimizer_steps").toLongArray()[0];
  }

  private Map<String, float[]> currentState() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String name : graph.state.keySet()) {
      out.put(name, Feeds.toTensor(carried.get(name), name).toFloatArray());
    }
    return out;
  }

  /** Makes fresh tensors of {@code w} and {@code state} and releases the ones they replace. */
  private void replace(Weights w, Map<String, float[]> state) {
    Map<String, OnnxTensor> nextFixed = new LinkedHashMap<>();
    Map<String, OnnxTensor> nextCarried = new LinkedHashMap<>();
    List<OnnxTensor> made = new ArrayList<>();
    try {
      for (Map.Entry<String, long[]> p : graph.params.entrySet()) {
        OnnxTensor t = tensor(w.get(p.getKey()).toFloatArray(), p.getValue());
        made.add(t);
        boolean updated = graph.trainable.contains(p.getKey()) || graph.buffers.contains(p.getKey());
        (updated ? nextCarried : nextFixed).put(p.getKey(), t);
      }
      for (Map.Entry<String, long[]> s : graph.state.entrySet()) {
        OnnxTensor t = tensor(state.get(s.getKey()), s.getValue());
        made.add(t);
        nextCarried.put(s.getKey(), t);
      }
    } catch (RuntimeException e) {
      made.forEach(OnnxTensor::close);
      throw e;
    }
    releaseCarried();
    fixed.values().forEach(OnnxTensor::close);
    fixed.clear();
    fixed.putAll(nextFixed);
    carried = nextCarried;
    carriedOwned.addAll(made.stream().filter(nextCarried::containsValue).toList());
  }

  private OnnxTensor tensor(float[] values, long[] shape) {
    try {
      if (float64) {
        double[] wide = new double[values.length];
        for (int i = 0; i < values.length; i++) {
          wide[i] = values[i];
        }
        return OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(wide), shape);
      }
      return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
    } catch (OrtException e) {
      throw new IllegalStateException("backend 'onnx': could not make a tensor: " + OrtRuntime.oneLine(e.getMessage()), e);
    }
  }

  private void releaseCarried() {
    if (carriedResult != null) {
      carriedResult.close();
      carriedResult = null;
    }
    carriedOwned.forEach(OnnxTensor::close);
    carriedOwned.clear();
  }

  @Override
  public void close() {
    releaseCarried();
    fixed.values().forEach(OnnxTensor::close);
    fixed.clear();
    carried = Map.of();
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("could not close an ONNX Runtime session", e);
    }
  }
}
