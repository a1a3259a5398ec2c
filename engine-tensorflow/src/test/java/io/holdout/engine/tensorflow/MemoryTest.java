package io.holdout.engine.tensorflow;

import static io.holdout.checks.Fixtures.batch;
import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.TrainingSession;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.checks.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * No native memory growth: resident memory ({@code VmRSS}) after 1,000 training steps (with an
 * evaluation step, a weights read-out and a training-state read-out every 10) is at most 5% above
 * what it is after 100, and the native objects JavaCPP tracks do not accumulate. The figures are
 * printed with the prefix {@code [memory]}.
 */
class MemoryTest {
  static final int N = 16;

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

  static long settledRssKb() {
    System.gc();
    return rssKb();
  }

  @Test
  void residentMemoryStaysFlatOver1000Steps() {
    var spec = ParityTest.multiTask();
    SplittableRandom r = new SplittableRandom(1);
    List<Batch> data = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      float[] m = new float[N * 4];
      for (int j = 0; j < m.length; j++) {
        m[j] = r.nextBoolean() ? 1 : 0;
      }
      data.add(batch("input", floats(Fixtures.normal(r, N * 128, 1), N, 2, 8, 8),
          "r", floats(Fixtures.normal(r, N * 2, 1), N, 2),
          "c", longs(Fixtures.labels(r, N, 3), N),
          "m", floats(m, N, 4)));
    }
    long rss100 = 0;
    long count100 = 0;
    long heap100 = 0;
    long start = System.nanoTime();
    try (TrainingSession s = TestBackends.TENSORFLOW.open(Fixtures.spec(spec, Weights.initialize(spec, 1),
        ParityTest.multiTaskLoss(), Fixtures.optimizer("adam", 1e-3, 0, false, 0, 1.0)))) {
      for (int step = 1; step <= 1000; step++) {
        s.trainStep(data.get(step % data.size()));
        if (step % 10 == 0) {
          s.evalStep(data.get(0));
          s.weights();
          s.trainingState();
        }
        if (step == 100) {
          rss100 = settledRssKb();
          heap100 = Runtime.getRuntime().totalMemory() / 1024;
          count100 = Pointer.totalCount();
        }
      }
      long rss1000 = settledRssKb();
      long count1000 = Pointer.totalCount();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "[memory] VmRSS after 100 steps: %,d kB; after 1,000 steps: %,d kB (%+.2f%%)%n",
          rss100, rss1000, 100.0 * (rss1000 - rss100) / rss100);
      long heap1000 = Runtime.getRuntime().totalMemory() / 1024;
      System.out.printf(Locale.ROOT, "[memory] VmRSS minus the committed Java heap: %,d kB after 100 steps, %,d kB"
          + " after 1,000%n", rss100 - heap100, rss1000 - heap1000);
      System.out.printf(Locale.ROOT, "[memory] JavaCPP pointers alive after 100 steps: %d; after 1,000: %d%n",
          count100, count1000);
      System.out.printf(Locale.ROOT, "[memory] 1,000 steps (+100 evaluations and read-outs) in %.1f s%n", seconds);
      assertThat(rss1000).as("VmRSS after 1,000 steps (kB)").isLessThanOrEqualTo((long) (rss100 * 1.05));
      assertThat(count1000).as("native objects tracked by JavaCPP").isLessThanOrEqualTo(count100 + 16);
    }
  }
}
