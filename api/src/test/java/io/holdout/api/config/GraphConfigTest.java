package io.holdout.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Graph models written in YAML: nodes that name their inputs, architectures, shape errors. */
class GraphConfigTest {
  static final DatasetSchema IMAGES = new DatasetSchema(new long[] {3, 8, 8}, List.of("image"),
      Map.of("label", TargetInfo.classes(List.of("a", "b", "c"))));

  static String experiment(String model) {
    return """
        name: g
        data: {source: imagefolder, path: images}
        model:
        %s
        loss:
          - {type: cross_entropy, output: label}
        """.formatted(model.indent(2).stripTrailing());
  }

  static ModelSpec model(String model) {
    ExperimentConfig c = ConfigLoader.parse(experiment(model), "g.yaml", Path.of("/base"), List.of()).config();
    return Specs.model(c.model(), IMAGES, "g.yaml");
  }

  @Test
  void aResidualBlockIsPlainData() {
    ModelSpec m = model("""
        layers:
          - {name: stem, type: conv2d, filters: 4, kernel: 3, padding: 1, bias: false}
          - {name: stem_bn, type: batchnorm}
          - {name: act, type: relu6}
          - {name: dw, type: conv2d, filters: 4, kernel: 3, padding: 1, groups: 4}
          - {name: sum, type: add, inputs: [dw, act]}
          - {type: global_avgpool}
          - {type: flatten}
        heads:
          label: {type: classification}
        """);
    Node sum = m.nodes().stream().filter(n -> n.name().equals("sum")).findFirst().orElseThrow();
    assertThat(sum.inputs()).containsExactly("dw", "act");
    assertThat(m.nodes().get(1).inputs()).containsExactly("stem");
    assertThat(m.shape("trunk.5")).containsExactly(4, 1, 1);
    assertThat(m.outputShape("label")).containsExactly(3);
    assertThat(m.parameters().stream().map(ParamInfo::name)).contains("stem.weight", "dw.weight", "dw.bias",
        "heads.label.0.weight").doesNotContain("stem.bias");
    assertThat(m.parameters().stream().filter(p -> p.name().equals("dw.weight")).findFirst().orElseThrow().shape())
        .containsExactly(4, 1, 3, 3);
  }

  @Test
  void aHeadReadsANamedNodeWithFrom() {
    ModelSpec m = model("""
        layers:
          - {name: features, type: conv2d, filters: 2, kernel: 3}
          - {name: flat, type: flatten}
          - {name: unused, type: dense, units: 5}
        heads:
          label: {type: classification, from: flat}
        """);
    assertThat(m.graph().stream().filter(n -> n.name().equals("heads.label.0")).findFirst().orElseThrow().inputs())
        .containsExactly("flat");
    assertThat(m.trainableFor(List.of("label"))).doesNotContain("unused.weight").contains("features.weight");
  }

  @Test
  void anArchitectureGivesTheFirstNodes() {
    ModelSpec m = model("""
        architecture: resnet_small
        width: 0.5
        layers:
          - {type: global_avgpool}
          - {type: flatten}
        heads:
          label: {type: classification, layers: [{type: dropout, rate: 0.1}]}
        """);
    assertThat(m.nodes().get(0).name()).isEqualTo("stem.conv");
    assertThat(m.shape("stem.act")).containsExactly(8, 8, 8);
    assertThat(m.graph().stream().map(n -> n.op().type())).contains("add", "batchnorm", "global_avgpool");
    assertThat(m.outputShape("label")).containsExactly(3);
  }

