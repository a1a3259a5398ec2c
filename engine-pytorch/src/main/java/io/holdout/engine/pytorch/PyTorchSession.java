package io.holdout.engine.pytorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDResource;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.pytorch.TorchLosses.Terms;
import io.holdout.losses.ResolvedComponent;
import io.holdout.losses.ResolvedLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A model, its loss and optimizer living in PyTorch. Parameters, batch-norm statistics and
 * optimizer state are arrays owned by the session's manager; everything a step creates belongs to a
 * sub-manager closed at the end of the step, so native memory stays flat over any number of steps.
 *
 * <p>Each step sets PyTorch's gradient mode (which is per thread) and intra-op thread count on the
 * thread that runs it, and restores the gradient mode after. Methods are synchronized: one step at
 * a time per session.
 */
public final class PyTorchSession implements TrainingSession {
  /** System property choosing the memory format of image batches; see {@link #channelsLast()}. */
  public static final String MEMORY_FORMAT_PROPERTY = "holdout.pytorch.memoryFormat";

  private final SessionSpec spec;
  private final ai.djl.Device device;
  private final int intraOpThreads;
  private final ResolvedLoss resolvedLoss;
  private final List<LossComponent> losses;
  private final Set<String> lossHeads;
  private final Set<String> allHeads;
  private final NDManager root;
  private final CompiledModel model;
  private final int[] trainable;
  private final TorchOptimizer optimizer;
  private final Staging staging = new Staging();
  private final boolean channelsLast;
  /** float32, or float64 for a {@link Precision#FLOAT64} session. */
  private final DataType floatType;
  private final DropoutMasks dropout;
  private double learningRate;
  private long trainSteps;
  private boolean closed;

  PyTorchSession(SessionSpec spec, Engine engine, ai.djl.Device device, int intraOpThreads) {
    this.spec = Objects.requireNonNull(spec, "spec is null");
    this.device = device;
    this.intraOpThreads = intraOpThreads;
    this.channelsLast = channelsLast();
    this.floatType = spec.precision() == Precision.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
    this.allHeads = new LinkedHashSet<>();
    for (HeadSpec h : spec.model().heads()) {
      allHeads.add(h.name());
    }
    this.resolvedLoss = ResolvedLoss.resolve(spec.loss(), spec.model());
    List<LossComponent> compiled = new ArrayList<>();
    for (ResolvedComponent c : resolvedLoss.components()) {
      compiled.add(LossComponent.compile(c));
    }
    this.losses = List.copyOf(compiled);
    this.lossHeads = resolvedLoss.heads();
    this.dropout = new DropoutMasks(spec.seed(), staging);
    this.learningRate = spec.trains() ? spec.optimizer().lr() : Double.NaN;
    this.root = engine.newBaseManager(device);
    DataType outer = Tensors.useFloatType(floatType);
    try {
      this.model = new CompiledModel(spec.model(), spec.initialWeights(), root);
      this.trainable = model.trainable(lossHeads);
      this.optimizer =
          spec.trains() ? TorchOptimizer.create(spec.optimizer(), trainableParams(), root) : null;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    } finally {
      Tensors.useFloatType(outer);
    }
  }

  @Override
  public synchronized LossBreakdown trainStep(Batch batch) {
    try {
      return doTrainStep(batch);
    } finally {
      // the engine reads the batch's direct buffers in place (forward and backward): keep them
      // alive until the step is over, or the collector may free memory torch is still reading
      Reference.reachabilityFence(batch);
    }
  }

  private LossBreakdown doTrainStep(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    requireOpen();
    if (optimizer == null) {
      throw new IllegalStateException(
          "this session was opened without an optimizer (evaluation only)");
    }
    losses.forEach(c -> c.check(batch));
    dropout.beginStep(trainSteps++);
    return inStep(
        step -> {
          JniUtils.setGradMode(true);
          Map<String, NDArray> out = model.forward(input(step, batch), true, lossHeads, dropout);
          int k = losses.size();
          // each component's value, then each one's numerator: read out in one transfer
          NDArray[] values = new NDArray[2 * k];
          NDArray total = null;
          for (int i = 0; i < k; i++) {
            LossComponent c = losses.get(i);
            Terms t = c.terms(out, batch, step, staging);
            values[k + i] = t.numerator();
            values[i] = t.reduce(values[k + i], c.reduction());
            double w = c.spec().weight();
            NDArray weighted = w == 1 ? values[i] : values[i].mul(Tensors.scalar(step, w));
            total = total == null ? weighted : total.add(weighted);
          }
          NDArray[] params = trainableParams();
          for (NDArray p : params) {
            JniUtils.zeroGrad((PtNDArray) p);
          }
          JniUtils.backward(
              (PtNDArray) total, (PtNDArray) step.ones(total.getShape()), false, false);
          JniUtils.setGradMode(false);
          double[] raw = read(values);
          NDArray[] grads = new NDArray[params.length];
          for (int i = 0; i < params.length; i++) {
            grads[i] = params[i].getGradient();
          }
          OptimizerSpec o = spec.optimizer();
          if (o.clipNorm() > 0) {
            clipByGlobalNorm(grads, o.clipNorm());
          }
          optimizer.step(params, grads, learningRate);
          return breakdown(raw, batch);
        });
  }

