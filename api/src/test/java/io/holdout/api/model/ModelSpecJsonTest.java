package io.holdout.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.model.LayerSpec.Activation;
import io.holdout.api.model.arch.Architectures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model.json}: every layer type, sequential and graph models, multi-scale heads and the
 * architecture builders come back equal to the spec built in code (same nodes, heads, parameter
 * names and shapes); bad files fail with one line naming the file and the entry.
 */
class ModelSpecJsonTest {
  @TempDir Path dir;

  /** One valid (input shape, layer, input count) case per layer record and activation function. */
  record Case(long[] in, LayerSpec layer, int inputs) {}

  static List<Case> cases() {
    long[] img = {4, 6, 6};
    List<Case> out = new ArrayList<>(List.of(
        new Case(new long[] {5}, new LayerSpec.Dense(7), 1),
        new Case(new long[] {5}, new LayerSpec.Relu(), 1),
        new Case(new long[] {5}, new LayerSpec.Dropout(0.25), 1),
        new Case(img, new LayerSpec.Flatten(), 1),
        new Case(img, new LayerSpec.Conv2d(8, 3, 2, 1, 2, 4, false), 1),
        new Case(img, new LayerSpec.ConvTranspose2d(3, 3, 2, 1, 1, false), 1),
        new Case(img, new LayerSpec.LayerNorm(0), 1),
        new Case(img, new LayerSpec.L2Norm(12.5), 1),
        new Case(img, new LayerSpec.Upsample(2, true, true), 1),
        new Case(img, new LayerSpec.Upsample(3, false, false), 1),
        new Case(img, new LayerSpec.Reshape(List.of(4L, -1L)), 1),
        new Case(new long[] {6}, new LayerSpec.Embedding(10, 3), 1),
        new Case(img, new LayerSpec.BatchNorm(), 1),
        new Case(img, new LayerSpec.MaxPool(3, 2, 1, true), 1),
        new Case(img, new LayerSpec.AvgPool(2, 1, 1, false), 1),
        new Case(img, new LayerSpec.GlobalAvgPool(), 1),
        new Case(img, new LayerSpec.Add(), 2),
        new Case(img, new LayerSpec.Mul(), 3),
        new Case(img, new LayerSpec.Concat(1), 2),
        new Case(new long[] {6, 2, 2}, new LayerSpec.Anchors(3), 1),
        new Case(new long[] {5}, new Activation(Activation.Fn.LEAKY_RELU, 0.2), 1)));
    for (Activation.Fn fn : Activation.Fn.values()) {
      out.add(new Case(new long[] {5}, new Activation(fn), 1));
    }
    return out;
  }

