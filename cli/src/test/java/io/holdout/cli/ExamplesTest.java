package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's example configs stay valid: each trains as written, with less data and fewer epochs
 * (one, or for the image classifier a few, enough to check that it learns).
 */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("../examples").toAbsolutePath().normalize();

  /** The image classifier cut down: 6,400 training images of 16x16, 4 epochs of 100 steps. */
  static final int COUNT = 8000;
  static final int EPOCHS = 4;

  @TempDir Path dir;

  @Test
  void shapesSsdExampleRuns() {
    CliFixture.Result r = CliFixture.run("train", EXAMPLES.resolve("shapes-ssd.yaml").toString(),
        "--set", "data.count=130", "--set", "trainer.epochs=1", "--set", "trainer.progress=none",
        "--set", "runs=" + dir);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("data    shapes (generated): 130 samples, input [3, 96, 96], targets [boxes, labels]")
        .contains("anchors 1134 default boxes: 6 per cell of the 12x12, 6x6, 3x3 feature maps")
        .containsPattern("val mAP@0.5 [0-9.]+ \\| lr [0-9.e-]+ \\| [0-9]+ img/s")
        .contains("test mAP@0.5");
  }

  /**
   * The image classifier on both training backends, cut down to 16x16 images and 400 steps: it must
   * learn (val loss well under the uniform guess, ln 3 = 1.0986; accuracy well above chance, 1/3),
   * write its test report, and ONNX Runtime must reproduce the test figures from the run folder.
   * (Measured here: val loss 0.61 / 0.58 and accuracy 0.75 / 0.74 after 4 epochs on PyTorch /
   * TensorFlow, 13 s / 16 s.)
   */
  @ParameterizedTest
  @ValueSource(strings = {"pytorch", "tensorflow"})
  void shapesResnetExampleLearnsOnEveryTrainingBackend(String backend) throws Exception {
    CliFixture.Result r = CliFixture.run("train", EXAMPLES.resolve("shapes-resnet.yaml").toString(),
        "--set", "backend=" + backend, "--set", "data.count=%d".formatted(COUNT), "--set", "data.imageSize=16",
        "--set", "trainer.epochs=%d".formatted(EPOCHS), "--set", "trainer.progress=none", "--set", "runs=" + dir,
        // one thread: as fast here, and a busy machine slows a two-thread PyTorch step up to tenfold
        "--set", "engine.intraOpThreads=1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("data    shape_classes (generated): " + COUNT + " samples, input [3, 16, 16], targets [label]")
        .contains("classification: uniform guess 1.0986 for 3 classes")
        .contains("test label.accuracy");
    Path run = TrainCommandTest.runFolder(r);
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> columns = List.of(csv.get(0).split(","));
    List<String[]> val = csv.stream().skip(1).map(l -> l.split(",", -1)).filter(f -> f[1].equals("val")).toList();
    assertThat(val).hasSize(EPOCHS);
    String[] last = val.get(EPOCHS - 1);
    assertThat(Double.parseDouble(last[columns.indexOf("total")])).as("last val loss").isLessThan(0.8);
    assertThat(Double.parseDouble(last[columns.indexOf("label.accuracy")])).as("last val accuracy")
        .isGreaterThan(0.6);
    JsonNode report = OnnxCliTest.JSON.readTree(run.resolve("test-report.json").toFile());
    assertThat(report.path("metrics").path("label.accuracy").asDouble()).isGreaterThan(0.6);
    JsonNode onnx = OnnxCliTest.evaluate(run, "onnx");
    OnnxCliTest.assertSame(report, onnx, 1e-5);
  }

  @Test
  void irisExampleRuns() {
    CliFixture.Result r = CliFixture.run("train", EXAMPLES.resolve("iris-multitask.yaml").toString(),
        "--set", "trainer.epochs=1", "--set", "runs=" + dir);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("split   train 105 | val 23 | test 22 samples").contains("test species.accuracy");
  }

  @Test
  void irisFromOnnxExampleFineTunesTheImportedNetwork() throws Exception {
    CliFixture.Result r = CliFixture.run("train", EXAMPLES.resolve("iris-from-onnx.yaml").toString(),
        "--set", "trainer.epochs=2", "--set", "runs=" + dir);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("iris-mlp.onnx (onnx): 5 nodes, 6 weight tensors; head species <- output 'species' (the Softmax"
            + " after it left out: heads output logits); head petal_width <- output 'petal_width'")
        .contains("test species.accuracy");
    // the run evaluates on ONNX Runtime like any other
    Path run;
    try (var runs = java.nio.file.Files.list(dir)) {
      run = runs.filter(p -> p.getFileName().toString().startsWith("iris-from-onnx-")).findFirst().orElseThrow();
    }
    CliFixture.Result e = CliFixture.run("evaluate", run.toString(), "--backend", "onnx");
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("species.accuracy");

    java.nio.file.Path wrong = dir.resolve("image-net.onnx");
    java.nio.file.Files.writeString(wrong, "not an onnx model");
    CliFixture.Result bad = CliFixture.run("train", EXAMPLES.resolve("iris-from-onnx.yaml").toString(),
        "--set", "model.onnx=" + wrong, "--set", "runs=" + dir.resolve("bad"));
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().strip()).startsWith("holdout: error: ").contains("model.onnx: " + wrong + ": not an ONNX model")
        .doesNotContain("\n");
    assertThat(dir.resolve("bad")).doesNotExist();
  }
}
