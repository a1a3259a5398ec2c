package io.holdout.engine.tensorflow;

import static io.holdout.engine.tensorflow.GraphMath.f;
import static io.holdout.engine.tensorflow.GraphMath.mul;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.DropoutStream;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.tensorflow.CompiledModel.DropoutSite;
import io.holdout.engine.tensorflow.CompiledModel.Forward;
import io.holdout.engine.tensorflow.TfLosses.Terms;
import io.holdout.losses.ResolvedComponent;
import io.holdout.losses.ResolvedLoss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * A model, its loss and optimizer compiled into one TensorFlow graph. A training step is one
 * {@code Session.run}: forward in training mode, every loss component, the weighted total, its
 * gradients ({@code Graph.addGradients}), optional global-norm clipping, the optimizer's updates
 * and batch norm's running statistics. An evaluation step is one run of the inference-mode forward
 * and the loss components, fetching the values, the per-sample values and the head outputs.
 *
 * <p>Batches are checked in Java before a run, so a bad batch fails with a message naming the
 * loss component and changes nothing. Every native tensor a step creates (feeds and results) is
 * closed before the step returns, so native memory stays flat over any number of steps. Methods
 * are synchronized: one step at a time per session.
 */
public final class TensorFlowSession implements TrainingSession {
  private final SessionSpec spec;
  private final StepProfile profile = StepProfile.fromProperty();
  private final Graph graph;
  private final Session session;
  private final CompiledModel model;
  private final ResolvedLoss resolvedLoss;
  private final List<LossComponent> losses;
  private final TargetFeeds targets;
  private final DropoutStream dropout;
  private final int intraOpThreads;
  private final int interOpThreads;
  // evaluation; values are [2K]: each component's reduced value, then each one's numerator
  private final Operand<TFloat64> evalValues;
  private final Operand<TFloat32> evalPerSample;
  private final Map<String, Operand<TFloat32>> evalOutputs;
  // training (null for evaluation-only sessions)
  private final TfOptimizer optimizer;
  private final String[] trainableNames;
  private final Operand<TFloat64> trainValues;
  private final List<DropoutSite> trainDropouts;
  private final Op trainOp;
  private long trainSteps;
  private double learningRate;
  private boolean closed;

