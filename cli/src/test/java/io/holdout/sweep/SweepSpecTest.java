package io.holdout.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expanding sweep files: grid order, random picks with a seed, points, map values, derived keys, ids. */
class SweepSpecTest {
  @TempDir Path dir;

  SweepSpec load(String yaml, String... overrides) throws Exception {
    Path f = Files.writeString(dir.resolve("s.yaml"), yaml);
    return SweepSpec.load(f, List.of(overrides));
  }

  static final String BASE = "base: {name: x, loader: {batchSize: 32}, optimizer: {lr: 0.004}}\n";

  @Test
  void gridIsTheProductInOrderAndDerivedKeysFollowTheValues() throws Exception {
    SweepSpec s = load(BASE + "axes: {loader.batchSize: [8, 64], loader.numWorkers: [0, 2]}\n"
        + "derived: {optimizer.lr: base.optimizer.lr * loader.batchSize / 32}\n");
    assertThat(s.trials()).extracting(SweepSpec.Trial::id).containsExactly("batchSize-8_numWorkers-0",
        "batchSize-8_numWorkers-2", "batchSize-64_numWorkers-0", "batchSize-64_numWorkers-2");
    assertThat(SweepSpec.get(s.trials().get(0).config(), "optimizer.lr").asDouble()).isEqualTo(0.001);
    assertThat(SweepSpec.get(s.trials().get(2).config(), "optimizer.lr").asDouble()).isEqualTo(0.008);
    assertThat(SweepSpec.get(s.trials().get(2).config(), "loader.numWorkers").asInt()).isZero();
    assertThat(s.rankKey).isEqualTo("total");
    assertThat(s.maximise).isFalse();
  }

  @Test
  void randomPicksAreSeededDistinctAndWithinTheBudget() throws Exception {
    String yaml = BASE + "mode: random\nseed: 3\ntrials: 5\naxes: {loader.batchSize: [8, 16, 32, 64], "
        + "optimizer.lr: [0.1, 0.01, 0.001]}\n";
    List<String> a = load(yaml).trials().stream().map(SweepSpec.Trial::id).toList();
    List<String> b = load(yaml).trials().stream().map(SweepSpec.Trial::id).toList();
    assertThat(a).hasSize(5).doesNotHaveDuplicates().isEqualTo(b);
    assertThat(load(yaml, "seed=4").trials().stream().map(SweepSpec.Trial::id).toList()).isNotEqualTo(a);
    assertThat(load(yaml, "budget=2").trials()).hasSize(2);
  }

  @Test
  void pointsAndMapValuesSetSeveralKeysTogether() throws Exception {
    SweepSpec p = load(BASE + "points:\n  - {loader.batchSize: 8, optimizer.lr: 0.001}\n"
        + "  - {loader.batchSize: 128, optimizer.lr: 0.016}\n");
    assertThat(p.trials()).extracting(SweepSpec.Trial::id).containsExactly("batchSize-8_lr-0.001",
        "batchSize-128_lr-0.016");
    SweepSpec m = load(BASE + "axes:\n  scaled: [{loader.batchSize: 8, optimizer.lr: 0.001}, "
        + "{loader.batchSize: 16, optimizer.lr: 0.002}]\n  trainer.epochs: [1, 2]\n");
    assertThat(m.trials()).hasSize(4);
    assertThat(m.trials().get(3).values()).containsOnlyKeys("loader.batchSize", "optimizer.lr", "trainer.epochs");
    assertThat(SweepSpec.get(m.trials().get(3).config(), "optimizer.lr").asDouble()).isEqualTo(0.002);
  }

  @Test
  void overridesReachTheBaseAndMistakesNameTheKey() throws Exception {
    SweepSpec s = load(BASE + "axes: {loader.batchSize: [8]}\n", "base.trainer.epochs=1");
    assertThat(SweepSpec.get(s.trials().get(0).config(), "trainer.epochs").asInt()).isEqualTo(1);
    assertThatThrownBy(() -> load(BASE + "axes: {loader.batchSize: 8}\n")).isInstanceOf(HoldoutException.class)
        .hasMessageContaining("axis 'loader.batchSize'");
    assertThatThrownBy(() -> load(BASE + "axes: {loader.batchSize: [8]}\nderived: {optimizer.lr: 2 * (loader.x}\n"))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("derived.optimizer.lr");
    assertThatThrownBy(() -> load(BASE + "axes: {loader.batchSize: [8]}\nderived: {optimizer.lr: 2 * (3\n}"))
        .isInstanceOf(HoldoutException.class);
    assertThatThrownBy(() -> load(BASE + "axes: {loader.batchSize: [8]}\nderived: {optimizer.lr: '2 * (3'}\n"))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("missing ')'");
    assertThatThrownBy(() -> load(BASE + "axes: {a: [1]}\npoints: [{b: 1}]\n")).isInstanceOf(HoldoutException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> load(BASE + "mode: random\naxes: {a: [1]}\n")).isInstanceOf(HoldoutException.class)
        .hasMessageContaining("trials");
  }
}
