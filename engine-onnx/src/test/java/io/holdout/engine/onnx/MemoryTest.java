package io.holdout.engine.onnx;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.checks.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * No native memory growth over evaluation steps, weight reloads and model files opened and closed.
 * The model is chosen so that anything left open would show far above the allocator's noise: an
 * evaluation step's result holds 1 MB of outputs, a runtime session holds 2 MB of weights. Resident
 * memory less the committed Java heap, measured after a collection every 40 steps from step 120 to
 * 440, is compared between the lowest of the first three and the lowest of the last three readings
 * (240 to 320 steps apart): the floor may rise by at most 16 MB (the module runs its tests on a fixed, pre-touched heap), where leaking results, reloaded
 * sessions or files would add at least 240 MB, 96 MB or 48 MB. The figures are printed with the prefix {@code [memory]}.
 */
@EnabledOnOs(OS.LINUX)
class MemoryTest {
  static final int N = 256;

  @TempDir
  Path dir;

  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  /** VmRSS less the committed heap, after collections (which also free dead direct buffers). */
  static long nativeKb() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return rssKb() - Runtime.getRuntime().totalMemory() / 1024;
  }

  @Test
  void residentMemoryStaysFlatOverStepsReloadsAndFiles() throws Exception {
    ModelSpec spec = new ModelSpec(new long[] {N}, List.of(new LayerSpec.Dense(1024), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 1024)));
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("l", "mse", 1, "y", "t")));
    List<Weights> weights = List.of(Weights.initialize(spec, 1), Weights.initialize(spec, 2));
    SplittableRandom r = new SplittableRandom(1);
    Batch b = batch("input", floats(Fixtures.normal(r, N * N, 1), N, N),
        "t", floats(Fixtures.normal(r, N * 1024, 1), N, 1024));
    Path file = dir.resolve("m.onnx");
    OnnxExport.write(file, spec, weights.get(0), Map.of());
    long start = System.nanoTime();
    List<Long> samples = new java.util.ArrayList<>();
    try (TrainingSession s = TestBackends.ONNX.open(Fixtures.spec(spec, weights.get(0), loss, null))) {
      for (int step = 1; step <= 440; step++) {
        s.evalStep(b);
        if (step % 5 == 0) {
          s.loadWeights(weights.get(step / 5 % 2));
        }
        if (step % 10 == 0) {
          try (OnnxModelFile f = OnnxModelFile.open(file)) {
            f.run(b.input());
          }
        }
        if (step >= 120 && step % 40 == 0) {
          samples.add(nativeKb());
        }
      }
    }
    // single readings jump by tens of MB (heap resizing, allocator arenas); a leak raises the floor,
    // so compare the lowest of the first three readings with the lowest of the last three
    long early = samples.subList(0, 3).stream().mapToLong(Long::longValue).min().orElseThrow();
    long late = samples.subList(samples.size() - 3, samples.size()).stream().mapToLong(Long::longValue).min()
        .orElseThrow();
    System.out.printf(Locale.ROOT, "[memory] VmRSS less the committed heap every 40 steps from step 120 (kB): %s;"
        + " floor %,d -> %,d kB (%+,d kB), %.1f s%n", samples, early, late, late - early,
        (System.nanoTime() - start) / 1e9);
    assertThat(late - early).as("native memory growth of the floor (kB)").isLessThanOrEqualTo(16 * 1024);
  }

  /**
   * Training steps (Adam: parameters and two state tensors carried in ONNX Runtime, each step's
   * result replacing the last), evaluations between them (the evaluation session is rebuilt around
   * the trained weights) and weight copies out: each step's outputs hold 2 MB of parameters and 4
   * MB of optimizer state, so results left open would add about 2.6 GB over 440 steps.
   */
  @Test
  void residentMemoryStaysFlatOverTrainingSteps() throws Exception {
    ModelSpec spec = new ModelSpec(new long[] {N}, List.of(new LayerSpec.Dense(1024), new LayerSpec.Relu(),
        new LayerSpec.Dropout(0.1)), List.of(HeadSpec.dense("y", HeadKind.REGRESSION, 256)));
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("l", "mse", 1, "y", "t")));
    SplittableRandom r = new SplittableRandom(2);
    Batch b = batch("input", floats(Fixtures.normal(r, 64 * N, 1), 64, N),
        "t", floats(Fixtures.normal(r, 64 * 256, 1), 64, 256));
    List<Long> samples = new java.util.ArrayList<>();
    double first = Double.NaN;
    double last = Double.NaN;
    try (TrainingSession s = TestBackends.ONNX.open(Fixtures.spec(spec, Weights.initialize(spec, 1), loss,
        io.holdout.api.optim.OptimizerSpec.adam(1e-3)))) {
      for (int step = 1; step <= 440; step++) {
        double l = s.trainStep(b).total();
        first = step == 1 ? l : first;
        last = l;
        if (step % 20 == 0) {
          s.evalStep(b);
          s.weights();
        }
        if (step >= 120 && step % 40 == 0) {
          samples.add(nativeKb());
        }
      }
    }
    long early = samples.subList(0, 3).stream().mapToLong(Long::longValue).min().orElseThrow();
    long late = samples.subList(samples.size() - 3, samples.size()).stream().mapToLong(Long::longValue).min()
        .orElseThrow();
    System.out.printf(Locale.ROOT, "[memory] training: VmRSS less the committed heap every 40 steps from step 120"
        + " (kB): %s; floor %,d -> %,d kB (%+,d kB); loss %.4f -> %.4f%n", samples, early, late, late - early,
        first, last);
    assertThat(last).as("the steps trained").isLessThan(first);
    assertThat(late - early).as("native memory growth of the floor (kB)").isLessThanOrEqualTo(16 * 1024);
  }
}
