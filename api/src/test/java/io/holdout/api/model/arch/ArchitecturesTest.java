package io.holdout.api.model.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ArchitecturesTest {

  /**
   * Trainable parameters at width 1.0 with a 1000-class classifier, as published: torchvision's
   * mobilenet_v2 (3,504,872), mobilenet_v3_small (2,542,856), resnet18 (11,689,512) and vgg16
   * (138,357,544) model summaries; Keras' MobileNet (alpha 1.0, include_top) trainable count
   * (4,231,976).
   */
  @ParameterizedTest
  @CsvSource({
    "mobilenet_v1, 4231976",
    "mobilenet_v2, 3504872",
    "mobilenet_v3_small, 2542856",
    "resnet18, 11689512",
    "vgg16, 138357544"
  })
  void parameterCountsMatchThePublishedArchitectures(String name, long published) {
    assertThat(Architectures.trainableParameters(Architectures.imagenet(name, 1.0))).isEqualTo(published);
  }

  @Test
  void mobileNetV2HasTheImageNetShapes() {
    ModelSpec m = Architectures.imagenet("mobilenet_v2", 1.0);
    assertThat(m.shape("stem.act")).containsExactly(32, 112, 112);
    assertThat(m.shape("block14.expand.act")).containsExactly(576, 14, 14);
    assertThat(m.shape("last.act")).containsExactly(1280, 7, 7);
    assertThat(m.outputShape("label")).containsExactly(1000);
    // residual adds where stride is 1 and channels agree: blocks 3, 5, 6, 8-10, 12, 13, 15, 16
    assertThat(m.graph().stream().filter(n -> n.op() instanceof LayerSpec.Add).count()).isEqualTo(10);
  }

  @Test
  void widthMultiplierRoundsChannelsToMultiplesOfEight() {
    ModelSpec half = Architectures.classifier(Architectures.backbone("mobilenet_v2", 0.5, new long[] {3, 96, 96}),
        new long[] {3, 96, 96}, "label", java.util.List.of(new LayerSpec.Dense(4)));
    assertThat(half.shape("stem.act")).containsExactly(16, 48, 48);
    assertThat(half.shape("block2.project.bn")[0]).isEqualTo(16); // 24 * 0.5 = 12 -> 16
    assertThat(half.shape("last.act")[0]).isEqualTo(1280); // the last width never shrinks below 1.0
  }

  @Test
  void ssdLiteExtrasStopAtTheSmallestMap() {
    Architectures.Backbone b = Architectures.backbone("mobilenet_v2_ssdlite", 1.0, new long[] {3, 300, 300});
    ModelSpec m = Architectures.ssdLite(b, new long[] {3, 300, 300}, 20, 6);
    assertThat(b.taps()).containsExactly("block14.expand.act", "last.act", "extra1.project.bn",
        "extra2.project.bn", "extra3.project.bn", "extra4.project.bn");
    assertThat(m.tapShapes("loc").stream().map(s -> s[1] + "x" + s[2])).containsExactly(
        "19x19", "10x10", "5x5", "3x3", "2x2", "1x1");
    // (361 + 100 + 25 + 9 + 4 + 1) cells x 6 anchors
    assertThat(m.outputShape("conf")).containsExactly(3000, 21);
  }

  @Test
  void everyBackboneBuildsAtASmallInput() {
    for (String name : Architectures.NAMES) {
      Architectures.Backbone b = Architectures.backbone(name, 0.25, new long[] {3, 64, 64});
      assertThat(b.taps()).as(name).isNotEmpty();
      assertThat(b.nodes().stream().map(Node::name)).as(name).doesNotHaveDuplicates();
    }
    assertThatThrownBy(() -> Architectures.backbone("lenet", 1, new long[] {3, 8, 8}))
        .hasMessageContaining("unknown architecture 'lenet'").hasMessageContaining("mobilenet_v2");
  }
}