  @Override
  public synchronized EvalResult evalStep(Batch batch) {
    try {
      return doEvalStep(batch);
    } finally {
      Reference.reachabilityFence(batch);
    }
  }

  private EvalResult doEvalStep(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    requireOpen();
    losses.forEach(c -> c.check(batch));
    return inStep(
        step -> {
          JniUtils.setGradMode(false);
          Map<String, NDArray> out = model.forward(input(step, batch), false, allHeads, dropout);
          int k = losses.size();
          NDArray[] values = new NDArray[2 * k];
          Map<String, float[]> perSample = new LinkedHashMap<>();
          for (int i = 0; i < k; i++) {
            LossComponent c = losses.get(i);
            Terms t = c.terms(out, batch, step, staging);
            values[k + i] = t.numerator();
            values[i] = t.reduce(values[k + i], c.reduction());
            perSample.put(c.spec().name(), t.perSample(c.reduction()));
          }
          Map<String, Tensor> outputs = new LinkedHashMap<>();
          out.forEach((name, y) -> outputs.put(name, Tensors.toTensor(y)));
          return new EvalResult(breakdown(read(values), batch), outputs, perSample);
        });
  }

  /**
   * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when their global L2 norm exceeds
   * {@code maxNorm} (PyTorch's {@code clip_grad_norm_}).
   */
  private static void clipByGlobalNorm(NDArray[] grads, double maxNorm) {
    NDArray[] squares = new NDArray[grads.length];
    for (int i = 0; i < grads.length; i++) {
      squares[i] = grads[i].square().sum();
    }
    double sum = 0;
    for (double v : doubles(NDArrays.stack(new NDList(squares)))) {
      sum += v;
    }
    double norm = Math.sqrt(sum);
    if (norm > maxNorm) {
      Number scale = Tensors.num(maxNorm / (norm + 1e-6));
      for (NDArray g : grads) {
        g.muli(scale);
      }
    }
  }

  /**
   * The breakdown of {@code read}, each component's value then each one's numerator, with the
   * counts of {@code batch}.
   */
  private LossBreakdown breakdown(double[] read, Batch batch) {
    int k = losses.size();
    return resolvedLoss.breakdown(
        Arrays.copyOfRange(read, 0, k), Arrays.copyOfRange(read, k, 2 * k), batch);
  }

  /** The scalar values, copied out in one transfer. */
  private static double[] read(NDArray[] scalars) {
    return doubles(NDArrays.stack(new NDList(scalars)));
  }

