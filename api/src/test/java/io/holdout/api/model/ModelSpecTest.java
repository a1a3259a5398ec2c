package io.holdout.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.model.LayerSpec.BatchNorm;
import io.holdout.api.model.LayerSpec.Conv2d;
import io.holdout.api.model.LayerSpec.Dense;
import io.holdout.api.model.LayerSpec.Flatten;
import io.holdout.api.model.LayerSpec.MaxPool;
import io.holdout.api.model.LayerSpec.Relu;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
  static ModelSpec mlp() {
    return new ModelSpec(new long[] {3}, List.of(new Dense(8), new Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3), HeadSpec.dense("width", HeadKind.REGRESSION, 1)));
  }

  @Test
  void parameterNamesAndShapes() {
    assertThat(mlp().parameters()).extracting(ParamInfo::name).containsExactly(
        "trunk.0.weight", "trunk.0.bias", "heads.species.0.weight", "heads.species.0.bias",
        "heads.width.0.weight", "heads.width.0.bias");
    assertThat(mlp().parameters().get(2).shape()).containsExactly(3, 8);
  }

  @Test
  void convolutionShapesByHand() {
    // 3x16x16 -> conv(8,k3,s1,p1) 8x16x16 -> pool(2) 8x8x8 -> conv(4,k3,s2,p0) 4x3x3 -> flatten 36
    ModelSpec m = new ModelSpec(new long[] {3, 16, 16},
        List.of(new Conv2d(8, 3, 1, 1), new BatchNorm(), new Relu(), new MaxPool(2, 2), new Conv2d(4, 3, 2, 0), new Flatten()),
        List.of(HeadSpec.dense("y", HeadKind.CLASSIFICATION, 2)));
    assertThat(m.trunkOutputShape()).containsExactly(36);
    assertThat(m.parameters().get(0).shape()).containsExactly(8, 3, 3, 3);
    assertThat(m.parameters().get(0).fanIn()).isEqualTo(27);
    assertThat(m.parameters()).extracting(ParamInfo::name).contains("trunk.1.running_var", "trunk.4.weight");
  }

  @Test
  void denseOnImageNeedsFlatten() {
    assertThatThrownBy(() -> new ModelSpec(new long[] {1, 4, 4}, List.of(new Dense(2)),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 1))))
        .hasMessageContaining("add a 'flatten' layer");
  }

  @Test
  void initialisationIsSeededBoundedAndPerName() {
    Weights a = Weights.initialize(mlp(), 7);
    Weights b = Weights.initialize(mlp(), 7);
    Weights c = Weights.initialize(mlp(), 8);
    assertThat(a.maxAbsDiff(b)).isZero();
    assertThat(a.maxAbsDiff(c)).isPositive();
    double bound = 1 / Math.sqrt(3);
    for (float v : a.get("trunk.0.weight").toFloatArray()) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
    }
    // a layer's values do not depend on other layers
    ModelSpec other = new ModelSpec(new long[] {3}, List.of(new Dense(8), new Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3)));
    assertThat(Weights.initialize(other, 7).get("trunk.0.weight").toFloatArray())
        .containsExactly(a.get("trunk.0.weight").toFloatArray());
  }

  @Test
  void checkFitsNamesTheMismatch() {
    Weights w = Weights.initialize(mlp(), 1);
    ModelSpec wider = new ModelSpec(new long[] {3}, List.of(new Dense(9), new Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3), HeadSpec.dense("width", HeadKind.REGRESSION, 1)));
    assertThatThrownBy(() -> w.checkFits(wider, "ckpt.safetensors"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("ckpt.safetensors: weight 'trunk.0.weight' has shape [8, 3] but the model expects [9, 3]");
  }
}
