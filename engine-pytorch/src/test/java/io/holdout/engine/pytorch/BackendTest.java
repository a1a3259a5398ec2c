package io.holdout.engine.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.holdout.api.model.LayerCatalog;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Backends;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.losses.LossCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Discovery, Guice wiring, versions and declared capabilities. */
class BackendTest {

  @Test
  void discoveredThroughTheServiceLoader() {
    BackendProvider p = Backends.find("pytorch");
    assertThat(p).isInstanceOf(PyTorchBackendProvider.class);
    assertThat(p.artifact()).isEqualTo("holdout-engine-pytorch");
    assertThat(p.module()).isInstanceOf(PyTorchModule.class);
  }

  @Test
  void guiceBindsOneBackendWithoutLoadingNatives() {
    Injector injector =
        Guice.createInjector(
            new AbstractModule() {
              @Override
              protected void configure() {
                binder().requireExplicitBindings();
                binder().disableCircularProxies();
                install(Backends.find("pytorch").module());
              }
            });
    Backend b = injector.getInstance(Backend.class);
    assertThat(b).isInstanceOf(PyTorchBackend.class).isSameAs(injector.getInstance(Backend.class));
    assertThat(b.name()).isEqualTo("pytorch");
    Capabilities c = b.capabilities();
    assertThat(c.gpu()).isFalse();
    // wiring, the name and the capabilities of the CPU build never touch the native libraries
    assertThat(((PyTorchBackend) b).nativesLoaded()).isFalse();
  }

  @Test
  void versionsNameModuleTorchAndDjl() {
    PyTorchBackend b = new PyTorchBackend();
    Map<String, String> v = b.versions();
    assertThat(b.nativesLoaded()).isTrue();
    assertThat(v)
        .containsEntry("torch", "2.7.1")
        .containsEntry("djl", "0.36.0")
        .containsEntry("natives", "cpu linux-x86_64")
        .containsKey("holdout-engine-pytorch");
    assertThat(v.get("holdout-engine-pytorch")).doesNotContain("${").isNotEqualTo("unknown");
  }

  @Test
  void capabilitiesCoverTheWholeCatalogue() {
    Capabilities c = new PyTorchBackend().capabilities();
    assertThat(c.training()).isTrue();
    assertThat(c.layers()).containsExactlyInAnyOrderElementsOf(LayerCatalog.types());
    assertThat(c.losses()).containsExactlyInAnyOrderElementsOf(LossCatalog.types().keySet());
    assertThat(c.optimizers()).containsExactlyInAnyOrderElementsOf(OptimizerSpec.TYPES);
  }
}