  /** A float32 or float64 array's values, copied out. */
  private static double[] doubles(NDArray a) {
    if (a.getDataType() == DataType.FLOAT64) {
      return a.toDoubleArray();
    }
    float[] f = a.toFloatArray();
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  private NDArray input(NDManager step, Batch batch) {
    if (!batch.has(Batch.INPUT)) {
      throw new HoldoutException(
          "batch has no model input '" + Batch.INPUT + "' (has " + batch.tensors().keySet() + ")");
    }
    NDArray x = Tensors.view(step, batch.input());
    x = x.getDataType() == floatType ? x : x.toType(floatType, false);
    if (channelsLast && x.getShape().dimension() == 4) {
      // [B, C, H, W] with channels-last strides: the batch copied once into NHWC order (a reshape
      // of the NHWC view cannot be a view), then viewed as NCHW; libtorch's convolutions, batch
      // norm and element-wise operations keep that layout through the network and its backward
      long[] d = x.getShape().getShape();
      x = x.transpose(0, 2, 3, 1).reshape(d[0], -1).reshape(d[0], d[2], d[3], d[1]).transpose(0, 3, 1, 2);
    }
    return x;
  }

  /**
   * The memory format of image batches, from the system property {@value #MEMORY_FORMAT_PROPERTY}:
   * {@code contiguous} (the default, NCHW) or {@code channelsLast} (NHWC strides).
   */
  static boolean channelsLast() {
    String v = System.getProperty(MEMORY_FORMAT_PROPERTY, "contiguous");
    return switch (v) {
      case "contiguous" -> false;
      case "channelsLast" -> true;
      default -> throw new HoldoutException("system property " + MEMORY_FORMAT_PROPERTY + "='" + v
          + "' is not a memory format (contiguous or channelsLast)");
    };
  }

  private NDArray[] trainableParams() {
    NDArray[] state = model.state();
    NDArray[] out = new NDArray[trainable.length];
    for (int i = 0; i < trainable.length; i++) {
      out[i] = state[trainable[i]];
    }
    return out;
  }

  /**
   * Runs {@code body} with a fresh sub-manager that temporarily owns every persistent array, so
   * that whatever an operation on them creates is freed when the step ends; the gradient mode of
   * the calling thread is restored after.
   */
  private <T> T inStep(Function<NDManager, T> body) {
    TorchRuntime.applyIntraOpThreads(intraOpThreads);
    boolean gradMode = JniUtils.isGradMode();
    DataType outer = Tensors.useFloatType(floatType);
    try (NDManager step = root.newSubManager()) {
      step.tempAttachAll(persistent());
      return body.apply(step);
    } finally {
      JniUtils.setGradMode(gradMode);
      Tensors.useFloatType(outer);
    }
  }

  private NDResource[] persistent() {
    List<NDResource> all = new ArrayList<>(List.of(model.state()));
    if (optimizer != null) {
      all.addAll(optimizer.state());
    }
    return all.toArray(new NDResource[0]);
  }

  @Override
  public synchronized Weights weights() {
    requireOpen();
    return inStep(
        step -> {
          JniUtils.setGradMode(false);
          return model.weights();
        });
  }

  @Override
  public synchronized void loadWeights(Weights weights) {
    Objects.requireNonNull(weights, "weights is null");
    requireOpen();
    boolean gradMode = JniUtils.isGradMode();
    try {
      JniUtils.setGradMode(false);
      model.load(weights, root);
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  /**
   * {@code steps} (training steps taken, int64) and the optimizer's arrays named {@code
   * exp_avg.<param>}, {@code exp_avg_sq.<param>} (Adam, AdamW) or {@code momentum.<param>} (SGD).
   */
  @Override
  public synchronized Map<String, Tensor> trainingState() {
    requireOpen();
    if (optimizer == null) {
      throw new HoldoutException("an evaluation-only session has no training state");
    }
    return inStep(
        step -> {
          JniUtils.setGradMode(false);
          Map<String, Tensor> out = new java.util.LinkedHashMap<>();
          out.put("steps", Tensor.ofLongs(new long[] {1}, trainSteps));
          out.put("optimizer_steps", Tensor.ofLongs(new long[] {1}, optimizer.steps()));
          optimizer.named(trainableNames()).forEach((k, v) -> out.put(k, Tensors.toTensor(v)));
          return out;
        });
  }

  @Override
  public synchronized void loadTrainingState(Map<String, Tensor> state) {
    Objects.requireNonNull(state, "state is null");
    requireOpen();
    if (optimizer == null) {
      throw new HoldoutException("an evaluation-only session has no training state");
    }
    Map<String, NDArray> named = optimizer.named(trainableNames());
    for (String key : List.of("steps", "optimizer_steps")) {
      if (!state.containsKey(key)) {
        throw new HoldoutException("training state lacks '" + key + "'");
      }
    }
    for (Map.Entry<String, NDArray> e : named.entrySet()) {
      Tensor t = state.get(e.getKey());
      if (t == null) {
        throw new HoldoutException("training state lacks '" + e.getKey() + "' (was it saved by another optimizer?)");
      }
      if (!java.util.Arrays.equals(t.shape(), e.getValue().getShape().getShape())) {
        throw new HoldoutException("training state '" + e.getKey() + "' has shape "
            + java.util.Arrays.toString(t.shape()) + ", expected " + e.getValue().getShape());
      }
    }
    boolean gradMode = JniUtils.isGradMode();
    try {
      JniUtils.setGradMode(false);
      optimizer.load(state, trainableNames());
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    trainSteps = state.get("steps").toLongArray()[0];
    optimizer.setSteps(state.get("optimizer_steps").toLongArray()[0]);
  }

  private String[] trainableNames() {
    String[] names = new String[trainable.length];
    for (int i = 0; i < trainable.length; i++) {
      names[i] = model.params().get(trainable[i]).name();
    }
    return names;
  }

  @Override
  public synchronized double learningRate() {
    return learningRate;
  }

  @Override
  public synchronized void setLearningRate(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be > 0 and finite, got " + lr);
    }
    if (optimizer == null) {
      throw new IllegalStateException(
          "this session was opened without an optimizer (evaluation only)");
    }
    learningRate = lr;
  }

  @Override
  public String device() {
    return device.toString();
  }

  /** Intra-op threads PyTorch uses for this session's steps. */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Arrays the session owns between steps (parameters, statistics, optimizer state). */
  synchronized int liveArrays() {
    return root.getManagedArrays().size();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      root.close();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("session is closed");
    }
  }
}
