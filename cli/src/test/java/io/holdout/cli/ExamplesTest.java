package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example configs stay valid: each trains one short epoch as written (data cut down). */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("../examples").toAbsolutePath().normalize();

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
