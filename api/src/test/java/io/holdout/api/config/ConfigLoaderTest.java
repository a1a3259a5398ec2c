package io.holdout.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  static final String MINIMAL = """
      name: t
      data:
        path: data.csv
        features: [a, b]
        targets:
          y: {type: class}
          v: {type: number}
      model:
        layers:
          - {type: dense, units: 8}
          - {type: relu}
        heads:
          y: {type: classification}
          v: {type: regression}
      loss:
        - {name: classification, type: cross_entropy, output: y}
        - {name: regression, type: mse, output: v, weight: 0.5}
      """;

  static LoadedConfig parse(String yaml, String... overrides) {
    return ConfigLoader.parse(yaml, "exp.yaml", Path.of("/base"), List.of(overrides));
  }

  @Test
  void fillsDefaults() {
    ExperimentConfig c = parse(MINIMAL).config();
    assertThat(c.backend()).isEqualTo("pytorch");
    assertThat(c.seed()).isEqualTo(42L);
    assertThat(c.loader().batchSize()).isEqualTo(32);
    assertThat(c.split().ratios()).containsEntry("train", 0.7).containsEntry("val", 0.15);
    assertThat(c.loss().get(0).target()).isEqualTo("y");
    assertThat(c.loss().get(1).weight()).isEqualTo(0.5);
    // no metrics listed: each head's full set, in head order
    assertThat(c.metrics()).extracting(m -> m.output() + "." + m.type()).containsExactly("y.accuracy", "y.precision",
        "y.recall", "y.f1", "y.roc_auc", "v.mse", "v.mae", "v.r2");
    assertThat(c.optimizer().type()).isEqualTo("adam");
  }

  @Test
  void resolvedYamlRoundTripsToTheSameConfig() {
    LoadedConfig a = parse(MINIMAL);
    LoadedConfig b = parse(a.resolvedYaml());
    assertThat(b.config()).isEqualTo(a.config());
    assertThat(b.hash()).isEqualTo(a.hash());
  }

  @Test
  void overridesAnyKeyWithTypedValues() {
    ExperimentConfig c = parse(MINIMAL, "backend=tensorflow", "trainer.epochs=5", "loss.1.weight=2",
        "loader.shuffle=false", "split.ratios={train: 0.8, val: 0.1, test: 0.1}").config();
    assertThat(c.backend()).isEqualTo("tensorflow");
    assertThat(c.trainer().epochs()).isEqualTo(5);
    assertThat(c.loss().get(1).weight()).isEqualTo(2.0);
    assertThat(c.loader().shuffle()).isFalse();
    assertThat(c.split().ratios()).containsEntry("train", 0.8);
  }

  @Test
  void unknownKeyIsNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> parse(MINIMAL + "trainer: {epoch: 3}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("exp.yaml: unknown key 'trainer.epoch'")
        .hasMessageContaining("epochs");
    assertThatThrownBy(() -> parse(MINIMAL, "trainer.epoch=3"))
        .hasMessageContaining("unknown key 'trainer.epoch' (after --set overrides)");
  }

  @Test
  void wrongTypeNamesKeyAndExpectedType() {
    assertThatThrownBy(() -> parse(MINIMAL + "loader: {batchSize: many}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("exp.yaml: key 'loader.batchSize' expects a whole number, got 'many'");
  }

  @Test
  void invalidYamlNamesFileAndLine() {
    assertThatThrownBy(() -> parse("name: [unclosed\nseed: 1\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("exp.yaml:")
        .hasMessageContaining("invalid YAML");
  }

  @Test
  void ratiosMustSumToOne() {
    assertThatThrownBy(() -> parse(MINIMAL, "split.ratios={train: 0.7, val: 0.2, test: 0.2}"))
        .hasMessageContaining("'split.ratios' sum to 1.1, not 1");
  }

  @Test
  void precisionIsFloat32UnlessTheConfigSaysFloat64() {
    assertThat(parse(MINIMAL).config().engine().precisionType()).isEqualTo(io.holdout.api.backend.Precision.FLOAT32);
    assertThat(parse(MINIMAL, "engine.precision=float64").config().engine().precisionType())
        .isEqualTo(io.holdout.api.backend.Precision.FLOAT64);
    assertThatThrownBy(() -> parse(MINIMAL, "engine.precision=double"))
        .hasMessage("exp.yaml: 'engine.precision' must be float32 or float64, got 'double'");
  }

  @Test
  void batchSizeMustBePositive() {
    assertThatThrownBy(() -> parse(MINIMAL, "loader.batchSize=0"))
        .hasMessage("exp.yaml: 'loader.batchSize' must be > 0, got 0");
  }

  @Test
  void lossMustReadAHead() {
    assertThatThrownBy(() -> parse(MINIMAL, "loss.0.output=nope"))
        .hasMessageContaining("'loss.0.output' must name a head");
  }

  @Test
  void missingFileAndEmptyFile(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"), List.of()))
        .hasMessageEndingWith("nope.yaml: config file not found");
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
    assertThatThrownBy(() -> ConfigLoader.load(empty, List.of())).hasMessageEndingWith("empty.yaml: config file is empty");
  }

  @Test
  void malformedOverride() {
    assertThatThrownBy(() -> parse(MINIMAL, "trainer.epochs")).hasMessageContaining("expected key=value");
    assertThatThrownBy(() -> parse(MINIMAL, "loss.7.weight=1")).hasMessageContaining("beyond the end of the list");
  }

  static final String SHAPE_CLASSES = """
      name: s
      data: {source: shape_classes, count: 90, imageSize: 16}
      model:
        layers: [{type: global_avgpool}, {type: flatten}]
        heads: {label: {type: classification}}
      loss: [{type: cross_entropy, output: label}]
      """;

  @Test
  void shapeClassesNeedNoPathAndGetTheGeneratedDefaults() {
    DataConfig d = parse(SHAPE_CLASSES).config().data();
    assertThat(d.source()).isEqualTo("shape_classes");
    assertThat(d.path()).isNull();
    assertThat(d.count()).isEqualTo(90);
    assertThat(d.noise()).isEqualTo(0.1);
    assertThat(d.minObjects()).isNull();
    assertThat(parse(SHAPE_CLASSES, "data.count=null").config().data().count()).isEqualTo(1000);
  }

  @Test
  void shapeClassesKeysAreChecked() {
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.minObjects=2"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("exp.yaml: 'data.minObjects' is for source shapes (detection); shape_classes draws one shape"
            + " per image");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.maxObjects=2"))
        .hasMessageStartingWith("exp.yaml: 'data.maxObjects' is for source shapes");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.imageSize=null"))
        .hasMessage("exp.yaml: 'data.imageSize' is needed for generated shapes (e.g. 32)");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.imageSize=6"))
        .hasMessage("exp.yaml: 'data.imageSize' must be >= 8 for generated shapes, got 6");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.noise=1.5"))
        .hasMessage("exp.yaml: 'data.noise' must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.count=0"))
        .hasMessage("exp.yaml: 'data.count' must be > 0, got 0");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.classes=[a, b, c]"))
        .hasMessageStartingWith("exp.yaml: 'data.classes' is for image folders and VOC");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "data.source=shape_class"))
        .hasMessage("exp.yaml: 'data.source' 'shape_class' is not a registered data source (registered: coco, csv, "
            + "imagefolder, shape_classes, shapes, voc)");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "split.type=stratifed"))
        .hasMessage("exp.yaml: 'split.type' 'stratifed' is not a registered split type (registered: kfold, lists, "
            + "manifest, ordered, random, stratified)");
    assertThatThrownBy(() -> parse(SHAPE_CLASSES, "detection={anchors: {sizes: [0.2, 0.4]}}"))
        .hasMessageContaining("'detection' needs a detection data source (shapes, voc or coco), not shape_classes");
  }

  @Test
  void dataPathsResolveAgainstTheConfigFolder() {
    assertThat(parse(MINIMAL).resolve("data.csv")).isEqualTo(Path.of("/base/data.csv"));
  }
}
