package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every user error: one clear line on stderr, exit code 2, no stack trace, no run folder left. */
class BadInputTest {
  @TempDir Path dir;

  private CliFixture.Result train(Path config, String... sets) {
    String[] args = new String[2 + 2 * sets.length];
    args[0] = "train";
    args[1] = config.toString();
    for (int i = 0; i < sets.length; i++) {
      args[2 + 2 * i] = "--set";
      args[3 + 2 * i] = sets[i];
    }
    return CliFixture.run(args);
  }

  private static void assertUserError(CliFixture.Result r, String expected) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(expected);
    assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).doesNotContain("Exception", "\tat ");
  }

  private Path config() throws Exception {
    return CliFixture.irisConfig(dir, CliFixture.IRIS, "java-reference", 1);
  }

  @Test
  void missingConfigFile() {
    assertUserError(train(dir.resolve("nope.yaml")), "nope.yaml: config file not found");
  }

  @Test
  void invalidYaml() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.yaml"), "name: tiny\ndata: [oops\n");
    assertUserError(train(f), "invalid YAML");
  }

  @Test
  void unknownKeyIsNamed() throws Exception {
    Path f = Files.writeString(dir.resolve("k.yaml"), Files.readString(config()) + "trainers: {}\n");
    assertUserError(train(f), "unknown key 'trainers'");
  }

  @Test
  void wrongType() throws Exception {
    assertUserError(train(config(), "trainer.epochs=lots"), "key 'trainer.epochs' expects a whole number, got 'lots'");
  }

  @Test
  void ratiosNotSummingToOne() throws Exception {
    assertUserError(train(config(), "split.ratios={train: 0.5, val: 0.1, test: 0.1}"), "'split.ratios' sum to 0.7, not 1");
  }

  @Test
  void batchSizeNotPositive() throws Exception {
    assertUserError(train(config(), "loader.batchSize=-4"), "'loader.batchSize' must be > 0, got -4");
  }

  @Test
  void missingCsvColumnNamesFileAndColumns() throws Exception {
    CliFixture.Result r = train(config(), "data.features=[sepal_length, sepal_girth]");
    assertUserError(r, "sepal_girth");
    assertThat(r.err()).contains("iris.csv");
  }

  @Test
  void nonNumericCellNamesFileAndLine() throws Exception {
    String csv = Files.readString(CliFixture.IRIS).replaceFirst("\n4\\.9,3\\.0,", "\n4.9,three,");
    Path bad = Files.writeString(dir.resolve("iris-bad.csv"), csv);
    CliFixture.Result r = train(CliFixture.irisConfig(dir, bad, "java-reference", 1));
    assertUserError(r, "iris-bad.csv:3");
    assertThat(r.err()).contains("three");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  @Test
  void unknownBackendListsThePresentOnes() throws Exception {
    CliFixture.Result r = train(config(), "backend=caffe");
    assertUserError(r, "unknown backend 'caffe'; backends present: java-reference, onnx, perturbed, pytorch, tensorflow");
  }

  @Test
  void unknownLossAndMetricNamesListKnownOnes() throws Exception {
    assertUserError(train(config(), "loss.0.type=msee"), "unknown loss type 'msee' (known: ");
    CliFixture.Result metric = train(config(), "metrics=[{type: accuracy, output: species}, {type: accuracyy, output: species}]");
    assertUserError(metric, "exp.yaml: 'metrics.1.type' 'accuracyy' is not a registered metric (registered: accuracy, "
        + "confusion_matrix, f1, mae, map, mse, pr_auc, precision, r2, recall, rmse, roc_auc, top_k_accuracy)");
    assertUserError(train(config(), "metrics=[{type: mse, output: petal_width, params: {k: 2}}]"),
        "exp.yaml: metrics: metric 'mse' has no parameter 'k' (known: none)");
    assertUserError(train(config(), "trainer.schedule.type=cosin"), "exp.yaml: 'trainer.schedule.type' 'cosin' is not a "
        + "registered schedule (registered: constant, cosine, multistep, step)");
    assertUserError(train(config(), "trainer.schedule.type=step"),
        "exp.yaml: 'trainer.schedule.stepEpochs' must be > 0 for a step schedule");
    assertThat(dir.resolve("runs")).doesNotExist();
    assertUserError(train(config(), "data.source=parquet"), "exp.yaml: 'data.source' 'parquet' is not a registered data "
        + "source (registered: coco, csv, imagefolder, shape_classes, shapes, voc)");
    assertUserError(train(config(), "split.type=grouped"), "exp.yaml: 'split.type' 'grouped' is not a registered split "
        + "type (registered: kfold, lists, manifest, ordered, random, stratified)");
  }

  /** Optimizers are registered parts: an unknown type or a bad setting is one line, before any run folder. */
  @Test
  void unknownOptimizerListsTheRegisteredOnes() throws Exception {
    assertUserError(train(config(), "optimizer.type=lion"),
        "exp.yaml: 'optimizer.type' 'lion' is not a registered optimizer (registered: adam, adamw, sgd)");
    assertUserError(train(config(), "optimizer.type=sgd", "optimizer.nesterov=true"),
        "exp.yaml: 'optimizer.nesterov' needs 'optimizer.momentum' > 0");
    assertUserError(train(config(), "optimizer.type=adam", "optimizer.betas=[0.9, 0.99]"),
        "exp.yaml: 'optimizer.betas' is not a setting of optimizer 'adam' (settings: beta1, beta2, clipNorm, eps, lr, "
            + "weightDecay)");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  /**
   * Callbacks: the default ones may only be switched off ({@code -NAME}), an unknown one is named
   * with the registered ones, and a table's augmentations are checked before any run folder exists.
   */
  @Test
  void callbackAndTransformNamesAreCheckedBeforeAnyRunFolder() throws Exception {
    assertUserError(train(config(), "trainer.callbacks=[slack]"), "exp.yaml: 'trainer.callbacks.0' 'slack' is not a "
        + "registered callback (registered: checkpoints, console, curves, metrics_csv, progress, report, tensorboard,"
        + " test_predictions)");
    assertUserError(train(config(), "trainer.callbacks=[-curves, -slack]"), "exp.yaml: 'trainer.callbacks.1' '-slack':"
        + " only a default callback can be switched off (default: console, metrics_csv, curves, tensorboard,"
        + " test_predictions, progress, checkpoints, report)");
    assertUserError(train(config(), "trainer.callbacks=[curves]"), "exp.yaml: 'trainer.callbacks.0' 'curves' runs by"
        + " default: list it only as '-curves' to switch it off");
    assertUserError(train(config(), "trainer.callbacks=[-curves, -curves]"),
        "exp.yaml: 'trainer.callbacks.1' switches 'curves' off twice");
    assertUserError(train(config(), "data.transforms=[{type: random_flip}]"), "exp.yaml: 'data.transforms.0.type'"
        + " 'random_flip' is not a registered transform (registered: random_crop, random_horizontal_flip)");
    // iris rows are not images: the factory says so, naming the entry
    assertUserError(train(config(), "data.transforms=[{type: random_horizontal_flip}]"), "exp.yaml: data.transforms.0"
        + " (random_horizontal_flip): it changes images [C, H, W], but the data's input is [3]");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  /**
   * Loss parameters are checked against the model's heads before any engine opens, the same way
   * for every backend: one line naming the file, the component and the parameter, and no run
   * folder.
   */
  @ParameterizedTest
  @ValueSource(strings = {"java-reference", "pytorch", "tensorflow", "onnx", "perturbed"})
  void classWeightsOfTheWrongLengthAreRefusedBeforeTraining(String backend) throws Exception {
    CliFixture.Result r = train(config(), "backend=" + backend, "loss.1.params={class_weights: [1, 2]}");
    assertUserError(r, "exp.yaml: loss 'classification' (cross_entropy): parameter 'class_weights' has 2 values"
        + " for the 3 classes of head 'species'");
    assertThat(dir.resolve("runs")).doesNotExist();
    assertUserError(train(config(), "backend=" + backend, "loss.1.params={class_weights: [1, -2, 1]}"),
        "exp.yaml: loss 'classification' (cross_entropy): parameter 'class_weights' must be a list of numbers >= 0");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  @Test
  void generatedShapeClassesKeysAreChecked() {
    Path example = ExamplesTest.EXAMPLES.resolve("shapes-resnet.yaml");
    assertUserError(train(example, "data.maxObjects=3"), "shapes-resnet.yaml: 'data.maxObjects' is for source shapes"
        + " (detection); shape_classes draws one shape per image");
    assertUserError(train(example, "data.noise=-0.1"), "shapes-resnet.yaml: 'data.noise' must be in [0, 1], got -0.1");
    assertUserError(train(example, "data.imageSize=4"), "'data.imageSize' must be >= 8 for generated shapes, got 4");
  }

  @Test
  void unknownCommandOption() {
    CliFixture.Result r = CliFixture.run("train", "x.yaml", "--frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--frobnicate'").doesNotContain("\tat ");
  }
}