  @Test
  void shapeMismatchesNameTheNodeBeforeAnyEngine() {
    assertThatThrownBy(() -> model("""
        layers:
          - {name: a, type: conv2d, filters: 4, kernel: 3}
          - {name: b, type: conv2d, filters: 4, kernel: 1, inputs: [input]}
          - {name: sum, type: add, inputs: [a, b]}
          - {type: flatten}
        heads:
          label: {type: classification}
        """)).isInstanceOf(HoldoutException.class).hasMessageStartingWith("g.yaml: model: node 'sum' (add)")
        .hasMessageContaining("[4, 6, 6] and [4, 8, 8]");
    assertThatThrownBy(() -> model("""
        layers:
          - {name: a, type: conv2d, filters: 4, kernel: 3, inputs: [nowhere]}
          - {type: flatten}
        heads:
          label: {type: classification}
        """)).isInstanceOf(HoldoutException.class).hasMessageContaining("node 'a' (conv2d) reads 'nowhere'");
    assertThatThrownBy(() -> model("""
        layers:
          - {name: a, type: conv2d, filters: 4, kernel: 3, groups: 2}
          - {type: flatten}
        heads:
          label: {type: classification}
        """)).isInstanceOf(HoldoutException.class).hasMessageContaining("node 'a' (conv2d)")
        .hasMessageContaining("groups (2) must divide the input channels (3)");
  }

