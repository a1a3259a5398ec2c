package io.holdout.benchmarks;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossMeter;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.datasets.detection.Anchors;
import io.holdout.datasets.detection.BoxEncoder;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.engine.onnx.OnnxBackend;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.engine.tensorflow.TensorFlowBackend;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Evaluation throughput of ONNX Runtime, PyTorch and TensorFlow side by side in one JVM: samples
 * per second of {@link TrainingSession#evalStep} on evaluation-only sessions (no optimizer), as
 * {@code holdout evaluate} opens and runs them: one native step computes the inference-mode forward
 * pass, every loss component with its per-sample values, and copies every head's output back, and
 * the step's loss goes into a {@link LossMeter}. The three engines get the same model, the same
 * weights ({@code Weights.initialize(spec, seed)}), the same batches and the same thread counts.
 *
 * <p>Models and batch sizes:
 *
 * <ul>
 *   <li>{@code iris}: the multi-task MLP of {@code examples/iris-multitask.yaml} (3 inputs, dense
 *       32, ReLU, dense 32, ReLU; heads {@code species} classification 3 and {@code petal_width}
 *       regression 1; losses {@code mse} + {@code cross_entropy}) at batch sizes 16 and 256, on
 *       <b>synthetic</b> batches (standard-normal inputs and petal widths, uniform species labels;
 *       the CSV is not read: the numbers would not change, only the loss values).
 *   <li>{@code ssd}: the example SSD of {@link SsdBenchmark} ({@code DEFAULT_ARCH}, 96 px, 1,134
 *       anchors, MultiBox losses) at batch size 32, on generated shapes encoded by {@link
 *       BoxEncoder} exactly as {@link SsdBenchmark}'s validation loader does (its validation set:
 *       300 images, seed + 1000; the full batches are kept).
 * </ul>
 *
 * <p>Batches are built before timing and cycled, so only the step is timed, not data loading. For
 * every (model, batch size) all three sessions are open at once; each engine first evaluates the
 * first batch (the loss check below), then warms up (at least {@code --warmup} steps and {@code
 * --warmup-seconds}); then {@code --repeats} timed samples per engine are taken, interleaved (the
 * engine order rotates per repeat, so a transient load on a shared CPU falls on all engines
 * alike). A sample runs steps until at least
 * {@code --seconds} have passed, or exactly {@code --steps} steps when that is above 0. The table
 * gives the median sample's samples/s and ms/step, the ratio of samples/s to PyTorch's, the spread
 * ((max − min) / median samples/s over the samples), the steps timed, and {@code others}: the CPU
 * cores that other processes (and the hypervisor, as steal time) kept busy during the samples, read
 * from {@code /proc/stat} (Linux; "-" elsewhere). Read a row with {@code others} well above 0 as
 * disturbed: PyTorch's OpenMP threads spin-wait, so when another busy process shares a 2-core
 * machine its figures drop by an order of magnitude (SSD: 450–790 instead of 53–69 ms per step)
 * while ONNX Runtime's and TensorFlow's thread pools lose far less; {@code OMP_WAIT_POLICY=PASSIVE}
 * in the environment softens this for PyTorch (about 100 ms per step then).
 *
 * <p>Loss check: on the first batch, every loss component and the total of each engine is compared
 * with every other engine's; the largest relative difference (over {@code max(|a|, |b|)}) is
 * printed per model and batch size, and the program exits with code 1 when one exceeds {@code
 * --tolerance} (1e-4).
 *
 * <pre>
 * mvn -B -q -o -pl benchmarks compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/cp.txt)" io.holdout.benchmarks.EvalBenchmark \
 *     [--threads 2] [--inter-op 1] [--warmup 5] [--warmup-seconds 1] [--seconds 2] [--steps 0] [--repeats 3]
 *     [--models iris,ssd] [--engines onnx,pytorch,tensorflow] [--iris-batches 16,256]
 *     [--ssd-batch 32] [--tolerance 1e-4] [--seed 1]
 * </pre>
 *
 * {@code --threads} is the intra-op thread count of every session, {@code --inter-op} the inter-op
 * count (PyTorch fixes it when it loads; it loads with this value). The default run takes about
 * 70 s on 2 cores. Library logs are off (slf4j-nop); TensorFlow prints a few lines to stderr when
 * it loads ({@code TF_CPP_MIN_LOG_LEVEL=2} silences them).
 */
