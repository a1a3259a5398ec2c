package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the CLI may be handed: corrupt, truncated, empty, missing, a folder, a model of another
 * shape, an input ONNX Runtime rejects. Each fails with a {@link HoldoutException} whose message is
 * one line naming the file.
 */
class BadModelFileTest {
  @TempDir
  Path dir;

  private Path exported(String name) {
    Path file = dir.resolve(name);
    ModelSpec spec = Models.iris();
    OnnxExport.write(file, spec, Weights.initialize(spec, 1), Map.of("k", "v"));
    return file;
  }

  private static void assertOneLineNaming(Throwable e, Path file) {
    assertThat(e).isInstanceOf(HoldoutException.class);
    assertThat(e.getMessage()).startsWith(file.toString() + ": ").doesNotContain("\n");
  }

  @Test
  void corruptBytesAreNotAModel() throws Exception {
    byte[] junk = new byte[4096];
    new SplittableRandom(1).nextBytes(junk);
    Path file = dir.resolve("junk.onnx");
    Files.write(file, junk);
    Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> OnnxModelFile.validate(file));
    assertOneLineNaming(e, file);
    assertThat(e).hasMessageContaining("not a valid ONNX model");
    assertThatThrownBy(() -> OnnxModelFile.validate("not a model at all".getBytes(), "notes.txt"))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith("notes.txt: not a valid ONNX model");
  }

  @Test
  void aTruncatedFileIsNotAModel() throws Exception {
    Path good = exported("good.onnx");
    byte[] all = Files.readAllBytes(good);
    for (int keep : new int[] {all.length / 2, all.length - 7, 20}) {
      Path file = dir.resolve("cut-" + keep + ".onnx");
      Files.write(file, Arrays.copyOf(all, keep));
      Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> OnnxModelFile.validate(file));
      assertOneLineNaming(e, file);
      assertThat(e).hasMessageContaining("not a valid ONNX model");
    }
    assertThat(OnnxModelFile.validate(good).outputs()).containsKeys("species", "petal_width");
  }

  @Test
  void emptyMissingAndFolderPathsSayWhatTheyAre() throws Exception {
    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> OnnxModelFile.validate(empty));
    assertOneLineNaming(e, empty);
    assertThat(e).hasMessageContaining("empty");
    Path missing = dir.resolve("missing.onnx");
    e = org.assertj.core.api.Assertions.catchThrowable(() -> OnnxModelFile.validate(missing));
    assertOneLineNaming(e, missing);
    assertThat(e).hasMessageContaining("no such file");
    e = org.assertj.core.api.Assertions.catchThrowable(() -> OnnxModelFile.open(dir));
    assertOneLineNaming(e, dir);
    assertThat(e).hasMessageContaining("directory");
  }

  @Test
  void aModelOfAnotherShapeDoesNotFitTheSpec() {
    Path file = exported("iris.onnx");
    ModelFileInfo info = OnnxModelFile.validate(file);
    ModelSpec wider = new ModelSpec(new long[] {4}, Models.iris().trunk(), Models.iris().heads());
    assertThatThrownBy(() -> info.checkFits(wider))
        .isInstanceOf(HoldoutException.class)
        .hasMessage(file + ": input 'input' has shape [?, 3] but the model expects [batch, 4]");
    ModelSpec otherHead = new ModelSpec(new long[] {3}, List.of(new LayerSpec.Dense(4)),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3), HeadSpec.dense("sepal", HeadKind.REGRESSION, 1)));
    assertThatThrownBy(() -> info.checkFits(otherHead))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith(file + ": the ONNX model has no output 'sepal'");
    ModelSpec moreClasses = new ModelSpec(new long[] {3}, List.of(new LayerSpec.Dense(4)),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 4)));
    assertThatThrownBy(() -> info.checkFits(moreClasses))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("output 'species' has shape [?, 3]");
  }

  @Test
  void anInputOfTheWrongShapeFailsNamingTheFile() {
    Path file = exported("run.onnx");
    try (OnnxModelFile f = OnnxModelFile.open(file)) {
      Throwable e = org.assertj.core.api.Assertions.catchThrowable(
          () -> f.run(Tensor.ofFloats(new long[] {2, 4}, new float[8])));
      assertOneLineNaming(e, file);
      assertThat(e).hasMessageContaining("could not run");
    }
  }
}