  TensorFlowSession(SessionSpec spec, ConfigProto config) {
    this.spec = Objects.requireNonNull(spec, "spec is null");
    this.intraOpThreads = config.getIntraOpParallelismThreads();
    this.interOpThreads = config.getInterOpParallelismThreads();
    Set<String> allHeads = new LinkedHashSet<>();
    for (HeadSpec h : spec.model().heads()) {
      allHeads.add(h.name());
    }
    this.resolvedLoss = ResolvedLoss.resolve(spec.loss(), spec.model());
    List<LossComponent> compiled = new ArrayList<>();
    for (ResolvedComponent c : resolvedLoss.components()) {
      compiled.add(LossComponent.compile(c));
    }
    Set<String> lossHeads = resolvedLoss.heads();
    this.losses = List.copyOf(compiled);
    spec.initialWeights().checkFits(spec.model(), "initial weights");
    this.dropout = new DropoutStream(spec.seed());
    this.learningRate = spec.trains() ? spec.optimizer().lr() : Double.NaN;

    this.graph = new Graph();
    GraphMath.register(graph, spec.precision());
    Session s = null;
    try {
      Ops tf = Ops.create(graph);
      this.model = new CompiledModel(tf, spec.model());
      this.targets = new TargetFeeds(tf);

      Forward eval = model.forward(tf, false, allHeads);
      Ops e = tf.withSubScope("eval_loss");
      List<Operand<TFloating>> values = new ArrayList<>();
      List<Operand<TFloating>> numerators = new ArrayList<>();
      List<Operand<TFloating>> perSample = new ArrayList<>();
      for (LossComponent c : losses) {
        Terms t = c.build(e, flat(e, eval, c), targets);
        values.add(t.reduce(e, c.reduction()));
        numerators.add(t.numerator(e));
        perSample.add(t.perSample(e, c.reduction()));
      }
      values.addAll(numerators);
      // loss values are fetched as float64, per-sample values and outputs as float32
      this.evalValues = GraphMath.as(e, e.stack(values), TFloat64.class);
      this.evalPerSample = GraphMath.as(e, e.stack(perSample), TFloat32.class);
      Map<String, Operand<TFloat32>> outs = new LinkedHashMap<>();
      eval.outputs().forEach((head, y) -> outs.put(head, GraphMath.as(e, y, TFloat32.class)));
      this.evalOutputs = outs;

      if (spec.trains()) {
        this.optimizer = TfOptimizer.create(tf, spec.optimizer());
        Forward train = model.forward(tf, true, lossHeads);
        Ops t = tf.withSubScope("train_loss");
        List<Operand<TFloating>> trainRaw = new ArrayList<>();
        List<Operand<TFloating>> trainNumerators = new ArrayList<>();
        Operand<TFloating> total = null;
        for (LossComponent c : losses) {
          Terms terms = c.build(t, flat(t, train, c), targets);
          Operand<TFloating> v = terms.reduce(t, c.reduction());
          trainRaw.add(v);
          trainNumerators.add(terms.numerator(t));
          Operand<TFloating> weighted = c.spec().weight() == 1 ? v : mul(t, v, c.spec().weight());
          total = total == null ? weighted : t.math.add(total, weighted);
        }
        trainRaw.addAll(trainNumerators);
        this.trainValues = GraphMath.as(t, t.stack(trainRaw), TFloat64.class);
        this.trainDropouts = train.dropouts();
        int[] trainable = model.trainable(lossHeads);
        this.trainableNames = new String[trainable.length];
        for (int i = 0; i < trainable.length; i++) {
          trainableNames[i] = model.params().get(trainable[i]).name();
        }
        List<Op> updates = new ArrayList<>(train.updates());
        updates.addAll(buildUpdates(tf, total, trainable, spec.optimizer()));
        this.trainOp = tf.withControlDependencies(updates).withName("train_step").noOp();
      } else {
        this.optimizer = null;
        this.trainableNames = new String[0];
        this.trainValues = null;
        this.trainDropouts = List.of();
        this.trainOp = null;
      }
      s = new Session(graph, config);
      this.session = s;
      load(spec.initialWeights());
      if (optimizer != null && !optimizer.initializers().isEmpty()) {
        Session.Runner r = session.runner();
        optimizer.initializers().forEach(r::addTarget);
        r.run().close();
      }
    } catch (RuntimeException ex) {
      if (s != null) {
        s.close();
      }
      graph.close();
      throw ex;
    }
  }

  /** Head output of component {@code c} as {@code [B, values per sample]}. */
  private Operand<TFloating> flat(Ops tf, Forward pass, LossComponent c) {
    Operand<TFloating> y = pass.outputs().get(c.spec().output());
    long[] shape = spec.model().outputShape(c.spec().output());
    return shape.length == 1 ? y : GraphMath.reshape(tf, y, -1, Math.toIntExact(Tensor.elementCount(shape)));
  }

  /** Gradients of {@code total}, clipped if asked, and the optimizer's assignments. */
  @SuppressWarnings("unchecked")
  private List<Op> buildUpdates(Ops tf, Operand<TFloating> total, int[] trainable, OptimizerSpec o) {
    StateVariable[] params = new StateVariable[trainable.length];
    Output<?>[] xs = new Output<?>[trainable.length];
    for (int i = 0; i < trainable.length; i++) {
      params[i] = model.state().get(trainable[i]);
      xs[i] = params[i].read().asOutput();
    }
    Output<?>[] dy = graph.addGradients(total.asOutput(), xs);
    Operand<TFloating>[] grads = new Operand[trainable.length];
    Ops g = tf.withSubScope("grad");
    for (int i = 0; i < trainable.length; i++) {
      grads[i] = dy[i] == null ? g.zerosLike(params[i].read()) : (Output<TFloating>) dy[i];
    }
    if (o.clipNorm() > 0) {
      clipByGlobalNorm(g, grads, o.clipNorm());
    }
    return optimizer.build(tf.withSubScope("update"), params, grads);
  }

