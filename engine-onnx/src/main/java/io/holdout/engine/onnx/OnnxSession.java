package io.holdout.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.Precision;
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
 * A model and its loss components compiled into ONNX graphs and run by ONNX Runtime sessions on the
 * CPU. An evaluation step is one {@code run}: the inference-mode forward pass, every loss component
 * computed inside the graph, each component's value per sample and every head's output. The weights
 * are initializers of the evaluation graph; {@link #loadWeights} builds a new runtime session around
 * the same graph and swaps it in once it is ready.
 *
 * <p>A session opened with an optimizer also trains: a training step is one {@code run} of a
 * {@link TrainGraph} (forward, loss, backward and update as standard operators, see {@link
 * OnnxTraining}), whose parameters and optimizer state stay in ONNX Runtime between steps. After
 * training steps, the next evaluation rebuilds the evaluation session around the trained weights.
 * What the training graph cannot differentiate is refused when the session opens (every layer and
 * loss of the catalogue has a rule, see {@link OnnxBackend#capabilities()}). Without an optimizer,
 * {@link #trainStep} and {@link #setLearningRate} throw {@link IllegalStateException}.
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
  private final OnnxTraining training;
  private double learningRate = Double.NaN;
  private OrtSession session;
  /** The weights {@link #session} holds. */
  private Weights weights;
  /** Whether training steps have changed the weights since {@link #session} was built. */
  private boolean evalStale;
  /**
   * float64: {@link #session} computes in double with the parameters as inputs, fed from the
   * training's tensors, or from {@link #evalParams} in an evaluation-only session.
   */
  private final boolean float64;
  private final Map<String, OnnxTensor> evalParams = new LinkedHashMap<>();
  private boolean closed;

  OnnxSession(SessionSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec is null");
    this.resolvedLoss = ResolvedLoss.resolve(spec.loss(), spec.model());
    List<CompiledLoss> compiled = new ArrayList<>();
    for (ResolvedComponent c : resolvedLoss.components()) {
      compiled.add(CompiledLoss.compile(c));
    }
    this.losses = List.copyOf(compiled);
    spec.initialWeights().checkFits(spec.model(), "initial weights");
    this.intraOpThreads = spec.intraOpThreads();
    this.interOpThreads = spec.interOpThreads();
    this.float64 = spec.precision() == Precision.FLOAT64;
    this.graph = new EvalGraph(spec.model(), losses, OnnxBackend.moduleVersion(), float64);
    this.env = OrtRuntime.environment();
    this.weights = spec.initialWeights().copy();
    if (spec.trains()) {
      spec.optimizer().checkHyperParameters();
      String missing = TrainGraph.unsupported(spec.model(), resolvedLoss, spec.optimizer());
      if (missing != null) {
        throw new HoldoutException("backend 'onnx' does not train " + missing + " yet: "
            + OnnxBackend.TRAIN_ALTERNATIVE);
      }
      this.learningRate = spec.optimizer().lr();
    }
    this.session = start(weights);
    try {
      this.training = spec.trains() ? new OnnxTraining(spec.model(), resolvedLoss, spec.optimizer(), weights,
          spec.seed(), intraOpThreads, interOpThreads, float64) : null;
      if (float64 && training == null) {
        evalParams.putAll(doubles(weights));
      }
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  /**
   * A runtime session of the graph with {@code w} (already checked) as its initializers; in float64
   * the graph whose parameters are inputs ({@code w} unused).
   */
  private OrtSession start(Weights w) {
    try {
      return OrtRuntime.session(float64 ? graph.float64Model() : graph.model(w), intraOpThreads, interOpThreads,
          float64);
    } catch (OrtException e) {
      throw new IllegalStateException("backend 'onnx': ONNX Runtime refused the compiled graph: "
          + OrtRuntime.oneLine(e.getMessage()), e);
    }
  }

  @Override
  public synchronized LossBreakdown trainStep(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    requireOpen();
    if (training == null) {
      throw new IllegalStateException("this session was opened without an optimizer (evaluation only)");
    }
    check(batch);
    double[][] out = training.step(batch, learningRate);
    evalStale = true;
    return resolvedLoss.breakdown(out[0], out[1], batch);
  }

  /** Rebuilds the evaluation session around the trained weights if training steps changed them. */
  private void refreshEvaluation() {
    if (evalStale && !float64) {
      Weights trained = training.weights();
      OrtSession next = start(trained);
      OrtSession old = session;
      session = next;
      weights = trained;
      evalStale = false;
      closeQuietly(old);
    }
  }

  @Override
  public synchronized EvalResult evalStep(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    requireOpen();
    check(batch);
    refreshEvaluation();
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    Map<String, OnnxTensor> all = new LinkedHashMap<>();
    if (float64) {
      all.putAll(training != null ? training.paramTensors() : evalParams);
    }
    try {
      feeds.put(Batch.INPUT, Feeds.floats(env, batch.input()));
      for (Map.Entry<String, String> e : graph.floatInputs().entrySet()) {
        feeds.put(e.getValue(), Feeds.floats(env, batch.get(e.getKey())));
      }
      for (Map.Entry<String, String> e : graph.labelInputs().entrySet()) {
        feeds.put(e.getValue(), Feeds.labels(env, batch.get(e.getKey()), "batch tensor '" + e.getKey() + "'"));
      }
      all.putAll(feeds);
      try (OrtSession.Result r = session.run(all)) {
        int n = batch.size();
        double[] values = Feeds.doubles(get(r, EvalGraph.VALUES), EvalGraph.VALUES);
        double[] sums = Feeds.doubles(get(r, EvalGraph.NUMERATORS), EvalGraph.NUMERATORS);
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
    return evalStale || (float64 && training != null) ? training.weights() : weights.copy();
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
    if (float64) {
      // one double graph for the session's life: only the tensors it is fed change
      if (training != null) {
        training.loadWeights(copy);
      } else {
        Map<String, OnnxTensor> fresh = doubles(copy);
        evalParams.values().forEach(OnnxTensor::close);
        evalParams.clear();
        evalParams.putAll(fresh);
      }
      weights = copy;
      evalStale = false;
      return;
    }
    OrtSession next = start(copy);
    if (training != null) {
      try {
        training.loadWeights(copy);
      } catch (RuntimeException e) {
        closeQuietly(next);
        throw e;
      }
    }
    OrtSession old = session;
    session = next;
    weights = copy;
    evalStale = false;
    closeQuietly(old);
  }

  /**
   * {@code steps} (training steps taken, int64), {@code optimizer_steps} and the optimizer's
   * tensors under the PyTorch backend's names ({@code momentum.<param>}, {@code exp_avg.<param>},
   * {@code exp_avg_sq.<param>}), so a checkpoint resumes on any training backend.
   */
  @Override
  public synchronized Map<String, Tensor> trainingState() {
    requireOpen();
    if (training == null) {
      throw new HoldoutException("an evaluation-only session has no training state");
    }
    return training.trainingState();
  }

  @Override
  public synchronized void loadTrainingState(Map<String, Tensor> state) {
    Objects.requireNonNull(state, "state is null");
    requireOpen();
    if (training == null) {
      throw new HoldoutException("an evaluation-only session has no training state");
    }
    training.loadTrainingState(state);
  }

  /** The learning rate of the next step; NaN for an evaluation-only session. */
  @Override
  public synchronized double learningRate() {
    return learningRate;
  }

  @Override
  public synchronized void setLearningRate(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be > 0 and finite, got " + lr);
    }
    if (training == null) {
      throw new IllegalStateException("this session was opened without an optimizer (evaluation only)");
    }
    learningRate = lr;
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
      evalParams.values().forEach(OnnxTensor::close);
      evalParams.clear();
      if (training != null) {
        training.close();
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("session is closed");
    }
  }

  /** Double tensors of {@code w}'s parameters (float64 evaluation-only sessions), owned by the caller. */
  private Map<String, OnnxTensor> doubles(Weights w) {
    Map<String, OnnxTensor> out = new LinkedHashMap<>();
    try {
      for (io.holdout.api.model.ParamInfo p : spec.model().parameters()) {
        float[] f = w.get(p.name()).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          d[i] = f[i];
        }
        out.put(p.name(), OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(d), p.shape()));
      }
      return out;
    } catch (OrtException e) {
      out.values().forEach(OnnxTensor::close);
      throw new IllegalStateException("backend 'onnx': could not make a tensor: " + OrtRuntime.oneLine(e.getMessage()), e);
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
