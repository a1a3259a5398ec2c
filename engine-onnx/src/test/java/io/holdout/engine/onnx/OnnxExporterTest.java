package io.holdout.engine.onnx;

import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static io.holdout.engine.onnx.OnnxExportTest.close;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.export.ExportRequest;
import io.holdout.api.export.Exporter;
import io.holdout.api.export.Exporters;
import io.holdout.api.export.ModelFile;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.export.ModelFiles;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module's export format and model-file runner as the CLI reaches them, through the api's
 * service-provider registries: an export of raw features written from an engine-neutral request
 * and run from its file computes what the ONNX backend computes on the standardised features.
 */
class OnnxExporterTest {
  @TempDir Path dir;

  @Test
  void theRegistriesFindThisModulesFormat() {
    assertThat(Exporters.formats()).containsExactly(OnnxExporter.FORMAT);
    assertThat(Exporters.find("onnx")).isInstanceOf(OnnxExporter.class);
    assertThat(ModelFiles.discover()).singleElement().isInstanceOf(OnnxModelFileProvider.class);
    assertThatThrownBy(() -> Exporters.find("tflite"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("unknown export format 'tflite'; formats present: onnx (is holdout-engine-tflite on the class path?)");
  }

  @Test
  void anExportRequestWrittenAndRunThroughTheRegistriesMatchesTheBackend() throws Exception {
    ModelSpec spec = Models.iris();
    Weights w = Weights.initialize(spec, 42);
    float[] mean = {5.8f, 3.05f, 3.76f};
    float[] std = {0.83f, 0.43f, 1.76f};
    int n = 5;
    SplittableRandom r = new SplittableRandom(11);
    float[] raw = new float[n * 3];
    float[] z = new float[n * 3];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (float) (mean[i % 3] + 2 * std[i % 3] * (r.nextDouble() - 0.5));
      z[i] = (raw[i] - mean[i % 3]) / std[i % 3];
    }
    Batch standardised = Fixtures.batch("input", floats(z, n, 3), "species", longs(Fixtures.labels(r, n, 3), n),
        "petal_width", floats(Fixtures.normal(r, n, 1), n, 1));
    EvalResult expected = OnnxExportTest.eval(TestBackends.ONNX, spec, w, standardised);

    Exporter exporter = Exporters.find("onnx");
    Path file = dir.resolve("iris." + exporter.fileExtension());
    ModelFileInfo info = exporter.export(new ExportRequest(spec, w, ExportRequest.Input.FEATURES, mean, std, null,
        Map.of("config_hash", "abc")), file);
    assertThat(Files.size(file)).isPositive();
    assertThat(info.format()).isEqualTo("ONNX");
    assertThat(info.producer()).isEqualTo("holdout");
    assertThat(info.metadata()).containsEntry("config_hash", "abc");
    assertThat(info.inputs().get(Batch.INPUT)).containsExactly(-1, 3);
    assertThat(info.outputs()).containsOnlyKeys("species", "petal_width", "species" + Exporter.PROBABILITIES);
    info.checkFits(spec);

    try (ModelFile f = ModelFiles.open("onnx", file)) {
      assertThat(f.info().inputs().keySet()).containsExactly(Batch.INPUT);
      Map<String, Tensor> out = f.run(floats(raw, n, 3));
      close(out.get("species").toFloatArray(), expected.outputs().get("species").toFloatArray(), 1e-6, "species");
      close(out.get("petal_width").toFloatArray(), expected.outputs().get("petal_width").toFloatArray(), 1e-6,
          "petal_width");
    }
  }

  @Test
  void aFileThatIsNotAModelIsOneLineNamingIt() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
    assertThatThrownBy(() -> ModelFiles.open("onnx", junk))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith(junk + ": not a valid ONNX model")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
