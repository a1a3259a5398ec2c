package io.holdout.engine.pytorch;

import static io.holdout.engine.pytorch.TestData.batch;
import static io.holdout.engine.pytorch.TestData.floats;
import static io.holdout.engine.pytorch.TestData.longs;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A long run must not grow native memory: every array a step creates is closed with the step. */
class MemoryTest {

  @Test
  void liveArraysAndNativeHeapStayFlatOverManySteps() {
    stayFlat(new OptimizerSpec("adamw", 1e-3, 0, false, 0.01, 0.9, 0.999, 1e-8, 1.0));
  }

  /** The same with AdamW given as an update rule: the generic path leaves no array behind either. */
  @Test
  void anUpdateRuleLeavesNoArrayBehind() {
    stayFlat(OptimizerSpec.ofRule("adamw_rule", 1e-3, 1.0,
        io.holdout.api.optim.StandardRules.adam(0.9, 0.999, 1e-8, 0.01, true)));
  }

  private void stayFlat(OptimizerSpec adamw) {
    ModelSpec spec =
        new ModelSpec(
            new long[] {8},
            List.of(
                new LayerSpec.Dense(32),
                new LayerSpec.Relu(),
                new LayerSpec.BatchNorm(),
                new LayerSpec.Dropout(0.2)),
            List.of(
                HeadSpec.dense("kind", HeadKind.CLASSIFICATION, 3),
                HeadSpec.dense("size", HeadKind.REGRESSION, 1)));
    LossSpec loss =
        new LossSpec(
            List.of(
                new LossComponentSpec(
                    "kind",
                    "cross_entropy",
                    1,
                    "kind",
                    "kind",
                    java.util.Map.of("label_smoothing", 0.1)),
                LossComponentSpec.of("size", "huber", 0.5, "size", "size")));
    SplittableRandom r = new SplittableRandom(1);
    int n = 16;
    Batch b =
        batch(
            "input",
            floats(TestData.normal(r, n * 8, 1), n, 8),
            "kind",
            longs(TestData.labels(r, n, 3), n),
            "size",
            floats(TestData.normal(r, n, 1), n, 1));
    try (PyTorchSession s =
        (PyTorchSession) TestData.open(spec, Weights.initialize(spec, 1), loss, adamw)) {
      for (int i = 0; i < 500; i++) {
        s.trainStep(b);
      }
      int live = s.liveArrays();
      int system = systemArrays();
      long heap = nativeHeapKiB();
      long t0 = System.nanoTime();
      int steps = 2000;
      for (int i = 0; i < steps; i++) {
        s.trainStep(b);
        if (i % 100 == 0) {
          s.evalStep(b);
          s.weights();
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "pytorch %s: %d train steps (8-32-heads, batch %d, 1 thread) in %.2f s = %.0f steps/s%n",
          adamw.type(),
          steps,
          n,
          seconds,
          steps / seconds);
      assertThat(s.liveArrays()).as("arrays owned by the session").isEqualTo(live);
      // 10 state arrays (dense 2, batch norm 4, heads 2 + 2), AdamW's two moments (one array each
      // over all parameters) and a view of each for every one of the 8 trainable ones
      assertThat(live).isEqualTo(10 + 2 + 2 * 8);
      assertThat(systemArrays()).as("arrays alive in DJL").isEqualTo(system);
      if (heap >= 0) {
        long grown = nativeHeapKiB() - heap;
        System.out.printf(
            Locale.ROOT,
            "pytorch: native heap in use changed by %d KiB over %d steps%n",
            grown,
            steps);
        assertThat(grown).as("native heap growth in KiB").isLessThan(24 * 1024);
      }
    }
  }

  /** Arrays alive anywhere in DJL's PyTorch engine (the system manager and all its children). */
  private static int systemArrays() {
    try (NDManager probe = new TorchRuntime().engine().newBaseManager()) {
      return probe.getParentManager().getManagedArrays().size();
    }
  }

  /**
   * Bytes the C heap has handed out and not got back (glibc's {@code mallinfo2}: in-use chunks plus
   * mmapped ones), in KiB, after a garbage collection; -1 where that call is not available. Unlike
   * the resident set size, this does not count memory freed but kept by the allocator.
   */
  private static long nativeHeapKiB() {
    try {
      System.gc();
      Thread.sleep(100);
      System.gc();
      MallInfo2 m = LibC.INSTANCE.mallinfo2();
      return (m.uordblks + m.hblkhd) / 1024;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** glibc's {@code struct mallinfo2}. */
  public static class MallInfo2 extends com.sun.jna.Structure {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks;
    public long hblkhd;
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;

    /** Returned by value. */
    public static class ByValue extends MallInfo2 implements com.sun.jna.Structure.ByValue {}

    @Override
    protected List<String> getFieldOrder() {
      return List.of(
          "arena",
          "ordblks",
          "smblks",
          "hblks",
          "hblkhd",
          "usmblks",
          "fsmblks",
          "uordblks",
          "fordblks",
          "keepcost");
    }
  }

  /** The one C function used. */
  public interface LibC extends com.sun.jna.Library {
    LibC INSTANCE = com.sun.jna.Native.load("c", LibC.class);

    MallInfo2.ByValue mallinfo2();
  }
}
