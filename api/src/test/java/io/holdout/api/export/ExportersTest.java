package io.holdout.api.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The api alone has no exporter or model-file runner on its class path: the errors name the module. */
class ExportersTest {
  @Test
  void withoutAnEngineNoFormatIsPresentAndTheErrorNamesTheArtifact() {
    assertThat(Exporters.discover()).isEmpty();
    assertThat(Exporters.formats()).isEmpty();
    assertThatThrownBy(() -> Exporters.find("onnx"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("unknown export format 'onnx'; formats present: none (is holdout-engine-onnx on the class path?)");
    assertThat(ModelFiles.discover()).isEmpty();
    assertThatThrownBy(() -> ModelFiles.open("onnx", Path.of("model.onnx")))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("unknown model-file format 'onnx'; formats present: none"
            + " (is holdout-engine-onnx on the class path?)");
  }

  @Test
  void anUnnamedFormatSaysSo() {
    assertThatThrownBy(() -> Exporters.find(""))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("no export format named; formats present: none");
  }
}
