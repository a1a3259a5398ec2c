package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitCommandTest {
  @TempDir Path dir;

  @Test
  void showsSizesClassMixLeaksAndSteps() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "pytorch", 1);
    Path manifest = dir.resolve("m.json");
    CliFixture.Result r = CliFixture.run("split", cfg.toString(), "--write", manifest.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // 150 rows, stratified 0.7/0.15/0.15: 35 of each species in train (by hand: 0.7 * 50)
    assertThat(r.out()).contains("train     105 samples", "setosa             35 33%")
        // iris has rows whose three features repeat: the check hashes all 150 and reports any
        .containsPattern("leakage check: 150 samples, (no identical sample in two parts|\\d+ contents? found in more than one part)")
        .contains("batch    16 -> 7 steps per epoch (ceil(105 / 16))");
    assertThat(Files.readString(manifest)).contains("\"format\" : \"holdout-split/1\"");
    // the manifest replays the same split
    CliFixture.Result again = CliFixture.run("split", cfg.toString(), "--set", "split.type=manifest",
        "--set", "split.path=" + manifest);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("train     105 samples", "setosa             35 33%");
  }

  @Test
  void generatedShapesAndOrderedSplit() throws Exception {
    String yaml = """
        data: {source: shapes, count: 40, imageSize: 24}
        split: {type: ordered, ratios: {train: 0.5, val: 0.25, test: 0.25}}
        loader: {batchSize: 8}
        model:
          layers: [{type: flatten}]
          heads: {labels: {type: classification}}
        loss: [{type: cross_entropy, output: labels}]
        """;
    Path cfg = Files.writeString(dir.resolve("shapes.yaml"), yaml);
    CliFixture.Result r = CliFixture.run("split", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("(shapes): 40 samples", "train      20 samples", "batch    8 -> 3 steps per epoch");
  }
}