public final class EvalBenchmark {
  private EvalBenchmark() {}

  /** An engine of the comparison, by its config name, with the label the table shows. */
  record Engine(String name, String label, Backend backend) {}

  /** One (model, batch size) to measure: the session ingredients and the cached batches. */
  record Case(String model, int batch, ModelSpec spec, LossSpec loss, List<Batch> batches) {}

  /**
   * One timed sample: steps, seconds, and the CPU cores other processes kept busy meanwhile (NaN
   * where {@code /proc/stat} cannot be read).
   */
  record Sample(int steps, double seconds, int batch, double others) {
    double samplesPerSecond() {
      return steps * (double) batch / seconds;
    }

    double msPerStep() {
      return 1000 * seconds / steps;
    }
  }

  /** The result of one (case, engine): the median sample, the spread, the total steps timed. */
  record Row(Case c, Engine engine, Sample median, double spread, int steps, double others) {}

  /** The largest relative loss difference between two engines on a case's first batch. */
  record Check(Case c, double worst, String where, LossBreakdown first) {}

  public static void main(String[] args) {
    int threads = 2;
    int interOp = 1;
    int warmup = 5;
    double warmupSeconds = 1;
    double seconds = 2;
    int steps = 0;
    int repeats = 3;
    List<String> models = List.of("iris", "ssd");
    List<String> engineNames = List.of("onnx", "pytorch", "tensorflow");
    int[] irisBatches = {16, 256};
    int ssdBatch = 32;
    double tolerance = 1e-4;
    long seed = 1;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(v);
        case "--inter-op" -> interOp = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--repeats" -> repeats = Integer.parseInt(v);
        case "--models" -> models = List.of(v.split(","));
        case "--engines" -> engineNames = List.of(v.split(","));
        case "--iris-batches" -> irisBatches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        case "--ssd-batch" -> ssdBatch = Integer.parseInt(v);
        case "--tolerance" -> tolerance = Double.parseDouble(v);
        case "--seed" -> seed = Long.parseLong(v);
        default -> {
          System.err.println("unknown option " + args[i] + " (see the class javadoc)");
          System.exit(2);
        }
      }
    }
    if (threads < 1 || interOp < 1 || repeats < 1 || warmup < 0 || (steps <= 0 && !(seconds > 0))) {
      System.err.println("--threads, --inter-op and --repeats must be >= 1, --warmup >= 0, and --seconds > 0"
          + " unless --steps > 0");
      System.exit(2);
    }

    List<Engine> engines = new ArrayList<>();
    for (String n : engineNames) {
      switch (n) {
        case "onnx" -> engines.add(new Engine(n, "onnxruntime", new OnnxBackend()));
        case "pytorch" -> engines.add(new Engine(n, "pytorch", new PyTorchBackend()));
        case "tensorflow" -> engines.add(new Engine(n, "tensorflow", new TensorFlowBackend()));
        default -> {
          System.err.println("unknown engine '" + n + "' (onnx, pytorch, tensorflow)");
          System.exit(2);
        }
      }
    }

    List<Case> cases = new ArrayList<>();
    for (String m : models) {
      switch (m) {
        case "iris" -> {
          for (int b : irisBatches) {
            cases.add(irisCase(b, seed));
          }
        }
        case "ssd" -> cases.add(ssdCase(ssdBatch, seed));
        default -> {
          System.err.println("unknown model '" + m + "' (iris, ssd)");
          System.exit(2);
        }
      }
    }

    System.out.printf(Locale.ROOT,
        "eval benchmark: TrainingSession.evalStep (forward + every loss component + per-sample values +"
            + " head outputs), CPU, %d intra-op / %d inter-op threads, %d available processors, load average"
            + " %.2f%n  %s%n",
        threads, interOp, Runtime.getRuntime().availableProcessors(), loadAverage(),
        timing(warmup, warmupSeconds, seconds, steps, repeats));
    for (String m : models) {
      Case c = cases.stream().filter(x -> x.model().equals(m)).findFirst().orElseThrow();
      System.out.println("  " + switch (m) {
        case "iris" -> "iris: the MLP of examples/iris-multitask.yaml (3 -> 32 -> 32, heads species 3 +"
            + " petal_width 1, mse + cross_entropy), synthetic random inputs and targets, 8 batches cycled";
        default -> String.format(Locale.ROOT, "ssd: SsdBenchmark's example SSD (96 px, %d anchors, multibox_loc +"
            + " multibox_conf), generated shapes encoded by BoxEncoder (SsdBenchmark's val loader),"
            + " %d batches cycled", c.spec().outputShape("loc")[0], c.batches().size());
      });
    }

    List<Row> rows = new ArrayList<>();
    List<Check> checks = new ArrayList<>();
    Map<String, String> versions = new LinkedHashMap<>();
    for (Case c : cases) {
      Weights w = Weights.initialize(c.spec(), seed);
      List<TrainingSession> sessions = new ArrayList<>();
      try {
        for (Engine e : engines) {
          // optimizer null: an evaluation-only session, as holdout evaluate opens it
          sessions.add(e.backend().open(
              new SessionSpec(c.spec(), w, c.loss(), null, Device.CPU, seed, threads, interOp)));
        }
        if (versions.isEmpty()) {
          for (Engine e : engines) {
            versions.put(e.label(), version(e));
          }
        }
        List<LossBreakdown> first = new ArrayList<>();
        for (TrainingSession s : sessions) {
          first.add(s.evalStep(c.batches().get(0)).loss());
        }
        checks.add(check(c, engines, first));
        for (TrainingSession s : sessions) {
          long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
          for (int i = 0; i < warmup || System.nanoTime() < until; i++) {
            s.evalStep(c.batches().get(i % c.batches().size()));
          }
        }
        List<List<Sample>> samples = new ArrayList<>();
        engines.forEach(e -> samples.add(new ArrayList<>()));
        for (int r = 0; r < repeats; r++) {
          for (int k = 0; k < engines.size(); k++) {
            int e = (k + r) % engines.size();
            samples.get(e).add(sample(sessions.get(e), c, seconds, steps));
          }
        }
        for (int e = 0; e < engines.size(); e++) {
          List<Sample> s = new ArrayList<>(samples.get(e));
          s.sort((a, b) -> Double.compare(a.samplesPerSecond(), b.samplesPerSecond()));
          Sample med = s.get(s.size() / 2);
          double spread = (s.get(s.size() - 1).samplesPerSecond() - s.get(0).samplesPerSecond())
              / med.samplesPerSecond();
          rows.add(new Row(c, engines.get(e), med, spread, s.stream().mapToInt(Sample::steps).sum(),
              s.stream().mapToDouble(Sample::others).average().orElse(Double.NaN)));
        }
      } finally {
        closeAll(sessions);
      }
    }

    StringBuilder v = new StringBuilder();
    versions.forEach((k, x) -> v.append(v.length() == 0 ? "" : ", ").append(k).append(' ').append(x));
    System.out.println("engines: " + v);
    System.out.println();
    System.out.println(table(rows));
    System.out.println();
    boolean ok = true;
    System.out.printf(Locale.ROOT, "loss check, first batch, every component and the total, every pair of"
        + " engines (tolerance %.0e relative):%n", tolerance);
    for (Check k : checks) {
      boolean pass = k.worst() <= tolerance;
      ok &= pass;
      StringBuilder loss = new StringBuilder(String.format(Locale.ROOT, "%.6f", k.first().total()));
      String sep = " = ";
      for (Map.Entry<String, Double> e : k.first().raw().entrySet()) {
        loss.append(sep).append(String.format(Locale.ROOT, "%s %.6f", e.getKey(), e.getValue()));
        sep = " + ";
      }
      System.out.printf(Locale.ROOT, "  %-5s batch %3d: loss %s; largest relative difference %.1e (%s) %s%n",
          k.c().model(), k.c().batch(), loss, k.worst(), k.where(), pass ? "ok" : "FAILED");
    }
    System.out.printf(Locale.ROOT, "load average %.2f at the end, %.1f s since JVM start%n", loadAverage(),
        (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3);
    if (!ok) {
      System.out.println("FAILED: the engines' eval losses differ by more than " + tolerance + " relative");
      System.exit(1);
    }
  }

  /** Closes every session, even when one fails to close; rethrows the first failure. */
  private static void closeAll(List<TrainingSession> sessions) {
    RuntimeException failure = null;
    for (TrainingSession s : sessions) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The iris MLP, its two losses and 8 synthetic batches of {@code n}. */
  static Case irisCase(int n, long seed) {
    ModelSpec spec = new ModelSpec(new long[] {3},
        List.of(new LayerSpec.Dense(32), new LayerSpec.Relu(), new LayerSpec.Dense(32), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3),
            HeadSpec.dense("petal_width", HeadKind.REGRESSION, 1)));
    LossSpec loss = new LossSpec(List.of(
        LossComponentSpec.of("regression", "mse", 1.0, "petal_width", "petal_width"),
        LossComponentSpec.of("classification", "cross_entropy", 1.0, "species", "species")));
    SplittableRandom r = new SplittableRandom(seed * 31 + n);
    List<Batch> batches = new ArrayList<>();
    for (int b = 0; b < 8; b++) {
      long[] labels = new long[n];
      for (int i = 0; i < n; i++) {
        labels[i] = r.nextInt(3);
      }
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put(Batch.INPUT, Tensor.ofFloats(new long[] {n, 3}, normal(r, n * 3)));
      t.put("species", Tensor.ofLongs(new long[] {n}, labels));
      t.put("petal_width", Tensor.ofFloats(new long[] {n, 1}, normal(r, n)));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add("b" + b + "s" + i);
      }
      batches.add(new Batch(ids, t));
    }
    return new Case("iris", n, spec, loss, batches);
  }

  /**
   * The example SSD with {@link SsdBenchmark}'s defaults and the full batches of its validation
   * loader (300 shapes images, seed + 1000, encoded by {@link BoxEncoder}, not shuffled).
   */
  static Case ssdCase(int batch, long seed) {
    int size = 96;
    double[] sizes = {0.2, 0.35, 0.55, 0.75};
    double[] ratios = {2, 3};
    SsdBenchmark.Trunk trunk = SsdBenchmark.parse(SsdBenchmark.DEFAULT_ARCH);
    ModelSpec spec = SsdBenchmark.model(size, trunk, ShapesSource.CLASSES.size(), Anchors.perLocation(ratios));
    BoxEncoder encoder = new BoxEncoder(Anchors.forHead(spec, "loc", sizes, ratios));
    ShapesSource val = ShapesSource.builder(300, size, size).optSeed(seed + 1000).optObjects(1, 3).build();
    List<Batch> batches = new ArrayList<>();
    try (DataLoader loader = SsdBenchmark.loader(val, batch, encoder, false, 1, seed)) {
      Iterator<Batch> it = loader.epoch(0);
      while (it.hasNext()) {
        Batch b = it.next();
        if (b.size() == batch) {
          batches.add(b);
        }
      }
    }
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("--ssd-batch " + batch + " is larger than the 300 validation images");
    }
    return new Case("ssd", batch, spec, SsdBenchmark.loss(), batches);
  }

  private static float[] normal(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double u1 = 1 - r.nextDouble();
      v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble()));
    }
    return v;
  }

  /** Steps until {@code seconds} have passed, or exactly {@code steps} when above 0. */
  private static Sample sample(TrainingSession s, Case c, double seconds, int steps) {
    LossMeter meter = new LossMeter();
    List<Batch> batches = c.batches();
    int n = 0;
    long[] cpu0 = CpuTicks.read();
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    long now = t0;
    while (steps > 0 ? n < steps : now < end) {
      EvalResult r = s.evalStep(batches.get(n % batches.size()));
      meter.add(r.loss());
      n++;
      now = System.nanoTime();
    }
    if (!Double.isFinite(meter.mean().total())) {
      throw new IllegalStateException("non-finite eval loss " + meter.mean().raw());
    }
    return new Sample(n, (now - t0) / 1e9, c.batch(), CpuTicks.othersSince(cpu0));
  }

  /** The largest relative difference of any component or the total between any two engines. */
  private static Check check(Case c, List<Engine> engines, List<LossBreakdown> losses) {
    double worst = 0;
    String where = "all equal";
    for (int i = 0; i < losses.size(); i++) {
      for (int j = i + 1; j < losses.size(); j++) {
        Map<String, double[]> values = new LinkedHashMap<>();
        for (String k : losses.get(i).raw().keySet()) {
          values.put(k, new double[] {losses.get(i).raw(k), losses.get(j).raw(k)});
        }
        values.put("total", new double[] {losses.get(i).total(), losses.get(j).total()});
        for (Map.Entry<String, double[]> e : values.entrySet()) {
          double a = e.getValue()[0];
          double b = e.getValue()[1];
          double rel = a == b ? 0 : Math.abs(a - b) / Math.max(Math.max(Math.abs(a), Math.abs(b)), 1e-12);
          if (!(rel <= worst)) { // NaN counts as the worst
            worst = Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel;
            where = String.format(Locale.ROOT, "%s, %s %.9g vs %s %.9g", e.getKey(), engines.get(i).label(), a,
                engines.get(j).label(), b);
          }
        }
      }
    }
    return new Check(c, worst, where, losses.get(0));
  }

  private static String table(List<Row> rows) {
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "| %-5s | %5s | %-11s | %10s | %8s | %10s | %6s | %6s | %6s |%n",
        "model", "batch", "engine", "samples/s", "ms/step", "vs pytorch", "spread", "steps", "others"));
    t.append("| ----- | ----: | ----------- | ---------: | -------: | ---------: | -----: | -----: | -----: |\n");
    for (Row r : rows) {
      double torch = Double.NaN;
      for (Row x : rows) {
        if (x.c() == r.c() && x.engine().name().equals("pytorch")) {
          torch = x.median().samplesPerSecond();
        }
      }
      t.append(String.format(Locale.ROOT, "| %-5s | %5d | %-11s | %10s | %8.3f | %10s | %5.0f%% | %6d | %6s |%n",
          r.c().model(), r.c().batch(), r.engine().label(), grouped(r.median().samplesPerSecond()),
          r.median().msPerStep(),
          Double.isNaN(torch) ? "-" : String.format(Locale.ROOT, "%.2fx", r.median().samplesPerSecond() / torch),
          100 * r.spread(), r.steps(),
          Double.isNaN(r.others()) ? "-" : String.format(Locale.ROOT, "%.2f", r.others())));
    }
    return t.toString().stripTrailing();
  }

  private static String grouped(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String timing(int warmup, double warmupSeconds, double seconds, int steps, int repeats) {
    return String.format(Locale.ROOT, "warm-up >= %d steps and >= %.1f s, then %d interleaved samples per engine"
        + " of %s; median sample shown, spread = (max - min) / median samples/s, others = CPU cores busy with"
        + " other processes during the samples (mean)", warmup, warmupSeconds, repeats,
        steps > 0 ? steps + " steps" : String.format(Locale.ROOT, ">= %.1f s", seconds));
  }

  /**
   * Machine-wide and own CPU time from {@code /proc} (Linux), to tell how much of the CPU other
   * processes (or the hypervisor, as steal time) took during a sample.
   */
  static final class CpuTicks {
    private CpuTicks() {}

    /**
     * {@code [busy ticks of all CPUs, all ticks of all CPUs, this process's ticks, CPUs]}, or null.
     */
    static long[] read() {
      try {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"));
        String[] cpu = lines.get(0).trim().split("\\s+");
        long cpus = lines.stream().filter(l -> l.matches("cpu\\d+ .*")).count();
        long total = 0;
        for (int i = 1; i < cpu.length && i <= 8; i++) { // user .. steal (guest time is in user already)
          total += Long.parseLong(cpu[i]);
        }
        long busy = total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5]); // less idle and iowait
        String self = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
        String[] f = self.substring(self.lastIndexOf(')') + 2).split(" ");
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        return new long[] {busy, total, own, cpus};
      } catch (java.io.IOException | RuntimeException e) {
        return null;
      }
    }

    /** Cores kept busy by everything but this process since {@code before} (NaN if unknown). */
    static double othersSince(long[] before) {
      long[] now = read();
      if (before == null || now == null || now[1] <= before[1]) {
        return Double.NaN;
      }
      double others = (now[0] - before[0]) - (now[2] - before[2]);
      return Math.max(0, others / (now[1] - before[1]) * now[3]);
    }
  }

  private static String version(Engine e) {
    Map<String, String> v = e.backend().versions();
    return switch (e.name()) {
      case "onnx" -> v.getOrDefault("onnxruntime", "?");
      case "pytorch" -> v.getOrDefault("torch", "?") + " (DJL " + v.getOrDefault("djl", "?") + ")";
      case "tensorflow" -> v.getOrDefault("tensorflow", "?") + " (TensorFlow Java "
          + v.getOrDefault("tensorflow-java", "?") + ")";
      default -> "?";
    };
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
