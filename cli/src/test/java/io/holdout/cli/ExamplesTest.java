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
}
