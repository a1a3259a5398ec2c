package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import io.holdout.api.model.LayerCatalog;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Backends;
import io.holdout.api.backend.Capabilities;
import java.util.List;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.losses.LossCatalog;
import io.holdout.checks.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Discovery, Guice wiring, versions, capabilities, refusing to train, and thread counts. */
class OnnxBackendTest {

  @Test
  void discoveredThroughTheServiceLoader() {
    BackendProvider p = Backends.find("onnx");
    assertThat(p).isInstanceOf(OnnxBackendProvider.class);
    assertThat(p.artifact()).isEqualTo("holdout-engine-onnx");
    assertThat(p.module()).isInstanceOf(OnnxModule.class);
    assertThat(Backends.discover()).extracting(BackendProvider::name).contains("onnx", "pytorch", "tensorflow");
  }

  @Test
  void guiceBindsOneBackendEagerly() {
    Injector injector = Guice.createInjector(Stage.PRODUCTION, new AbstractModule() {
      @Override
      protected void configure() {
        binder().requireExplicitBindings();
        binder().disableCircularProxies();
        install(Backends.find("onnx").module());
      }
    });
    Backend b = injector.getInstance(Backend.class);
    assertThat(b).isInstanceOf(OnnxBackend.class).isSameAs(injector.getInstance(Backend.class));
    assertThat(b.name()).isEqualTo("onnx");
  }

  @Test
  void versionsNameModuleRuntimeAndOpset() {
    Map<String, String> v = new OnnxBackend().versions();
    assertThat(OnnxBackend.nativesLoaded()).isTrue();
    assertThat(v)
        .containsEntry("onnxruntime", "1.24.1")
        .containsEntry("onnx-opset", "18")
        .containsEntry("onnx-ir", "8")
        .containsKeys("holdout-engine-onnx", "natives");
    assertThat(v.get("holdout-engine-onnx")).doesNotContain("${").isNotEqualTo("unknown");
    assertThat(v.get("natives")).contains("cpu").contains("1.24.1");
  }

  @Test
  void capabilitiesEvaluateAndTrainTheWholeCatalogue() {
    Capabilities c = new OnnxBackend().capabilities();
    assertThat(c.training()).isTrue();
    assertThat(c.gpu()).isFalse();
    assertThat(c.layers()).containsExactlyInAnyOrderElementsOf(LayerCatalog.types());
    assertThat(c.losses()).containsExactlyInAnyOrderElementsOf(LossCatalog.types().keySet());
    assertThat(c.optimizers()).containsExactlyInAnyOrder("sgd", "adam", "adamw");
    assertThat(c.trainingLayers()).containsExactlyInAnyOrderElementsOf(LayerCatalog.types());
    assertThat(c.trainingLosses()).containsAll(LossCatalog.types().keySet()).contains(Capabilities.PLUGIN_LOSSES);
    assertThat(c.alternatives().get("train:*")).contains("pytorch or tensorflow").contains("export with onnx");
  }

  @Test
  void gpuDevicesAreRefusedAndAutoRunsOnTheCpu() {
    ModelSpec spec = Models.iris();
    SessionSpec gpu = new SessionSpec(spec, Weights.initialize(spec, 1), Models.irisLoss(), null, Device.GPU, 1, 0, 0);
    assertThatThrownBy(() -> TestBackends.ONNX.open(gpu))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("GPU")
        .hasMessageContaining("device: cpu or auto");
    SessionSpec auto = new SessionSpec(spec, Weights.initialize(spec, 1), Models.irisLoss(), null, Device.AUTO, 1, 0, 0);
    try (TrainingSession s = TestBackends.ONNX.open(auto)) {
      assertThat(s.device()).isEqualTo("cpu()");
      assertThat(s.evalStep(Models.irisBatch(4, 1)).loss().raw()).hasSize(5);
    }
  }

  @Test
  void threadCountsComeFromTheSpec() {
    ModelSpec spec = Models.iris();
    SessionSpec s = new SessionSpec(spec, Weights.initialize(spec, 1), Models.irisLoss(), null, Device.CPU, 1, 2, 1);
    try (OnnxSession session = (OnnxSession) TestBackends.ONNX.open(s)) {
      assertThat(session.intraOpThreads()).isEqualTo(2);
      assertThat(session.interOpThreads()).isEqualTo(1);
      assertThat(session.evalStep(Models.irisBatch(4, 1)).outputs()).containsKeys("species", "petal_width");
    }
    SessionSpec negative = new SessionSpec(spec, Weights.initialize(spec, 1), Models.irisLoss(), null, Device.CPU, 1, -1, 0);
    assertThatThrownBy(() -> TestBackends.ONNX.open(negative)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("thread counts");
  }
}
