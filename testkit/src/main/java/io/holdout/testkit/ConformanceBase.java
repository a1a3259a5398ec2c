package io.holdout.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import java.util.TreeSet;

/**
 * What every conformance test class needs: the backend under test (named by the subclass), its
 * capabilities, and assumptions that skip a test whose features the backend does not declare.
 */
public abstract class ConformanceBase {
  private Capabilities capabilities;

  /**
   * The backend under test. Return one shared instance (e.g. a static field): tests call this
   * often, and the backend's natives load once.
   */
  protected abstract Backend backend();

  /** The backend's capabilities (asked once per test instance). */
  protected final Capabilities caps() {
    if (capabilities == null) {
      capabilities = backend().capabilities();
    }
    return capabilities;
  }

  /** Opens a session on the backend under test. */
  protected final TrainingSession open(SessionSpec spec) {
    return backend().open(spec);
  }

  /** Skips the test unless the backend trains. */
  protected final void assumeTraining() {
    assumeTrue(caps().training(), () -> backend().name() + " does not train");
  }

  /** Skips the test unless the backend offers every layer of {@code model}. */
  protected final void assumeLayers(ModelSpec model) {
    for (String layer : new TreeSet<>(model.layerTypes())) {
      assumeTrue(caps().layers().contains(layer), () -> backend().name() + " has no layer '" + layer + "'");
    }
  }

  /** Skips the test unless the backend offers every loss type of {@code loss}. */
  protected final void assumeLosses(LossSpec loss) {
    for (String type : new TreeSet<>(loss.types())) {
      assumeTrue(caps().supportsLoss(type), () -> backend().name() + " has no loss '" + type + "'");
    }
  }

  /** Skips the test unless the backend trains with optimizer {@code type}. */
  protected final void assumeOptimizer(String type) {
    assumeTraining();
    assumeTrue(caps().optimizers().contains(type), () -> backend().name() + " has no optimizer '" + type + "'");
  }

  /** Skips the test unless the backend can open a session of {@code spec}. */
  protected final void assumeSupported(SessionSpec spec) {
    assumeLayers(spec.model());
    assumeLosses(spec.loss());
    if (spec.trains()) {
      assumeTraining();
      assumeTrue(caps().supportsOptimizer(spec.optimizer()),
          () -> backend().name() + " has no optimizer '" + spec.optimizer().type() + "'");
      assumeTrains(spec.model(), spec.loss());
    }
  }

  /** Skips the test unless the backend trains every layer of {@code model} with every loss of {@code loss}. */
  protected final void assumeTrains(ModelSpec model, LossSpec loss) {
    assumeTraining();
    for (String layer : new TreeSet<>(model.layerTypes())) {
      assumeTrue(caps().trainsLayer(layer), () -> backend().name() + " does not train layer '" + layer + "' yet");
    }
    for (String type : new TreeSet<>(loss.types())) {
      assumeTrue(caps().trainsLoss(type), () -> backend().name() + " does not train with loss '" + type + "' yet");
    }
  }
}
