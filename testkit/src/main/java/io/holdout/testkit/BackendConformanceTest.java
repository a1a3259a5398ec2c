package io.holdout.testkit;

import io.holdout.api.backend.Backend;
import org.junit.jupiter.api.Nested;

/**
 * The whole conformance suite for one backend: subclass it in the backend module's tests and name
 * the backend,
 *
 * <pre>{@code
 * class TensorFlowConformanceTest extends BackendConformanceTest {
 *   private static final Backend BACKEND = new TensorFlowBackend();
 *
 *   @Override
 *   protected Backend backend() {
 *     return BACKEND;
 *   }
 * }
 * }</pre>
 *
 * and JUnit runs every area below as a nested group. Each area is also an abstract class of its
 * own, for backends that want to run only some. Tests of features the backend's capabilities do
 * not declare are skipped; undeclared features must fail at open.
 */
public abstract class BackendConformanceTest {
  /** The backend under test; return one shared instance. */
  protected abstract Backend backend();

  /** Losses against the pure-Java reference. */
  @Nested
  class Losses extends LossConformanceTest {
    @Override
    protected Backend backend() {
      return BackendConformanceTest.this.backend();
    }
  }

  /** Layer outputs and gradients against the double-precision reference model. */
  @Nested
  class Layers extends LayerConformanceTest {
    @Override
    protected Backend backend() {
      return BackendConformanceTest.this.backend();
    }
  }

  /** Batch-norm statistics. */
  @Nested
  class BatchNorm extends BatchNormConformanceTest {
    @Override
    protected Backend backend() {
      return BackendConformanceTest.this.backend();
    }
  }

  /** Optimizer steps against {@code torch.optim}'s formulas. */
  @Nested
  class Optimizers extends OptimizerConformanceTest {
    @Override
    protected Backend backend() {
      return BackendConformanceTest.this.backend();
    }
  }

  /** Weights, evaluation, session life cycle, errors. */
  @Nested
  class Sessions extends SessionConformanceTest {
    @Override
    protected Backend backend() {
      return BackendConformanceTest.this.backend();
    }
  }

  /** float64 sessions where declared, refused at open where not. */
  @Nested
  class Float64 extends Float64ConformanceTest {
    @Override
    protected Backend backend() {
      return BackendConformanceTest.this.backend();
    }
  }

  /** Declared and undeclared features. */
  @Nested
  class CapabilityChecks extends CapabilityConformanceTest {
    @Override
    protected Backend backend() {
      return BackendConformanceTest.this.backend();
    }
  }
}