  /**
   * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when their global L2 norm exceeds
   * {@code maxNorm} (PyTorch's {@code clip_grad_norm_}).
   */
  private static void clipByGlobalNorm(Ops tf, Operand<TFloating>[] grads, double maxNorm) {
    List<Operand<TFloating>> squares = new ArrayList<>();
    for (Operand<TFloating> g : grads) {
      squares.add(tf.sum(tf.math.square(g), tf.range(tf.constant(0), tf.rank(g), tf.constant(1))));
    }
    Operand<TFloating> norm = tf.math.sqrt(tf.math.addN(squares));
    Operand<TFloating> scale = tf.select(tf.math.greater(norm, f(tf, maxNorm)),
        tf.math.div(f(tf, maxNorm), tf.math.add(norm, f(tf, 1e-6))), f(tf, 1));
    for (int i = 0; i < grads.length; i++) {
      grads[i] = tf.math.mul(grads[i], scale);
    }
  }

  @Override
  public synchronized LossBreakdown trainStep(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    requireOpen();
    if (optimizer == null) {
      throw new IllegalStateException("this session was opened without an optimizer (evaluation only)");
    }
    check(batch);
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      feedCommon(r, batch, owned);
      int n = batch.size();
      dropout.beginStep(trainSteps);
      for (DropoutSite d : trainDropouts) {
        long[] shape = new long[d.shape().length + 1];
        shape[0] = n;
        System.arraycopy(d.shape(), 0, shape, 1, d.shape().length);
        TFloat32 mask = Tensors.floats(dropout.next(Math.toIntExact(Tensor.elementCount(shape)), d.rate()), shape);
        owned.add(mask);
        r.feed(d.mask(), mask);
      }
      optimizer.feed(r, learningRate, owned);
      r.fetch(trainValues).addTarget(trainOp);
      double[] values;
      try (Result res = profile == null ? r.run() : profile.run(r)) {
        values = Tensors.toDoubles(res.get(0));
      }
      trainSteps++;
      optimizer.advance();
      return breakdown(values, batch);
    } finally {
      closeAll(owned);
    }
  }

  @Override
  public synchronized EvalResult evalStep(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    requireOpen();
    check(batch);
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      feedCommon(r, batch, owned);
      r.fetch(evalValues).fetch(evalPerSample);
      evalOutputs.values().forEach(r::fetch);
      try (Result res = r.run()) {
        double[] values = Tensors.toDoubles(res.get(0));
        float[] ps = Tensors.toFloats(res.get(1));
        int n = batch.size();
        Map<String, float[]> perSample = new LinkedHashMap<>();
        for (int i = 0; i < losses.size(); i++) {
          perSample.put(losses.get(i).spec().name(), Arrays.copyOfRange(ps, i * n, (i + 1) * n));
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        int k = 2;
        for (String head : evalOutputs.keySet()) {
          outputs.put(head, Tensors.toTensor(res.get(k++)));
        }
        return new EvalResult(breakdown(values, batch), outputs, perSample);
      }
    } finally {
      closeAll(owned);
    }
  }

  /** The breakdown of {@code values} (each component's value, then its numerator) on {@code batch}. */
  private LossBreakdown breakdown(double[] values, Batch batch) {
    int k = losses.size();
    return resolvedLoss.breakdown(Arrays.copyOfRange(values, 0, k), Arrays.copyOfRange(values, k, 2 * k), batch);
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
    for (LossComponent c : losses) {
      c.check(batch);
    }
  }

  private void feedCommon(Session.Runner r, Batch batch, List<AutoCloseable> owned) {
    TFloat32 x = Tensors.floats(batch.input());
    owned.add(x);
    r.feed(model.input(), x);
    targets.feed(r, batch, owned);
  }

  @Override
  public synchronized Weights weights() {
    requireOpen();
    List<ParamInfo> params = model.params();
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<Tensor> values = read(model.state());
    for (int i = 0; i < params.size(); i++) {
      out.put(params.get(i).name(), values.get(i));
    }
    return new Weights(out);
  }

  @Override
  public synchronized void loadWeights(Weights weights) {
    Objects.requireNonNull(weights, "weights is null");
    requireOpen();
    load(weights);
  }

  private void load(Weights w) {
    w.checkFits(spec.model(), "weights");
    List<ParamInfo> params = model.params();
    List<Tensor> values = new ArrayList<>();
    for (ParamInfo p : params) {
      values.add(w.get(p.name()));
    }
    write(model.state(), values);
  }

  /**
   * {@code steps} (training steps taken, int64 {@code [1]}), {@code optimizer_steps}, and the
   * optimizer's tensors by the PyTorch backend's names ({@code momentum.<param>}, {@code
   * exp_avg.<param>}, {@code exp_avg_sq.<param>}), so that training state moves between engines.
   */
  @Override
  public synchronized Map<String, Tensor> trainingState() {
    requireOpen();
    if (optimizer == null) {
      throw new HoldoutException("an evaluation-only session has no training state");
    }
    Map<String, StateVariable> named = optimizer.named(trainableNames);
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("steps", Tensor.ofLongs(new long[] {1}, trainSteps));
    out.put("optimizer_steps", Tensor.ofLongs(new long[] {1}, optimizer.steps));
    List<Tensor> values = read(List.copyOf(named.values()));
    int i = 0;
    for (String name : named.keySet()) {
      out.put(name, values.get(i++));
    }
    return out;
  }

  @Override
  public synchronized void loadTrainingState(Map<String, Tensor> state) {
    Objects.requireNonNull(state, "state is null");
    requireOpen();
    if (optimizer == null) {
      throw new HoldoutException("an evaluation-only session has no training state");
    }
    for (String key : List.of("steps", "optimizer_steps")) {
      Tensor t = state.get(key);
      if (t == null) {
        throw new HoldoutException("training state lacks '" + key + "'");
      }
      if (t.dtype() != DType.INT64 || t.elementCount() != 1) {
        throw new HoldoutException("training state '" + key + "' must be one INT64, got " + t);
      }
    }
    Map<String, StateVariable> named = optimizer.named(trainableNames);
    List<Tensor> values = new ArrayList<>();
    for (Map.Entry<String, StateVariable> e : named.entrySet()) {
      Tensor t = state.get(e.getKey());
      if (t == null) {
        throw new HoldoutException("training state lacks '" + e.getKey() + "' (was it saved by another optimizer?)");
      }
      long[] expected = e.getValue().read().shape().asArray();
      if (t.dtype() != DType.FLOAT32 || !Arrays.equals(t.shape(), expected)) {
        throw new HoldoutException("training state '" + e.getKey() + "' is " + t + ", expected FLOAT32"
            + Arrays.toString(expected));
      }
      values.add(t);
    }
    write(List.copyOf(named.values()), values);
    trainSteps = state.get("steps").toLongArray()[0];
    optimizer.steps = state.get("optimizer_steps").toLongArray()[0];
  }

  /** The values of {@code vars}, copied out in one run. */
  private List<Tensor> read(List<StateVariable> vars) {
    if (vars.isEmpty()) {
      return List.of();
    }
    Session.Runner r = session.runner();
    vars.forEach(v -> r.fetch(v.fetch()));
    List<Tensor> out = new ArrayList<>();
    try (Result res = r.run()) {
      for (int i = 0; i < vars.size(); i++) {
        out.add(Tensors.toTensor(res.get(i)));
      }
    }
    return out;
  }

  /** Assigns {@code values} (checked by the caller) to {@code vars} in one run. */
  private void write(List<StateVariable> vars, List<Tensor> values) {
    if (vars.isEmpty()) {
      return;
    }
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (int i = 0; i < vars.size(); i++) {
        TFloat32 t = Tensors.floats(values.get(i));
        owned.add(t);
        r.feed(vars.get(i).load(), t);
        r.addTarget(vars.get(i).assign());
      }
      r.run().close();
    } finally {
      closeAll(owned);
    }
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
      throw new IllegalStateException("this session was opened without an optimizer (evaluation only)");
    }
    learningRate = lr;
  }

  @Override
  public String device() {
    return "cpu()";
  }

  /** Intra-op threads of this session's pool (0: TensorFlow's default, one per core). */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Inter-op threads of this session's pool (0: TensorFlow's default). */
  public int interOpThreads() {
    return interOpThreads;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      session.close();
      graph.close();
      if (profile != null) {
        profile.write();
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("session is closed");
    }
  }

  private static void closeAll(List<AutoCloseable> owned) {
    RuntimeException first = null;
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("could not close a native tensor", e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
