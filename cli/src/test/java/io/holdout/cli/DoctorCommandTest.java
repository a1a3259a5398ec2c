package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.testbackend.PerturbedBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdout doctor} and the self-check of {@code holdout train}: real engines pass here, and a
 * deliberately perturbed backend (PyTorch with one head's gradient scaled, {@link PerturbedBackend})
 * is caught by both, with one line and exit code 2, before anything is written.
 */
class DoctorCommandTest {
  @TempDir Path dir;

  @Test
  void realBackendsPassAndTheMachineIsDescribed() {
    CliFixture.Result r = CliFixture.run("doctor", "--backend", "pytorch", "--backend", "java-reference");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^cpu      .+, \\d+ cores available$")
        .containsPattern("(?m)^isa      .+$").containsPattern("(?m)^caches   .+$").containsPattern("(?m)^kernels  .+$")
        .contains("torch 2.7.1")
        .contains("layers: multi-scale heads over two taps [4x2x6x6] gradient")
        .contains("losses: multibox_conf");
    // every check of the catalogue, at both sizes, is on its own line with its verdict
    long lines = r.out().lines().filter(l -> l.startsWith("  layers: ") || l.startsWith("  losses: ")).count();
    assertThat(lines).isGreaterThan(200);
    assertThat(r.out()).doesNotContain(" OFF ").doesNotContain(" ERROR ");
    assertThat(r.out()).containsPattern("(?m)^pytorch: \\d+ checks ok \\(");
    // the pure-Java backend has no convolutions: those checks are unsupported, not failed
    assertThat(r.out()).containsPattern("(?m)^java-reference: \\d+ checks ok, \\d+ unsupported");
  }

  @Test
  void aWrongGradientFailsTheDoctor() {
    CliFixture.Result r = CliFixture.run("doctor", "--backend", PerturbedBackend.NAME, "--failures");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("holdout: error: backend perturbed computed wrong numbers on this machine")
        .contains("multi-scale heads").contains("gradient of heads.loc.1.weight");
    // forward passes and losses are right; only the multi-scale gradient checks are off
    assertThat(r.out()).contains("gradient  ").doesNotContain("forward   ").doesNotContain("losses: ");
    assertThat(r.out()).containsPattern("(?m)^perturbed: 4 of \\d+ checks failed");
  }

  @Test
  void trainRefusesAWrongGradientBeforeWritingAnything() throws Exception {
    Path config = DetectionCommandTest.config(dir, DetectionCommandTest.SHAPES, PerturbedBackend.NAME, 1);
    CliFixture.Result r = CliFixture.run("train", config.toString());
    assertThat(r.code()).as(r.out()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).startsWith("holdout: error: " + config + ": backend 'perturbed' computes wrong numbers on "
        + "this machine").contains("gradient of heads.").contains("engine.selfCheck: false");
    assertThat(Files.exists(dir.resolve("runs"))).as("no run folder").isFalse();
  }

  @Test
  void theSelfCheckIsReportedAndCanBeTurnedOff() throws Exception {
    Path csv = CliFixture.IRIS;
    Path config = CliFixture.irisConfig(dir, csv, "pytorch", 1);
    CliFixture.Result on = CliFixture.run("train", config.toString());
    assertThat(on.code()).as(on.err()).isZero();
    assertThat(on.out()).containsPattern("(?m)^checked pytorch on this CPU: \\d+ checks of the model's layers and "
        + "losses ok \\(");
    Path ssd = DetectionCommandTest.config(dir, DetectionCommandTest.SHAPES, PerturbedBackend.NAME, 1);
    CliFixture.Result off = CliFixture.run("train", ssd.toString(), "--set", "engine.selfCheck=false",
        "--set", "trainer.epochs=1");
    assertThat(off.code()).as(off.err()).isZero();
    assertThat(off.out()).doesNotContain("checked ").contains("run folder: ");
  }
}
