package io.holdout.engine.tensorflow;

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
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.losses.LossCatalog;
import io.holdout.checks.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** Discovery, Guice wiring without native loading, versions, capabilities and thread pools. */
class TensorFlowBackendTest {

  @Test
  void discoveredThroughTheServiceLoader() {
    BackendProvider p = Backends.find("tensorflow");
    assertThat(p).isInstanceOf(TensorFlowBackendProvider.class);
    assertThat(p.artifact()).isEqualTo("holdout-engine-tensorflow");
    assertThat(p.module()).isInstanceOf(TensorFlowModule.class);
    assertThat(Backends.discover()).extracting(BackendProvider::name).contains("pytorch", "tensorflow");
  }

  @Test
  void guiceBindsOneBackendEagerlyWithoutLoadingNatives() {
    Injector injector = Guice.createInjector(Stage.PRODUCTION, new AbstractModule() {
      @Override
      protected void configure() {
        binder().requireExplicitBindings();
        binder().disableCircularProxies();
        install(Backends.find("tensorflow").module());
      }
    });
    Backend b = injector.getInstance(Backend.class);
    assertThat(b).isInstanceOf(TensorFlowBackend.class).isSameAs(injector.getInstance(Backend.class));
    assertThat(b.name()).isEqualTo("tensorflow");
    assertThat(b.capabilities().training()).isTrue();
    // wiring, the name and the capabilities never touch the native libraries
    assertThat(((TensorFlowBackend) b).nativesLoaded()).isFalse();
  }

  @Test
  void versionsNameModuleTensorFlowAndNatives() {
    TensorFlowBackend b = new TensorFlowBackend();
    Map<String, String> v = b.versions();
    assertThat(b.nativesLoaded()).isTrue();
    assertThat(v)
        .containsEntry("tensorflow-java", "1.1.0")
        .containsEntry("natives", "cpu linux-x86_64")
        .containsKeys("holdout-engine-tensorflow", "tensorflow");
    assertThat(v.get("tensorflow")).matches("2\\.\\d+\\.\\d+.*");
    assertThat(v.get("holdout-engine-tensorflow")).doesNotContain("${").isNotEqualTo("unknown");
  }

  @Test
  void capabilitiesCoverTheWholeCatalogueOnTheCpu() {
    Capabilities c = new TensorFlowBackend().capabilities();
    assertThat(c.training()).isTrue();
    assertThat(c.gpu()).isFalse();
    assertThat(c.layers()).containsExactlyInAnyOrderElementsOf(LayerCatalog.types());
    assertThat(c.losses()).containsExactlyInAnyOrderElementsOf(LossCatalog.types().keySet());
    assertThat(c.optimizers()).containsExactlyInAnyOrderElementsOf(OptimizerSpec.TYPES);
    assertThat(c.alternatives()).containsKey("gpu");
  }

  @Test
  void gpuIsRefusedAtOpenNamingTheAlternative() {
    ModelSpec spec = new ModelSpec(new long[] {3}, List.of(new LayerSpec.Relu()),
        List.of(HeadSpec.dense("y", io.holdout.api.model.HeadKind.REGRESSION, 1)));
    SessionSpec s = new SessionSpec(spec, Weights.initialize(spec, 1),
        Fixtures.lossSpec(Fixtures.loss("l", "mse", "y", "t")), null, Device.GPU, 1, 0, 0);
    assertThatThrownBy(() -> TestBackends.TENSORFLOW.open(s))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("backend 'tensorflow'")
        .hasMessageContaining("GPU")
        .hasMessageContaining("device: cpu");
  }

  @Test
  void threadCountsGoToTheSessionConfig() {
    ConfigProto c = TfRuntime.config(3, 2);
    assertThat(c.getIntraOpParallelismThreads()).isEqualTo(3);
    assertThat(c.getInterOpParallelismThreads()).isEqualTo(2);
    assertThat(c.getDeviceCountMap()).containsEntry("GPU", 0);
    assertThatThrownBy(() -> TfRuntime.config(-1, 0)).isInstanceOf(IllegalArgumentException.class);

    ModelSpec spec = new ModelSpec(new long[] {3}, List.of(),
        List.of(HeadSpec.dense("y", io.holdout.api.model.HeadKind.REGRESSION, 1)));
    SessionSpec s = new SessionSpec(spec, Weights.initialize(spec, 1),
        Fixtures.lossSpec(Fixtures.loss("l", "mse", "y", "t")), null, Device.AUTO, 1, 2, 1);
    try (TensorFlowSession session = (TensorFlowSession) TestBackends.TENSORFLOW.open(s)) {
      assertThat(session.intraOpThreads()).isEqualTo(2);
      assertThat(session.interOpThreads()).isEqualTo(1);
      assertThat(session.device()).isEqualTo("cpu()");
    }
  }

  @Test
  void classificationLossesOnMultiScaleHeadsFailAtOpen() {
    ModelSpec spec = new ModelSpec(new long[] {1, 4, 4}, List.of(new LayerSpec.Conv2d(2, 3, 1, 1)),
        List.of(HeadSpec.multiScale("conf", io.holdout.api.model.HeadKind.CLASSIFICATION, 3, List.of(0), 1)));
    SessionSpec s = Fixtures.spec(spec, Weights.initialize(spec, 1),
        Fixtures.lossSpec(Fixtures.loss("cls", "cross_entropy", "conf", "y")), null);
    assertThatThrownBy(() -> TestBackends.TENSORFLOW.open(s))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("loss 'cls'")
        .hasMessageContaining("[batch, classes]");
  }

