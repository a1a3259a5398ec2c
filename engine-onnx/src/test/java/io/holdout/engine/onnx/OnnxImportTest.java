package io.holdout.engine.onnx;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.HeadConfig;
import io.holdout.api.config.ModelConfig;
import io.holdout.api.config.Specs;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ImportedModel;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.LayerSpec.Activation.Fn;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model: {onnx: FILE}}: a network written by another tool (PyTorch 1.13's {@code
 * torch.onnx.export}, the committed fixture {@code import/torch-net.onnx}, made by {@code
 * src/test/python/make_torch_fixture.py}) is read into the catalogue and computes what PyTorch
 * computed for it on every engine, and fine-tunes on both training engines from its own weights;
 * holdout's own exports come back as the model that was exported, with the same weights and
 * outputs; what is outside the catalogue fails with one line naming the node and operator.
 */
class OnnxImportTest {
  private static final long[] IMAGE = {3, 16, 16};

  @TempDir
  Path dir;

  @Test
  void aPyTorchExportComputesWhatPyTorchComputedOnEveryEngine() throws IOException {
    JsonNode expected = new ObjectMapper().readTree(resource("torch-net.expected.json"));
    ImportedModel m = OnnxImport.read(resource("torch-net.onnx"), "torch-net.onnx", IMAGE);
    assertThat(m.nodes().stream().map(n -> n.op().type()).distinct().sorted().toList()).containsExactly(
        "add", "avgpool", "batchnorm", "concat", "conv2d", "conv_transpose2d", "dense", "flatten", "global_avgpool",
        "hard_sigmoid", "hard_swish", "leaky_relu", "maxpool", "mul", "relu", "relu6", "sigmoid", "silu", "tanh",
        "upsample");
    Node dw = m.nodes().stream().filter(n -> n.name().equals("dw")).findFirst().orElseThrow();
    assertThat(dw.op()).isEqualTo(new LayerSpec.Conv2d(8, 3, 1, 1, 1, 8, false));
    assertThat(m.outputs()).containsOnlyKeys("logits");
    assertThat(m.outputs().get("logits").units()).isEqualTo(4);
    assertThat(m.outputs().get("logits").from()).isEqualTo("Sigmoid_1");

    ModelSpec spec = spec(m, "logits", HeadKind.CLASSIFICATION);
    Weights w = weights(spec, m, "logits", "logits");
    assertThat(w.get("fc1_bn.running_var").toFloatArray()).isNotEqualTo(new float[24]);
    float[] x = floatsOf(expected.get("input"));
    float[] want = floatsOf(expected.get("output"));
    Batch b = batch("input", floats(x, 3, 3, 16, 16), "label", longs(new long[] {0, 1, 3}, 3));
    LossSpec loss = Fixtures.lossSpec(Fixtures.loss("classification", "cross_entropy", "logits", "label"));
    for (Backend backend : List.of(TestBackends.PYTORCH, TestBackends.TENSORFLOW, TestBackends.ONNX)) {
      float[] got = eval(backend, spec, w, loss, b);
      double worst = worst(got, want);
      System.out.printf(Locale.ROOT, "[import] torch-net on %-10s max |logit - PyTorch's| = %.2e%n", backend.name(),
          worst);
      assertThat(worst).as(backend.name()).isLessThanOrEqualTo(1e-5);
    }
    // the fixture itself, on ONNX Runtime as written
    try (OnnxModelFile f = OnnxModelFile.open(resource("torch-net.onnx"), "torch-net.onnx")) {
      assertThat(worst(f.run(floats(x, 3, 3, 16, 16)).get("logits").toFloatArray(), want)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void theImportedNetworkFineTunesAlikeOnBothTrainingEngines() throws IOException {
    JsonNode expected = new ObjectMapper().readTree(resource("torch-net.expected.json"));
    ImportedModel m = OnnxImport.read(resource("torch-net.onnx"), "torch-net.onnx", IMAGE);
    ModelSpec spec = spec(m, "logits", HeadKind.CLASSIFICATION);
    Weights w = weights(spec, m, "logits", "logits");
    Batch b = batch("input", floats(floatsOf(expected.get("input")), 3, 3, 16, 16),
        "label", longs(new long[] {2, 0, 1}, 3));
    LossSpec loss = Fixtures.lossSpec(Fixtures.loss("classification", "cross_entropy", "logits", "label"));
    List<Weights> after = new ArrayList<>();
    for (Backend backend : List.of(TestBackends.PYTORCH, TestBackends.TENSORFLOW)) {
      try (TrainingSession s = backend.open(Fixtures.spec(spec, w, loss, Fixtures.sgd(0.05)))) {
        double first = s.trainStep(b).total();
        double last = first;
        for (int i = 0; i < 9; i++) {
          last = s.trainStep(b).total();
        }
        assertThat(last).as(backend.name()).isLessThan(first * 0.8);
        after.add(s.weights());
      }
    }
    double diff = after.get(0).maxAbsDiff(after.get(1));
    System.out.printf(Locale.ROOT, "[import] torch-net, 10 SGD steps: max |pytorch - tensorflow| weight = %.2e%n",
        diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
    assertThat(after.get(0).maxAbsDiff(w)).isGreaterThan(1e-3);
  }

  @Test
  void holdoutsOwnExportsComeBackAsTheModelThatWasExported() {
    ModelSpec spec = ModelSpec.graph(new long[] {3, 8, 8}, List.of(
        new Node("stem", new LayerSpec.Conv2d(8, 3, 2, 1, 1, 1, false), ModelSpec.INPUT),
        new Node("stem_bn", new LayerSpec.BatchNorm(), "stem"),
        new Node("stem_act", new LayerSpec.Activation(Fn.RELU6), "stem_bn"),
        new Node("dw", new LayerSpec.Conv2d(8, 3, 1, 2, 2, 8, true), "stem_act"),
        new Node("gelu", new LayerSpec.Activation(Fn.GELU), "dw"),
        new Node("pw", new LayerSpec.Conv2d(8, 1, 1, 0), "gelu"),
        new Node("silu", new LayerSpec.Activation(Fn.SILU), "pw"),
        new Node("res", new LayerSpec.Add(), List.of("stem_act", "silu")),
        new Node("gate", new LayerSpec.Activation(Fn.HARD_SIGMOID), "res"),
        new Node("gated", new LayerSpec.Mul(), List.of("res", "gate")),
        new Node("pool", new LayerSpec.MaxPool(3, 2, 1, true), "gated"),
        new Node("up", new LayerSpec.Upsample(2, true, false), "pool"),
        new Node("deconv", new LayerSpec.ConvTranspose2d(4, 3, 2, 1, 1, true), "up"),
        new Node("swish", new LayerSpec.Activation(Fn.HARD_SWISH), "deconv"),
        new Node("avg", new LayerSpec.AvgPool(3, 2, 1, false), "swish"),
        new Node("both", new LayerSpec.Concat(0), List.of("avg", "avg")),
        new Node("rows", new LayerSpec.Reshape(List.of(4L, 72L)), "both"),
        new Node("soft", new LayerSpec.Activation(Fn.SOFTMAX), "rows"),
        new Node("flat", new LayerSpec.Flatten(), "soft"),
        new Node("hidden", new LayerSpec.Dense(12), "flat"),
        new Node("norm", new LayerSpec.LayerNorm(-1), "hidden"),
        new Node("act", new LayerSpec.Activation(Fn.TANH), "norm"),
        new Node("leak", new LayerSpec.Activation(Fn.LEAKY_RELU, 0.2), "hidden")),
        List.of(HeadSpec.on("act", "species", HeadKind.CLASSIFICATION, List.of(new LayerSpec.Dense(3))),
            HeadSpec.on("leak", "width", HeadKind.REGRESSION, List.of(new LayerSpec.Dense(2)))));
    Weights w = Models.withBatchNormStatistics(spec, 5);
    roundTrip(spec, w, new long[] {3, 8, 8}, 7);

    ModelSpec tokens = ModelSpec.graph(new long[] {5}, List.of(
        new Node("embed", new LayerSpec.Embedding(11, 4), ModelSpec.INPUT),
        new Node("ln", new LayerSpec.LayerNorm(-1), "embed"),
        new Node("flat", new LayerSpec.Flatten(), "ln"),
        new Node("relu", new LayerSpec.Relu(), "flat")),
        List.of(HeadSpec.on("relu", "label", HeadKind.CLASSIFICATION, List.of(new LayerSpec.Dense(3)))));
    roundTrip(tokens, Weights.initialize(tokens, 3), new long[] {5}, 11);

    // an export that holds its preprocessing and postprocessing (what holdout export writes) imports
    // as the network between them: pixels or raw features in, probabilities out are left behind
    float[] mean = new float[3 * 8 * 8];
    float[] std = new float[3 * 8 * 8];
    Arrays.fill(mean, 0.4f);
    Arrays.fill(std, 0.25f);
    roundTrip(spec, w, new long[] {3, 8, 8}, 7, OnnxPipeline.image(mean, std));
    ModelSpec iris = new ModelSpec(new long[] {3}, List.of(new LayerSpec.Dense(8), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3), HeadSpec.dense("width", HeadKind.REGRESSION, 1)));
    roundTrip(iris, Weights.initialize(iris, 4), new long[] {3}, 0,
        OnnxPipeline.features(new float[] {5.8f, 3f, 3.7f}, new float[] {0.8f, 0.4f, 1.7f}));
  }

  /** Exports, imports, and checks the ops, the weights (bit for bit) and the outputs on PyTorch. */
  private void roundTrip(ModelSpec spec, Weights w, long[] input, int vocab) {
    roundTrip(spec, w, input, vocab, OnnxPipeline.NONE);
  }

  private void roundTrip(ModelSpec spec, Weights w, long[] input, int vocab, OnnxPipeline pipeline) {
    byte[] file = OnnxExport.toBytes(spec, w, Map.of(), null, pipeline);
    ImportedModel m = OnnxImport.read(file, "export.onnx", input);
    List<HeadSpec> heads = new ArrayList<>();
    for (HeadSpec h : spec.heads()) {
      ImportedModel.Output o = m.outputs().get(h.name());
      heads.add(HeadSpec.on(o.from(), h.name(), h.kind(), List.of(new LayerSpec.Dense(o.units()))));
    }
    ModelSpec back = ModelSpec.graph(input, m.nodes(), heads);
    assertThat(back.graph().stream().map(Node::op).toList())
        .isEqualTo(spec.graph().stream().map(Node::op).toList());
    assertThat(back.parameters().stream().map(ParamInfo::name).toList())
        .isEqualTo(spec.parameters().stream().map(ParamInfo::name).toList());
    Map<String, Tensor> given = new LinkedHashMap<>(m.weights());
    spec.heads().forEach(h -> given.putAll(m.headWeights(h.name(), h.name())));
    for (ParamInfo p : spec.parameters()) {
      assertThat(given.get(p.name()).toFloatArray()).as(p.name()).containsExactly(w.get(p.name()).toFloatArray());
    }
    Weights imported = new Weights(given);
    SplittableRandom r = new SplittableRandom(9);
    long[] shape = new long[input.length + 1];
    shape[0] = 4;
    System.arraycopy(input, 0, shape, 1, input.length);
    float[] x = Fixtures.normal(r, (int) Tensor.elementCount(shape), 1);
    if (input.length == 1 && vocab > 0) {
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextInt(vocab);
      }
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("input", floats(x, shape));
    List<LossComponentSpec> parts = new ArrayList<>();
    for (HeadSpec h : spec.heads()) {
      tensors.put("t_" + h.name(), floats(new float[4 * h.units()], 4, h.units()));
      parts.add(LossComponentSpec.of("mse_" + h.name(), "mse", 1, h.name(), "t_" + h.name()));
    }
    LossSpec loss = new LossSpec(parts);
    Batch b = batch(tensors);
    try (TrainingSession a = TestBackends.PYTORCH.open(Fixtures.spec(spec, w, loss, null));
        TrainingSession c = TestBackends.PYTORCH.open(Fixtures.spec(back, imported, loss, null))) {
      Map<String, Tensor> want = a.evalStep(b).outputs();
      Map<String, Tensor> got = c.evalStep(b).outputs();
      for (HeadSpec h : spec.heads()) {
        assertThat(got.get(h.name()).toFloatArray()).as(h.name()).containsExactly(want.get(h.name()).toFloatArray());
      }
    }
  }

  @Test
  void whatIsOutsideTheCatalogueFailsWithOneLineNamingTheNodeAndOperator() throws IOException {
    ModelProto torch = ModelProto.parseFrom(resource("torch-net.onnx"));
    assertThatThrownBy(() -> OnnxImport.read(withOp(torch, "/Tanh", "Sin"), "bad.onnx", IMAGE))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("bad.onnx: node '/Tanh' (Sin): operator Sin is not in holdout's layer catalogue (see `holdout"
            + " layers`)");
    ModelProto cut = torch.toBuilder().setGraph(torch.getGraph().toBuilder().setOutput(0,
        torch.getGraph().getOutput(0).toBuilder().setName("/Sigmoid_1_output_0"))).build();
    assertThatThrownBy(() -> OnnxImport.read(cut.toByteArray(), "cut.onnx", IMAGE))
        .hasMessage("cut.onnx: output '/Sigmoid_1_output_0' comes from node 'Sigmoid_1' (sigmoid), not a dense"
            + " layer: a holdout head ends with one");
    assertThatThrownBy(() -> OnnxImport.read(resource("torch-net.onnx"), "torch-net.onnx", new long[] {1, 16, 16}))
        .hasMessage("torch-net.onnx: input 'image' is [batch, 3, 16, 16] but the data's samples are [1, 16, 16]");
    assertThatThrownBy(() -> OnnxImport.read("not a model".getBytes(), "junk.onnx", IMAGE))
        .isInstanceOf(HoldoutException.class).hasMessageStartingWith("junk.onnx: not an ONNX model");
    // a clip that is not relu6: its bounds are Cast(Constant) nodes, folded while reading
    ModelProto.Builder clip = torch.toBuilder();
    NodeProto six = clip.getGraph().getNodeList().stream()
        .filter(n -> n.getName().equals("/Constant_1")).findFirst().orElseThrow();
    int at = clip.getGraph().getNodeList().indexOf(six);
    TensorProto five = OnnxGraph.tensor("five", Tensor.ofFloats(new long[0], 5f));
    clip.getGraphBuilder().setNode(at, six.toBuilder().setAttribute(0, six.getAttribute(0).toBuilder().setT(five)));
    assertThatThrownBy(() -> OnnxImport.read(clip.build().toByteArray(), "clip.onnx", IMAGE))
        .hasMessageContaining("clip.onnx: node '/Clip' (Clip): Clip(0.0, 5.0) is not in the catalogue");
  }

  @Test
  void theConfigKeyImportsTheNetworkAndItsWeightsForTheHeads() throws IOException {
    Path onnx = dir.resolve("net.onnx");
    Files.write(onnx, resource("torch-net.onnx"));
    String file = dir.resolve("exp.yaml").toString();
    DatasetSchema four = schema(4);
    ModelConfig takesOver = new ModelConfig(null, 1.0, "net.onnx", List.of(),
        Map.of("label", head(null)));
    ModelSpec spec = Specs.model(takesOver, four, file);
    assertThat(spec.outputNode("label")).isEqualTo("heads.label.0");
    Weights w = Specs.initialWeights(takesOver, spec, four, file, 1);
    ImportedModel m = OnnxImport.read(resource("torch-net.onnx"), "net.onnx", IMAGE);
    assertThat(w.get("heads.label.0.weight").toFloatArray())
        .containsExactly(m.outputs().get("logits").weight().toFloatArray());
    assertThat(w.get("stem.weight").toFloatArray()).containsExactly(m.weights().get("stem.weight").toFloatArray());

    DatasetSchema three = schema(3);
    assertThatThrownBy(() -> Specs.model(takesOver, three, file)).isInstanceOf(HoldoutException.class)
        .hasMessage(file + ": head 'label' needs 3 outputs for target 'label' but output 'logits' of net.onnx has 4;"
            + " to train a new output layer, give the head 'from: Sigmoid_1' (the node that layer reads)");
    ModelConfig newHead = new ModelConfig(null, 1.0, "net.onnx", List.of(), Map.of("label", head("Sigmoid_1")));
    ModelSpec fresh = Specs.model(newHead, three, file);
    Weights fw = Specs.initialWeights(newHead, fresh, three, file, 1);
    assertThat(fw.get("heads.label.0.weight").shape()).containsExactly(3, 24);
    assertThat(fw.get("fc1.weight").toFloatArray()).containsExactly(m.weights().get("fc1.weight").toFloatArray());
    assertThat(fw.tensors()).doesNotContainKey("heads.label.0.running_mean");

    ModelConfig missing = new ModelConfig(null, 1.0, "gone.onnx", List.of(), Map.of("label", head(null)));
    assertThatThrownBy(() -> Specs.model(missing, four, file))
        .hasMessage(file + ": model.onnx: file not found: " + dir.resolve("gone.onnx"));
  }

  private static HeadConfig head(String from) {
    return new HeadConfig("classification", "label", List.of(), from, List.of(), 1, "conv");
  }

  private static DatasetSchema schema(int classes) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < classes; i++) {
      names.add("c" + i);
    }
    return new DatasetSchema(IMAGE, List.of("image"), Map.of("label", TargetInfo.classes(names)));
  }

  private static ModelSpec spec(ImportedModel m, String output, HeadKind kind) {
    ImportedModel.Output o = m.outputs().get(output);
    return ModelSpec.graph(IMAGE, m.nodes(),
        List.of(HeadSpec.on(o.from(), output, kind, List.of(new LayerSpec.Dense(o.units())))));
  }

  private static Weights weights(ModelSpec spec, ImportedModel m, String output, String head) {
    Map<String, Tensor> w = new LinkedHashMap<>(m.weights());
    w.putAll(m.headWeights(output, head));
    Weights out = new Weights(w);
    out.checkFits(spec, "import");
    return out;
  }

  private static float[] eval(Backend backend, ModelSpec spec, Weights w, LossSpec loss, Batch b) {
    try (TrainingSession s = backend.open(Fixtures.spec(spec, w, loss, null))) {
      return s.evalStep(b).outputs().values().iterator().next().toFloatArray();
    }
  }

  private static double worst(float[] got, float[] want) {
    assertThat(got).hasSameSizeAs(want);
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    }
    return worst;
  }

  private static byte[] withOp(ModelProto m, String node, String op) {
    ModelProto.Builder b = m.toBuilder();
    for (int i = 0; i < b.getGraph().getNodeCount(); i++) {
      if (b.getGraph().getNode(i).getName().equals(node)) {
        b.getGraphBuilder().setNode(i, b.getGraph().getNode(i).toBuilder().setOpType(op));
      }
    }
    return b.build().toByteArray();
  }

  private static float[] floatsOf(JsonNode a) {
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) a.get(i).asDouble();
    }
    return f;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = OnnxImportTest.class.getResourceAsStream("/import/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource import/" + name);
      }
      return in.readAllBytes();
    }
  }
}
