package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.export.ExporterProvider;
import io.holdout.api.export.Exporters;
import io.holdout.api.export.ModelFileProvider;
import io.holdout.api.export.ModelFiles;
import io.holdout.api.extension.Extensions;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.api.train.CorePlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI finds export formats and model-file runners on the class path; it imports no engine. */
class ExportFormatsTest {
  @TempDir Path dir;

  @Test
  void theRegistriesListOnnxFromTheEngineOnTheClassPath() {
    assertThat(Exporters.formats()).contains("onnx");
    ExporterProvider p = Exporters.discover().stream().filter(x -> x.format().equals("onnx")).findFirst().orElseThrow();
    assertThat(p.artifact()).isEqualTo("holdout-engine-onnx");
    assertThat(Exporters.find("onnx").format()).isEqualTo("onnx");
    assertThat(Exporters.find("onnx").fileExtension()).isEqualTo("onnx");
    assertThat(ModelFiles.discover()).extracting(ModelFileProvider::format).contains("onnx");
  }

  /**
   * Engines and export formats are registry points like the others: the core plugin registers what
   * it finds on the class path, and a second plugin registering a taken name is refused naming both.
   */
  @Test
  void enginesAndFormatsAreRegisteredParts() {
    Extensions installed = Extensions.installed();
    assertThat(installed.backends()).containsKeys("pytorch", "tensorflow", "onnx", "java-reference");
    assertThat(installed.exporters()).containsKey("onnx");
    assertThat(installed.owners(Extensions.BACKEND)).containsEntry("pytorch", "core");
    Plugin again = new Plugin() {
      @Override public String name() {
        return "mine";
      }

      @Override public void register(Registry r) {
        r.backend(installed.backends().get("onnx"));
      }
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Extensions.of(java.util.List.of(new CorePlugin(), again)))
        .hasMessage("the backend 'onnx' is registered twice: by plugin 'core' and by plugin 'mine'");
  }

  @Test
  void anUnknownFormatIsOneLineListingTheFormatsPresentAndWritesNothing() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "java-reference", 1);
    CliFixture.Result r = CliFixture.run("train", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    CliFixture.Result e = CliFixture.run("export", run.toString(), "--format", "keras");
    assertThat(e.code()).as(e.err()).isEqualTo(2);
    assertThat(e.err().lines().count()).as(e.err()).isEqualTo(1);
    assertThat(e.err()).contains("unknown export format 'keras'; formats present: " + String.join(", ",
        Exporters.formats())).contains("onnx").doesNotContain("Exception", "\tat ");
    try (var files = Files.list(run)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("model.") && !n.equals(
          "model.json"));
    }
  }

  @Test
  void predictWithAMissingExportedFileIsOneLineNamingIt() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "java-reference", 1);
    CliFixture.Result r = CliFixture.run("train", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    Path missing = dir.resolve("nope.onnx");
    CliFixture.Result p = CliFixture.run("predict", run.toString(), CliFixture.IRIS.toString(), "--onnx",
        missing.toString(), "--out", dir.resolve("pred").toString());
    assertThat(p.code()).as(p.err()).isEqualTo(2);
    assertThat(p.err().lines().count()).as(p.err()).isEqualTo(1);
    assertThat(p.err()).contains(missing + ": no such file");
  }
}
