package io.holdout.engine.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.onnx.OnnxLosses.Terms;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph of an evaluation step: the model's inference-mode forward pass over the input {@value
 * Batch#INPUT}, then every loss component on the head outputs and the batch tensors it reads, fed
 * as graph inputs. It outputs {@value #VALUES} ({@code [K]}, each component's reduced value), {@value
 * #NUMERATORS} ({@code [K]}, each component's summed per-sample numerators), {@value #PER_SAMPLE}
 * ({@code [K, B]}, each component's value per sample) and every head's output under the name {@code
 * head/<name>}.
 *
 * <p>The graph is built once per session as a template without the parameters; {@link #model}
 * adds a set of weights as initializers.
 */
final class EvalGraph {
  static final String VALUES = "loss_values";

  static final String PER_SAMPLE = "loss_per_sample";

  static final String NUMERATORS = "loss_numerators";

  private final ModelSpec spec;
  private final ModelProto template;
  private final Map<String, String> floatInputs;
  private final Map<String, String> labelInputs;
  private final Map<String, String> headOutputs;

  EvalGraph(ModelSpec spec, List<CompiledLoss> losses, String producerVersion) {
    this(spec, losses, producerVersion, false);
  }

  /** The graph; with {@code float64} its scalars are exact doubles, for {@link #float64Model}. */
  EvalGraph(ModelSpec spec, List<CompiledLoss> losses, String producerVersion, boolean float64) {
    this.spec = spec;
    OnnxGraph g = new OnnxGraph("holdout_eval", float64);
    g.reserve(Batch.INPUT);
    g.reserve(VALUES);
    g.reserve(PER_SAMPLE);
    g.reserve(NUMERATORS);
    Map<String, String> heads = new LinkedHashMap<>();
    for (HeadSpec h : spec.heads()) {
      String name = "head/" + h.name();
      g.reserve(name);
      heads.put(h.name(), name);
    }
    g.input(Batch.INPUT, OnnxGraph.FLOAT, batched(spec.inputShape()));
    Map<String, String> y = ForwardGraph.build(g, spec, Batch.INPUT);
    TargetInputs targets = new TargetInputs(g);
    List<String> values = new ArrayList<>();
    List<String> perSample = new ArrayList<>();
    List<String> numerators = new ArrayList<>();
    for (CompiledLoss c : losses) {
      String head = c.spec().output();
      long[] shape = spec.outputShape(head);
      String pred = shape.length == 1
          ? y.get(head)
          : g.reshape(y.get(head), -1, Tensor.elementCount(shape));
      Terms t = c.build(g, pred, targets);
      values.add(g.unsqueeze(t.reduce(g, c.reduction()), 0));
      numerators.add(g.unsqueeze(t.numerator(g), 0));
      perSample.add(g.unsqueeze(t.perSample(g, c.reduction()), 0));
    }
    g.opNamed("Identity", VALUES, List.of(g.concat(0, values)));
    g.opNamed("Identity", PER_SAMPLE, List.of(g.concat(0, perSample)));
    g.opNamed("Identity", NUMERATORS, List.of(g.concat(0, numerators)));
    g.output(VALUES, OnnxGraph.FLOAT, new long[] {losses.size()});
    g.output(PER_SAMPLE, OnnxGraph.FLOAT, new long[] {losses.size(), -1});
    g.output(NUMERATORS, OnnxGraph.FLOAT, new long[] {losses.size()});
    for (Map.Entry<String, String> e : heads.entrySet()) {
      g.opNamed("Identity", e.getValue(), List.of(y.get(e.getKey())));
      g.output(e.getValue(), OnnxGraph.FLOAT, batched(spec.outputShape(e.getKey())));
    }
    this.template = g.model(OnnxBackend.moduleVersion(), Map.of(), "holdout evaluation graph");
    this.floatInputs = Map.copyOf(targets.floatInputs());
    this.labelInputs = Map.copyOf(targets.labelInputs());
    this.headOutputs = Collections.unmodifiableMap(heads);
  }

  /** {@code [-1, dims...]}: a dynamic batch dimension before {@code dims}. */
  static long[] batched(long[] dims) {
    long[] out = new long[dims.length + 1];
    out[0] = -1;
    System.arraycopy(dims, 0, out, 1, dims.length);
    return out;
  }

  /** The serialized model with {@code weights} (checked by the caller) as initializers. */
  byte[] model(Weights weights) {
    return ForwardGraph.withWeights(template, spec, weights).toByteArray();
  }

  /**
   * The serialized model in float64, its parameters double graph inputs (fed per run from the
   * tensors a training session holds, so evaluation reads the double weights, not float32 copies).
   */
  byte[] float64Model() {
    ModelProto.Builder m = template.toBuilder();
    OnnxGraph inputs = new OnnxGraph("params");
    Set<String> names = new java.util.HashSet<>();
    for (io.holdout.api.model.ParamInfo p : spec.parameters()) {
      inputs.input(p.name(), OnnxGraph.FLOAT, p.shape());
      names.add(p.name());
    }
    m.getGraphBuilder().addAllInput(inputs.build().getInputList());
    return Float64Lowering.lower(m.build(), names, Set.of(VALUES, NUMERATORS)).toByteArray();
  }

  /** Batch tensor name to graph input, for tensors fed as floats. */
  Map<String, String> floatInputs() {
    return floatInputs;
  }

  /** Batch tensor name to graph input, for tensors fed as int64 labels. */
  Map<String, String> labelInputs() {
    return labelInputs;
  }

  /** Head name to graph output, in head order. */
  Map<String, String> headOutputs() {
    return headOutputs;
  }
}
