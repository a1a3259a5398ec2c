package io.holdout.api.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {
  private static final ModelSpec MODEL =
      new ModelSpec(new long[] {4}, List.of(), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 2)));
  private static final LossSpec LOSS =
      new LossSpec(List.of(new LossComponentSpec("mse", "mse", 1.0, "y", "t", Map.of())));

  private static SessionSpec spec(Precision p) {
    return new SessionSpec(MODEL, Weights.initialize(MODEL, 1), LOSS, null, Device.CPU, 1, 1, 1, p);
  }

  @Test
  void aBackendComputesInFloat32UnlessItDeclaresMore() {
    Capabilities f32 = new Capabilities(true, false, Set.of("dense"), Set.of("mse"), Set.of("sgd"), Map.of(),
        Set.of("dense"), Set.of("mse"));
    assertThat(f32.precisions()).containsExactly(Precision.FLOAT32);
    f32.check("x", spec(Precision.FLOAT32));
    assertThatThrownBy(() -> f32.check("x", spec(Precision.FLOAT64))).isInstanceOf(HoldoutException.class)
        .hasMessage("backend 'x' does not support engine.precision float64: use a backend that supports it"
            + " (see `holdout backends`)");
    Capabilities both = f32.withPrecisions(Set.of(Precision.FLOAT32, Precision.FLOAT64));
    both.check("x", spec(Precision.FLOAT64));
    assertThat(both.layers()).isEqualTo(f32.layers());
  }

  @Test
  void precisionsParseFromTheirConfigSpelling() {
    assertThat(Precision.parse("float64")).isEqualTo(Precision.FLOAT64);
    assertThat(Precision.parse("float32")).isEqualTo(Precision.FLOAT32);
    assertThat(Precision.parse("double")).isNull();
    assertThat(Precision.FLOAT64.key()).isEqualTo("float64");
  }
}