  @Test
  void badKeysFailInTheValidatorWithTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse(experiment("""
        layers:
          - {name: x, type: add}
        heads:
          label: {type: classification}
        """), "g.yaml", Path.of("/b"), List.of())).hasMessageContaining("'model.layers.0.inputs' must name two");
    assertThatThrownBy(() -> ConfigLoader.parse(experiment("""
        architecture: alexnet
        heads:
          label: {type: classification}
        """), "g.yaml", Path.of("/b"), List.of())).hasMessageContaining("'model.architecture' must be one of");
    assertThatThrownBy(() -> ConfigLoader.parse(experiment("""
        layers:
          - {type: swish}
        heads:
          label: {type: classification}
        """), "g.yaml", Path.of("/b"), List.of())).hasMessageContaining("'model.layers.0.type' must be one of")
        .hasMessageContaining("hard_swish");
  }

  @Test
  void theNewerLayersReadTheirKeysAndInferTheirShapes() {
    ModelSpec m = model("""
        layers:
          - {name: down, type: conv2d, filters: 4, kernel: 3, stride: 2, padding: 1}
          - {name: norm, type: l2norm, scale: 10}
          - {name: up, type: conv_transpose2d, filters: 2, kernel: 3, stride: 2, padding: 1, outputPadding: 1}
          - {name: big, type: upsample, scale: 2, mode: bilinear, alignCorners: true}
          - {name: ln, type: layer_norm, axis: 0}
          - {name: rows, type: reshape, shape: [-1, 16]}
          - {type: flatten}
        heads:
          label: {type: classification}
        """);
    assertThat(m.shape("down")).containsExactly(4, 4, 4);
    assertThat(m.shape("up")).containsExactly(2, 8, 8);
    assertThat(m.shape("big")).containsExactly(2, 16, 16);
    assertThat(m.shape("rows")).containsExactly(32, 16);
    assertThat(m.nodes().get(3).op()).isEqualTo(new LayerSpec.Upsample(2, true, true));
    Map<String, ParamInfo> p = new java.util.HashMap<>();
    m.parameters().forEach(x -> p.put(x.name(), x));
    assertThat(p.get("up.weight").shape()).containsExactly(4, 2, 3, 3);
    assertThat(p.get("up.weight").fanIn()).isEqualTo(2 * 9);
    assertThat(p.get("norm.weight").fill()).isEqualTo(10);
    assertThat(p.get("ln.weight").shape()).containsExactly(2);
    assertThat(p.get("ln.bias").role()).isEqualTo(ParamInfo.Role.SHIFT);
    var w = io.holdout.api.model.Weights.initialize(m, 3);
    assertThat(w.get("norm.weight").toFloatArray()).containsOnly(10f);
    assertThat(w.get("ln.weight").toFloatArray()).containsOnly(1f);

    DatasetSchema ids = new DatasetSchema(new long[] {6}, List.of("ids"),
        Map.of("label", TargetInfo.classes(List.of("a", "b", "c"))));
    ExperimentConfig c = ConfigLoader.parse(experiment("""
        layers:
          - {type: embedding, vocab: 50, dim: 8}
          - {type: layer_norm}
          - {type: flatten}
        heads:
          label: {type: classification}
        """), "g.yaml", Path.of("/base"), List.of()).config();
    ModelSpec e = Specs.model(c.model(), ids, "g.yaml");
    assertThat(e.shape("trunk.0")).containsExactly(6, 8);
    assertThat(e.parameters().get(1).shape()).containsExactly(8); // layer norm over the last axis
    float[] table = io.holdout.api.model.Weights.initialize(e, 1).get("trunk.0.weight").toFloatArray();
    double mean = 0;
    double sq = 0;
    for (float v : table) {
      mean += v / table.length;
      sq += (double) v * v / table.length;
    }
    assertThat(mean).isBetween(-0.1, 0.1); // normal(0, 1) over 400 draws
    assertThat(sq).isBetween(0.8, 1.2);
  }

  @Test
  void theNewerLayersFailOnBadKeysAndShapes() {
    String[][] bad = {
        {"{type: upsample, scale: 1.5}", "'model.layers.0.scale' must be a whole number >= 1, got 1.5"},
        {"{type: upsample, scale: 2, mode: cubic}", "'model.layers.0.mode' must be nearest or bilinear"},
        {"{type: upsample, scale: 2, alignCorners: true}", "alignCorners' applies to mode bilinear only"},
        {"{type: conv_transpose2d, filters: 2, kernel: 3, stride: 2, outputPadding: 2}",
            "'model.layers.0.outputPadding' must be in [0, stride) = [0, 2), got 2"},
        {"{type: reshape, shape: [-1, -1]}", "'model.layers.0.shape' must list dimensions > 0, at most one"},
        {"{type: embedding, vocab: 5}", "'model.layers.0.dim' must be > 0"},
        {"{type: layer_norm, axis: -2}", "'model.layers.0.axis' must be >= 0, or -1"},
        {"{type: l2norm, scale: 0}", "'model.layers.0.scale' must be > 0"}};
    for (String[] b : bad) {
      assertThatThrownBy(() -> ConfigLoader.parse(experiment("layers:\n  - " + b[0]
          + "\n  - {type: flatten}\nheads:\n  label: {type: classification}"), "g.yaml", Path.of("/b"), List.of()))
          .as(b[0]).hasMessageContaining(b[1]);
    }
    assertThatThrownBy(() -> model("""
        layers:
          - {type: reshape, shape: [5, -1]}
          - {type: flatten}
        heads:
          label: {type: classification}
        """)).isInstanceOf(HoldoutException.class).hasMessageContaining("node 'trunk.0' (reshape)")
        .hasMessageContaining("does not fit input shape [3, 8, 8] (192 values)");
    assertThatThrownBy(() -> model("""
        layers:
          - {name: c, type: conv2d, filters: 2, kernel: 1}
          - {name: e, type: embedding, vocab: 4, dim: 2}
          - {type: flatten}
        heads:
          label: {type: classification}
        """)).isInstanceOf(HoldoutException.class).hasMessageContaining("node 'e' (embedding) must read the model input");
    assertThatThrownBy(() -> model("""
        layers:
          - {type: conv_transpose2d, filters: 2, kernel: 1, padding: 5}
          - {type: flatten}
        heads:
          label: {type: classification}
        """)).isInstanceOf(HoldoutException.class).hasMessageContaining("conv_transpose2d output would be empty");
  }

  @Test
  void theSequentialFormIsStillAChain() {
    ModelSpec m = model("""
        layers:
          - {type: conv2d, filters: 2, kernel: 3}
          - {type: flatten}
        heads:
          label: {type: classification}
        """);
    assertThat(m.isSequential()).isTrue();
    assertThat(m.trunk()).containsExactly(new LayerSpec.Conv2d(2, 3, 1, 0), new LayerSpec.Flatten());
    assertThat(m.graph().get(1).inputs()).containsExactly("trunk.0");
  }
}
