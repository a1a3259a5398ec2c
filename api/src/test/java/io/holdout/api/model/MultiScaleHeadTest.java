package io.holdout.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.model.LayerSpec.BatchNorm;
import io.holdout.api.model.LayerSpec.Conv2d;
import io.holdout.api.model.LayerSpec.Dense;
import io.holdout.api.model.LayerSpec.Flatten;
import io.holdout.api.model.LayerSpec.MaxPool;
import io.holdout.api.model.LayerSpec.Relu;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultiScaleHeadTest {
  /** 3x16x16 -> conv 8x16x16 (0) -> relu (1) -> pool 8x8x8 (2) -> conv s2 4x4x4 (3) -> relu (4). */
  static ModelSpec ssd() {
    return new ModelSpec(
        new long[] {3, 16, 16},
        List.of(new Conv2d(8, 3, 1, 1), new Relu(), new MaxPool(2, 2), new Conv2d(4, 3, 2, 1), new Relu()),
        List.of(
            HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(2, 4), 3),
            HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 5, List.of(2, 4), 3)));
  }

  @Test
  void parametersAreOneConvolutionPerTap() {
    List<ParamInfo> p = ssd().parameters();
    assertThat(p).extracting(ParamInfo::name).containsExactly(
        "trunk.0.weight", "trunk.0.bias", "trunk.3.weight", "trunk.3.bias",
        "heads.loc.0.weight", "heads.loc.0.bias", "heads.loc.1.weight", "heads.loc.1.bias",
        "heads.conf.0.weight", "heads.conf.0.bias", "heads.conf.1.weight", "heads.conf.1.bias");
    assertThat(p.get(4).shape()).containsExactly(12, 8, 3, 3);
    assertThat(p.get(4).fanIn()).isEqualTo(72);
    assertThat(p.get(5).shape()).containsExactly(12);
    assertThat(p.get(6).shape()).containsExactly(12, 4, 3, 3);
    assertThat(p.get(10).shape()).containsExactly(15, 4, 3, 3);
  }

  @Test
  void outputShapeCountsAnchorsOverTaps() {
    ModelSpec m = ssd();
    // 8x8 and 4x4 maps, 3 anchors each: (64 + 16) * 3 = 240
    assertThat(m.outputShape("loc")).containsExactly(240, 4);
    assertThat(m.outputShape("conf")).containsExactly(240, 5);
    assertThat(m.tapShapes("loc")).satisfiesExactly(
        s -> assertThat(s).containsExactly(8, 8, 8), s -> assertThat(s).containsExactly(4, 4, 4));
    assertThat(m.trunkShapes()).hasSize(5);
  }

  @Test
  void layerTypesNameTheHeadsLoweredNodes() {
    assertThat(ssd().layerTypes()).containsExactlyInAnyOrder("conv2d", "relu", "maxpool", "anchors", "concat");
    assertThat(ssd().graph().stream().map(Node::name).filter(n -> n.startsWith("heads.loc"))).containsExactly(
        "heads.loc.0", "heads.loc.0.anchors", "heads.loc.1", "heads.loc.1.anchors", "heads.loc.concat");
  }

  @Test
  void usualHeadsAreUnchanged() {
    HeadSpec h = new HeadSpec("y", HeadKind.CLASSIFICATION, List.of(new Dense(4), new Relu(), new Dense(3)));
    assertThat(h.taps()).isEmpty();
    assertThat(h.anchorsPerLocation()).isEqualTo(1);
    assertThat(h.isMultiScale()).isFalse();
    ModelSpec m = new ModelSpec(new long[] {2}, List.of(), List.of(h));
    assertThat(m.outputShape("y")).containsExactly(3);
    assertThat(m.layerTypes()).doesNotContain("anchors");
  }

  @Test
  void tapsMustBeImageShapedTrunkOutputs() {
    List<LayerSpec> trunk = List.of(new Conv2d(4, 3, 1, 1), new BatchNorm(), new Flatten());
    assertThatThrownBy(() -> new ModelSpec(new long[] {1, 4, 4}, trunk,
        List.of(HeadSpec.multiScale("b", HeadKind.REGRESSION, 4, List.of(2), 1))))
        .hasMessageContaining("head 'b'").hasMessageContaining("not an image");
    assertThatThrownBy(() -> new ModelSpec(new long[] {1, 4, 4}, trunk,
        List.of(HeadSpec.multiScale("b", HeadKind.REGRESSION, 4, List.of(3), 1))))
        .hasMessageContaining("taps trunk layer 3").hasMessageContaining("0 to 2");
    assertThatThrownBy(() -> HeadSpec.multiScale("b", HeadKind.REGRESSION, 4, List.of(1, 1), 1))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> HeadSpec.multiScale("b", HeadKind.REGRESSION, 4, List.of(1), 0))
        .hasMessageContaining("anchorsPerLocation");
    assertThatThrownBy(() -> new HeadSpec("b", HeadKind.REGRESSION, List.of(new Dense(2)), List.of(), 2))
        .hasMessageContaining("must be 1");
    assertThatThrownBy(() -> new HeadSpec("b", HeadKind.REGRESSION, List.of(new Relu(), new Dense(2)), List.of(0), 2))
        .hasMessageContaining("exactly one dense layer");
  }

  @Test
  void initialWeightsCoverTheHead() {
    Weights w = Weights.initialize(ssd(), 3);
    w.checkFits(ssd(), "test");
    double bound = 1 / Math.sqrt(72);
    for (float v : w.get("heads.loc.0.weight").toFloatArray()) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
    }
  }
}