  static ModelSpec single(Case c) {
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < c.inputs(); i++) {
      inputs.add(ModelSpec.INPUT);
    }
    return ModelSpec.graph(c.in(), List.of(new Node("x", c.layer(), inputs)),
        List.of(HeadSpec.on("x", "y", HeadKind.REGRESSION, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(2)))));
  }

  static ModelSpec roundTrip(ModelSpec m) {
    String text = ModelSpecJson.toJson(m);
    ModelSpec back = ModelSpecJson.fromJson(text, "model.json");
    assertThat(ModelSpecJson.toJson(back)).isEqualTo(text);
    return back;
  }

  static void assertSameModel(ModelSpec back, ModelSpec m) {
    assertThat(back).isEqualTo(m);
    assertThat(back.isSequential()).isEqualTo(m.isSequential());
    assertThat(back.parameters()).hasSameSizeAs(m.parameters());
    for (int i = 0; i < m.parameters().size(); i++) {
      assertThat(back.parameters().get(i).name()).isEqualTo(m.parameters().get(i).name());
      assertThat(back.parameters().get(i).shape()).isEqualTo(m.parameters().get(i).shape());
    }
    for (HeadSpec h : m.heads()) {
      assertThat(back.outputShape(h.name())).isEqualTo(m.outputShape(h.name()));
    }
  }

  @Test
  void everyLayerTypeAndActivationComesBackEqual() {
    Set<Class<?>> covered = new HashSet<>();
    Set<String> types = new HashSet<>();
    for (Case c : cases()) {
      ModelSpec m = single(c);
      assertSameModel(roundTrip(m), m);
      covered.add(c.layer().getClass());
      types.add(c.layer().type());
    }
    // a layer type added later must be added here (and to ModelSpecJson) too
    assertThat(covered).containsExactlyInAnyOrder(LayerSpec.class.getPermittedSubclasses());
    assertThat(types).containsAll(LayerCatalog.types());
  }

  @Test
  void sequentialAndGraphModelsWithTapsAndArchitecturesComeBackEqual() {
    ModelSpec mlp = ModelSpecTest.mlp();
    assertSameModel(roundTrip(mlp), mlp);
    assertThat(ModelSpecJson.toTree(mlp).has("layers")).isTrue();

    ModelSpec ssd = new ModelSpec(new long[] {3, 16, 16},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.Conv2d(4, 3, 2, 1)),
        List.of(HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(1, 2), 2),
            HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 3, List.of(1, 2), 2)));
    assertSameModel(roundTrip(ssd), ssd);

    long[] in = {3, 64, 64};
    ModelSpec lite = Architectures.ssdLite(Architectures.backbone("mobilenet_v2_ssdlite", 0.5, in), in, 3, 6);
    assertThat(lite.isSequential()).isFalse();
    assertSameModel(roundTrip(lite), lite);
    for (String name : List.of("resnet_small", "mobilenet_v3_small")) {
      ModelSpec m = Architectures.classifier(Architectures.backbone(name, 1, new long[] {3, 32, 32}),
          new long[] {3, 32, 32}, "label", List.of(new LayerSpec.Dropout(0.2), new LayerSpec.Dense(5)));
      assertSameModel(roundTrip(m), m);
    }
  }

  @Test
  void writesAtomicallyAndReadsTheFileBack() throws Exception {
    Path file = dir.resolve("model.json");
    ModelSpec m = ModelSpecTest.mlp();
    ModelSpecJson.write(file, m);
    assertThat(ModelSpecJson.read(file)).isEqualTo(m);
    assertThat(Files.list(dir)).containsExactly(file);
    assertThat(Files.readString(file)).contains("\"format\" : \"holdout-model/1\"").contains("\"units\" : 8");
  }

  @Test
  void badFilesFailWithOneLineNamingTheFileAndEntry() throws Exception {
    String good = ModelSpecJson.toJson(ModelSpecTest.mlp());
    String[][] cases = {
      {"{", "model.json:"},
      {"[]", "not a model spec"},
      {good.replace("holdout-model/1", "other"), "format must be 'holdout-model/1'"},
      {good.replace("\"dense\"", "\"densse\""), "layers[0]: unknown layer type 'densse'"},
      {good.replace("\"units\" : 8", "\"units\" : 8.5"), "layers[0] (dense): 'units' must be an integer"},
      {good.replace("\"units\" : 8", "\"units\" : -8"), "layers[0] (dense): dense units must be > 0"},
      {good.replace("\"units\" : 8", "\"units\" : 8, \"kernel\" : 3"), "layers[0] (dense): unknown key 'kernel'"},
      {good.replace("\"input_shape\" : [ 3 ]", "\"input_shape\" : [ 3, 0 ]"), "'input_shape' must hold positive"},
      {good.replace("\"classification\"", "\"ranking\""), "heads[0] ('species'): 'type' must be classification"},
      {good.replaceFirst("\"heads\" :", "\"nodes\" : [ ], \"heads\" :"), "either 'layers'"},
      {good.replaceFirst("\"layers\"", "\"nodes\""), "nodes[0]: 'name' must be a non-empty string"},
      {good.replace("\"input_shape\" : [ 3 ]", "\"input_shape\" : [ 3, 4, 4 ]"),
          "dense needs a flat input"},
    };
    for (String[] c : cases) {
      Path file = Files.writeString(dir.resolve("model.json"), c[0]);
      assertThatThrownBy(() -> ModelSpecJson.read(file)).as(c[1])
          .isInstanceOf(HoldoutException.class)
          .hasMessageStartingWith(file.toString())
          .hasMessageContaining(c[1])
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    assertThatThrownBy(() -> ModelSpecJson.read(dir.resolve("missing.json")))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("missing.json: file not found");
  }
}
