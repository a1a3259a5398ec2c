package io.holdout.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.losses.ResolvedComponent;
import io.holdout.losses.ResolvedLoss;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model and its loss components compiled into one ONNX graph and run by an ONNX Runtime session
 * on the CPU. An evaluation step is one {@code run}: the inference-mode
 * forward pass, every loss component computed inside the graph, each component's value per sample
 * and every head's output. The weights are initializers of the graph; {@link #loadWeights} builds a
 * new runtime session around the same graph and swaps it in once it is ready.
 *
 * <p>It cannot train: {@link #trainStep} and {@link #setLearningRate} throw {@link
 * IllegalStateException}, as they do on any evaluation-only session (the backend refuses training
 * specs when it opens, see {@link OnnxBackend#capabilities()}).
 *
 * <p>Batches are checked in Java before a run, so a bad batch fails with a message naming the loss
 * component and changes nothing. Every native tensor and result of a step is closed before the step
 * returns, so native memory stays flat over any number of steps. Methods are synchronized: one step
 * at a time per session.
 */
public final class OnnxSession implements TrainingSession {
  private final SessionSpec spec;
  private final OrtEnvironment env;
  private final ResolvedLoss resolvedLoss;
  private final List<CompiledLoss> losses;
  private final EvalGraph graph;
  private final int intraOpThreads;
  private final int interOpThreads;
  private OrtSession session;
  private Weights weights;
  private boolean closed;

  OnnxSession(SessionSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec is null");
    if (spec.trains()) {
      throw new IllegalArgumentException("the onnx backend opens evaluation-only sessions");
    }
    this.resolvedLoss = ResolvedLoss.resolve(spec.loss(), spec.model());
    List<CompiledLoss> compiled = new ArrayList<>();
    for (ResolvedComponent c : resolvedLoss.components()) {
      compiled.add(CompiledLoss.compile(c));
    }
    this.losses = List.copyOf(compiled);
    spec.initialWeights().checkFits(spec.model(), "initial weights");
    this.intraOpThreads = spec.intraOpThreads();
    this.interOpThreads = spec.interOpThreads();
    this.graph = new EvalGraph(spec.model(), losses, OnnxBackend.moduleVersion());
    this.env = OrtRuntime.environment();
    this.weights = spec.initialWeights().copy();
    this.session = start(weights);
  }

  /** A runtime session of the graph with {@code w} (already checked) as its initializers. */
  private OrtSession start(Weights w) {
    try {
      return OrtRuntime.session(graph.model(w), intraOpThreads, interOpThreads);
    } catch (OrtException e) {
      throw new IllegalStateException("backend 'onnx': ONNX Runtime refused the compiled graph: "
          + OrtRuntime.oneLine(e.getMessage()), e);
    }
  }

  @Override
  public LossBreakdown trainStep(Batch batch) {
    throw new IllegalStateException("backend 'onnx' evaluates only, it cannot train: "
        + OnnxBackend.TRAIN_ALTERNATIVE);
  }

  @Override
  public synchronized EvalResult evalStep(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    requireOpen();
    check(batch);
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      feeds.put(Batch.INPUT, Feeds.floats(env, batch.input()));
      for (Map.Entry<String, String> e : graph.floatInputs().entrySet()) {
        feeds.put(e.getValue(), Feeds.floats(env, batch.get(e.getKey())));
      }
      for (Map.Entry<String, String> e : graph.labelInputs().entrySet()) {
        feeds.put(e.getValue(), Feeds.labels(env, batch.get(e.getKey()), "batch tensor '" + e.getKey() + "'"));
      }
      try (OrtSession.Result r = session.run(feeds)) {
        int n = batch.size();
        float[] values = Feeds.toTensor(get(r, EvalGraph.VALUES), EvalGraph.VALUES).toFloatArray();
        float[] sums = Feeds.toTensor(get(r, EvalGraph.NUMERATORS), EvalGraph.NUMERATORS).toFloatArray();
        float[] ps = Feeds.toTensor(get(r, EvalGraph.PER_SAMPLE), EvalGraph.PER_SAMPLE).toFloatArray();
        double[] raw = new double[values.length];
        double[] numerators = new double[values.length];
        Map<String, float[]> perSample = new LinkedHashMap<>();
        for (int i = 0; i < losses.size(); i++) {
          raw[i] = values[i];
          numerators[i] = sums[i];
          perSample.put(losses.get(i).spec().name(), Arrays.copyOfRange(ps, i * n, (i + 1) * n));
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        graph.headOutputs().forEach((head, name) -> outputs.put(head, Feeds.toTensor(get(r, name), name)));
        return new EvalResult(resolvedLoss.breakdown(raw, numerators, batch), outputs, perSample);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("backend 'onnx': evaluation step failed: "
          + OrtRuntime.oneLine(e.getMessage()), e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
      // ONNX Runtime reads the batch's direct buffers in place: keep them alive for the run
      Reference.reachabilityFence(batch);
    }
  }

  private static OnnxValue get(OrtSession.Result r, String name) {
    return r.get(name).orElseThrow(() -> new IllegalStateException("the graph has no output '" + name + "'"));
  }

  private void check(Batch batch) {
    if (!batch.has(Batch.INPUT)) {
      throw new HoldoutException(
          "batch has no model input '" + Batch.INPUT + "' (has " + batch.tensors().keySet() + ")");
    }
    long[] shape = batch.input().shape();
    long[] expected = spec.model().inputShape();
    if (shape.length != expected.length + 1
        || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), expected)) {
      throw new HoldoutException("batch input has shape " + Arrays.toString(shape)
          + " but the model expects [batch, " + Arrays.toString(expected).replaceAll("[\\[\\]]", "")
          + "]");
    }
    for (CompiledLoss c : losses) {
      c.check(batch);
    }
  }

  /** A copy of the current weights (the ones the graph holds), batch-norm statistics included. */
  @Override
  public synchronized Weights weights() {
    requireOpen();
    return weights.copy();
  }

  /**
   * Checks {@code w} against the model (every name, shape and dtype; the message names the
   * parameter, the expected and the actual shape), then starts a runtime session with them and
   * closes the old one. On failure the session keeps its old weights.
   */
  @Override
  public synchronized void loadWeights(Weights w) {
    Objects.requireNonNull(w, "weights is null");
    requireOpen();
    w.checkFits(spec.model(), "weights");
    Weights copy = w.copy();
    OrtSession next = start(copy);
    OrtSession old = session;
    session = next;
    weights = copy;
    closeQuietly(old);
  }

  @Override
  public Map<String, Tensor> trainingState() {
    throw new HoldoutException("backend 'onnx' does not train, so its sessions have no training state");
  }

  @Override
  public void loadTrainingState(Map<String, Tensor> state) {
    throw new HoldoutException("backend 'onnx' does not train, so its sessions have no training state");
  }

  /** Always NaN: an evaluation-only session has no learning rate. */
  @Override
  public double learningRate() {
    return Double.NaN;
  }

  @Override
  public void setLearningRate(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be > 0 and finite, got " + lr);
    }
    throw new IllegalStateException("backend 'onnx' evaluates only, it has no learning rate to set");
  }

  @Override
  public String device() {
    return "cpu()";
  }

  /** Intra-op threads of this session's pool (0: ONNX Runtime's default). */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Inter-op threads of this session's pool (0: ONNX Runtime's default). */
  public int interOpThreads() {
    return interOpThreads;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      closeQuietly(session);
      session = null;
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("session is closed");
    }
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException e) {
      throw new IllegalStateException("could not close an ONNX Runtime session", e);
    }
  }
}