  @Test
  void namesFromConfigNeedNotBeValidGraphNames() {
    ModelSpec spec = new ModelSpec(new long[] {2, 4, 4},
        List.of(new LayerSpec.Conv2d(2, 3, 1, 1), new LayerSpec.Dropout(0.5), new LayerSpec.Flatten()),
        List.of(new HeadSpec("_my head (1)", io.holdout.api.model.HeadKind.REGRESSION,
            List.of(new LayerSpec.Dropout(0.1), new LayerSpec.Dense(2)))));
    var loss = Fixtures.lossSpec(Fixtures.loss("loss: a/b", "mse", "_my head (1)", "t y/z"));
    SessionSpec s = Fixtures.spec(spec, Weights.initialize(spec, 1), loss, OptimizerSpec.sgd(0.1, 0.9));
    var b = Fixtures.batch("input", Fixtures.floats(new float[2 * 32], 2, 2, 4, 4), "t y/z",
        Fixtures.floats(new float[] {1, 2, 3, 4}, 2, 2));
    try (var session = TestBackends.TENSORFLOW.open(s)) {
      assertThat(session.trainStep(b).raw()).containsKey("loss: a/b");
      assertThat(session.evalStep(b).outputs()).containsKey("_my head (1)");
    }
  }

  @Test
  void batchNormTrainsAlikeInFloat64AndInTheFloat32Path() {
    ModelSpec spec = new ModelSpec(new long[] {2, 6, 6},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(), new LayerSpec.Flatten(),
            new LayerSpec.Dense(5), new LayerSpec.BatchNorm()),
        List.of(HeadSpec.dense("y", io.holdout.api.model.HeadKind.REGRESSION, 2)));
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    io.holdout.api.tensor.Batch b = Fixtures.batch("input", Fixtures.floats(Fixtures.normal(r, 6 * 72, 1), 6, 2, 6, 6),
        "t_y", Fixtures.floats(Fixtures.normal(r, 12, 1), 6, 2));
    Weights w = Weights.initialize(spec, 3);
    double[][] losses = new double[2][];
    Weights[] after = new Weights[2];
    for (int k = 0; k < 2; k++) {
      if (k == 1) {
        System.setProperty("holdout.tensorflow.batchNorm", "float32");
      }
      try (var s = TestBackends.TENSORFLOW.open(Fixtures.spec(spec, w, Fixtures.mseOnEveryHead(spec), Fixtures.sgd(0.1)))) {
        losses[k] = new double[5];
        for (int i = 0; i < 5; i++) {
          losses[k][i] = s.trainStep(b).total();
        }
        after[k] = s.weights();
      } finally {
        System.clearProperty("holdout.tensorflow.batchNorm");
      }
    }
    for (int i = 0; i < 5; i++) {
      assertThat(losses[1][i]).as("step %d", i).isCloseTo(losses[0][i], org.assertj.core.data.Percentage.withPercentage(1e-3));
    }
    assertThat(after[1].maxAbsDiff(after[0])).isLessThan(1e-5).isGreaterThan(0); // two paths, same training
  }

  @Test
  void theProfileSwitchWritesEachOperationTypesTime(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    ModelSpec spec = new ModelSpec(new long[] {2, 6, 6},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(), new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("y", io.holdout.api.model.HeadKind.REGRESSION, 2)));
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    io.holdout.api.tensor.Batch b = Fixtures.batch("input", Fixtures.floats(Fixtures.normal(r, 4 * 72, 1), 4, 2, 6, 6),
        "t_y", Fixtures.floats(Fixtures.normal(r, 8, 1), 4, 2));
    java.nio.file.Path file = dir.resolve("profile.txt");
    System.setProperty(StepProfile.PROPERTY, file.toString());
    try (var s = TestBackends.TENSORFLOW.open(Fixtures.spec(spec, Weights.initialize(spec, 1),
        Fixtures.mseOnEveryHead(spec), Fixtures.sgd(0.1)))) {
      s.trainStep(b);
      s.trainStep(b);
      s.evalStep(b); // evaluation runs untraced
    } finally {
      System.clearProperty(StepProfile.PROPERTY);
    }
    List<String> lines = java.nio.file.Files.readAllLines(file);
    assertThat(lines.get(0)).startsWith("# 2 traced training steps");
    // the convolution's forward pass (plain or fused with its bias) ran once per traced step
    assertThat(lines).anyMatch(l -> l.matches(".*Conv2D\\s+\\d+\\.\\d\\s+2\\s+\\d+\\.\\d%"));
    int nodes = lines.indexOf(lines.stream().filter(l -> l.startsWith("# the ")).findFirst().orElseThrow());
    List<String> types = lines.subList(1, nodes);
    double share = types.stream().mapToDouble(l -> Double.parseDouble(l.replaceAll(".*\\s(\\S+)%$", "$1"))).sum();
    // shares printed to 0.1%: each line rounds by at most 0.05
    assertThat(share).isCloseTo(100, org.assertj.core.data.Offset.offset(0.05 * types.size() + 1e-9));
    assertThat(lines.subList(nodes + 1, lines.size())).isNotEmpty().allMatch(l -> l.contains(" ("));
  }
}
