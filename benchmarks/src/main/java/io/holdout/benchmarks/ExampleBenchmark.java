package io.holdout.benchmarks;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.DataConfig;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.Specs;
import io.holdout.api.io.Safetensors;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.datasets.detection.Anchors;
import io.holdout.datasets.detection.BoxEncoder;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.datasets.transform.RandomHorizontalFlip;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.engine.pytorch.PyTorchSession;
import io.holdout.engine.tensorflow.TensorFlowBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training speed of a detection example's network on holdout's backends next to the same network
 * in plain PyTorch (Python), measured side by side in one run: the same graph (written as JSON and
 * built from standard {@code torch.nn} modules by {@code benchmarks/python/holdout_graph.py}), the
 * same initial weights, the same cached batches (input, encoded boxes, anchor labels), the same
 * loss (MultiBox: Smooth L1 + cross-entropy with 3:1 hard-negative mining), the same optimizer and
 * the same number of intra-op threads. Each round times every contestant over the same steps after
 * warm-up steps, in an order rotated every round; the medians and the per-round ratios are printed.
 * Every contestant runs in a process of its own (holdout's in a child JVM, see {@link #childJvm}).
 * {@code pytorch-cl} is holdout's PyTorch backend with image batches in channels-last memory format
 * ({@code -Dholdout.pytorch.memoryFormat=channelsLast}), {@code python-cl} plain PyTorch with the
 * network and batches in {@code torch.channels_last}.
 *
 * <pre>
 * java -cp ... io.holdout.benchmarks.ExampleBenchmark [--config examples/shapes-mb2-ssd-lite.yaml]
 *     [--contestants pytorch,pytorch-cl,tensorflow,onnx,python,python-cl] [--steps 30] [--warmup 5] [--rounds 3] [--threads 2]
 *     [--inter-threads N (default: the config's engine.interOpThreads)]
 *     [--python python3] [--dir benchmarks/target/example-benchmark] [--grads REF.safetensors,...] [--profile]
 *     [--in-process]
 * </pre>
 *
 * With {@code --grads} it compares instead the first step's gradients (batch 0, from the same
 * initial weights) of each holdout contestant with reference gradients written by {@code
 * holdout_graph.py grads --dtype float64} (and any others, e.g. float32) on the files this program
 * wrote to {@code --dir} in an earlier run: per tensor {@code |g - g_ref| / |g_ref|}.
 *
 * With {@code --profile} it runs the timed steps once on holdout's PyTorch backend under DJL's
 * profiler and once in plain PyTorch under {@code torch.profiler}, writes both Chrome traces to
 * {@code --dir}, and {@code benchmarks/python/trace_summary.py} sets their operator times side by side.
 *
 * The Python contestant needs a {@code python3} with {@code torch} (Debian: {@code apt-get install
 * python3-torch}); without one it is reported as not available and the others still run.
 */
public final class ExampleBenchmark {
  private ExampleBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of("examples/shapes-mb2-ssd-lite.yaml");
    List<String> contestants = List.of("pytorch", "pytorch-cl", "tensorflow", "onnx", "python", "python-cl");
    int steps = 30;
    int warmup = 5;
    int rounds = 3;
    int threads = 2;
    Integer interOption = null;
    String python = "python3";
    Path dir = Path.of("benchmarks/target/example-benchmark");
    List<Path> gradRefs = new ArrayList<>();
    boolean profile = false;
    boolean inProcess = false;
    String child = null;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--config" -> config = Path.of(v);
        case "--contestants" -> contestants = List.of(v.split(","));
        case "--steps" -> steps = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--rounds" -> rounds = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--inter-threads" -> interOption = Integer.parseInt(v);
        case "--python" -> python = v;
        case "--dir" -> dir = Path.of(v);
        case "--grads" -> Arrays.stream(v.split(",")).map(Path::of).forEach(gradRefs::add);
        case "--profile" -> {
          profile = true;
          i--; // a flag: no value follows
        }
        case "--in-process" -> {
          inProcess = true;
          i--;
        }
        case "--child" -> child = v;
        default -> {
          System.err.println("unknown option " + args[i] + " (see the class javadoc)");
          System.exit(2);
        }
      }
    }
    LoadedConfig loaded = ConfigLoader.load(config, List.of());
    ExperimentConfig c = loaded.config();
    // inter-op threads as the example trains (engine.interOpThreads), unless --inter-threads says
    int inter = interOption != null ? interOption : c.engine().interOpThreads();
    Example ex = Example.of(config, c, steps + warmup);
    int batch = ex.batchSize();
    ModelSpec spec = ex.spec();
    Anchors anchors = ex.anchors();
    LossSpec loss = ex.loss();
    OptimizerSpec opt = ex.optimizer();
    Weights init = ex.init();
    List<Batch> batches = ex.batches();
    if (child != null) {
      // one contestant in this JVM, started by the parent: its speed on the parent's data
      double s = holdout(child, new SessionSpec(spec, init, loss, opt, Device.CPU, c.seed(), threads, inter),
          batches, steps, warmup, null);
      System.out.printf(Locale.ROOT, "img/s %.6f%n", s);
      return;
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("graph.json"), GraphJson.of(spec));
    Safetensors.write(dir.resolve("init.safetensors"), init.tensors(), Map.of());
    Map<String, Tensor> flat = new LinkedHashMap<>();
    for (int i = 0; i < batches.size(); i++) {
      for (String k : List.of("input", "boxes", "labels")) {
        flat.put(k + "." + i, batches.get(i).get(k));
      }
    }
    Safetensors.write(dir.resolve("batches.safetensors"), flat, Map.of());
    System.out.printf(Locale.ROOT, "example benchmark: %s, %s, %d trainable parameters, %d anchors, batch %d, "
            + "%s lr %g, %d intra-op and %d inter-op threads; %d timed steps after %d warm-up steps, %d rounds%n",
        config, c.model().architecture(), io.holdout.api.model.arch.Architectures.trainableParameters(spec), anchors.size(), batch, opt.type(),
        opt.lr(), threads, inter, steps, warmup, rounds);

    if (!gradRefs.isEmpty()) {
      compareGradients(contestants, spec, init, loss, batches.get(0), threads, inter, c.seed(), gradRefs);
      return;
    }
    if (profile) {
      // one profiled run of each: libtorch's operator timings of the same steps, as Chrome traces;
      // channels last on both sides when the contestants name pytorch-cl
      boolean cl = contestants.contains("pytorch-cl");
      Path torchTrace = dir.toAbsolutePath().resolve("pytorch-trace.json");
      double s = holdout(cl ? "pytorch-cl" : "pytorch",
          new SessionSpec(spec, init, loss, opt, Device.CPU, c.seed(), threads, inter), batches, steps, warmup, torchTrace);
      System.out.printf(Locale.ROOT, "profiled: pytorch %.1f img/s -> %s%n", s, torchTrace);
      Path pyTrace = dir.toAbsolutePath().resolve("python-trace.json");
      double p = python(python, dir, steps, warmup, threads, inter, opt, pyTrace, cl);
      System.out.printf(Locale.ROOT, "profiled: python %.1f img/s -> %s%n", p, pyTrace);
      System.out.println("compare: python3 benchmarks/python/trace_summary.py " + torchTrace + " " + pyTrace);
      return;
    }
    Map<String, List<Double>> speed = new LinkedHashMap<>();
    contestants.forEach(n -> speed.put(n, new ArrayList<>()));
    for (int r = 0; r < rounds; r++) {
      List<String> order = new ArrayList<>(contestants);
      java.util.Collections.rotate(order, -r);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d:", r + 1));
      for (String n : order) {
        double s = n.startsWith("python")
            ? python(python, dir, steps, warmup, threads, inter, opt, null, n.equals("python-cl"))
            : inProcess
                ? holdout(n, new SessionSpec(spec, init, loss, opt, Device.CPU, c.seed(), threads, inter),
                    batches, steps, warmup, null)
                : childJvm(n, args);
        if (!Double.isNaN(s)) {
          speed.get(n).add(s);
        }
        line.append(String.format(Locale.ROOT, "  %s %.1f img/s", n, s));
      }
      System.out.println(line);
    }
    System.out.println("median images per second (training steps):");
    speed.forEach((n, v) -> System.out.printf(Locale.ROOT, "  %-11s %s%n", n,
        v.isEmpty() ? "not available" : String.format(Locale.ROOT, "%.1f", median(v))));
    ratio(speed, "pytorch", "python", "holdout pytorch / plain PyTorch (Python)");
    ratio(speed, "pytorch-cl", "python", "holdout pytorch, channels last / plain PyTorch (Python)");
    ratio(speed, "pytorch-cl", "python-cl", "holdout pytorch, channels last / plain PyTorch (Python), channels last");
    ratio(speed, "tensorflow", "pytorch", "holdout tensorflow / holdout pytorch");
    ratio(speed, "onnx", "pytorch", "holdout onnx (ONNX Runtime, generated training graph) / holdout pytorch");
  }

  /**
   * The first step's gradient on batch 0 of each holdout contestant next to reference gradients
   * (safetensors from {@code holdout_graph.py grads}, computed in float64 or float32 and stored as
   * float32; the first is the one compared with): per
   * tensor {@code |g - g_ref| / |g_ref|}. Gradients are read off one SGD step of learning rate
   * 1000 without momentum, {@code (w0 - w1) / 1000}, so float rounding of the weights themselves is
   * negligible.
   */
  /**
   * A detection example's network, loss, optimizer and initial weights from its config, and {@code
   * count} batches of its generated shapes (flipped and encoded as the example trains).
   */
  record Example(ModelSpec spec, Anchors anchors, LossSpec loss, OptimizerSpec optimizer, Weights init,
      List<Batch> batches, int batchSize) {
    static Example of(Path config, ExperimentConfig c, int count) {
      DataConfig d = c.data();
      int batch = c.loader().batchSize();
      int size = d.imageSize();
      ShapesSource source = ShapesSource.builder(batch * count, size, size).optSeed(c.seed())
          .optObjects(d.minObjects(), d.maxObjects()).build();
      ModelSpec spec = Specs.model(c.model(), source.schema(), config.toString());
      double[] sizes = c.detection().anchors().sizes().stream().mapToDouble(Double::doubleValue).toArray();
      double[] ratios = c.detection().anchors().ratios().stream().mapToDouble(Double::doubleValue).toArray();
      Anchors anchors = Anchors.forHead(spec, "loc", sizes, ratios);
      List<Batch> batches = new ArrayList<>();
      try (DataLoader loader = SsdBenchmark.loader(source, batch,
          new RandomHorizontalFlip(0.5).andThen(new BoxEncoder(anchors)), true, 1, c.seed())) {
        Iterator<Batch> it = loader.epoch(0);
        while (it.hasNext()) {
          batches.add(it.next());
        }
      }
      return new Example(spec, anchors, Specs.loss(c.loss()), Specs.optimizer(c.optimizer()),
          Weights.initialize(spec, c.seed()), batches, batch);
    }
  }

  static void compareGradients(List<String> contestants, ModelSpec spec, Weights init, LossSpec loss, Batch b,
      int threads, int inter, long seed, List<Path> refs) {
    double lr = 1000;
    OptimizerSpec sgd = OptimizerSpec.sgd(lr, 0);
    Map<String, Map<String, double[]>> all = new LinkedHashMap<>();
    for (Path r : refs) {
      Map<String, double[]> g = new LinkedHashMap<>();
      Safetensors.read(r).tensors().forEach((k, t) -> {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          d[i] = f[i];
        }
        g.put(k, d);
      });
      all.put(r.getFileName().toString(), g);
    }
    for (String n : contestants) {
      if (n.startsWith("python")) {
        continue;
      }
      try (TrainingSession s = backend(n).open(new SessionSpec(spec, init, loss, sgd, Device.CPU, seed, threads, inter))) {
        System.out.printf(Locale.ROOT, "%s: first-step loss %s%n", n, s.trainStep(b));
        Weights after = s.weights();
        Map<String, double[]> g = new LinkedHashMap<>();
        for (String k : all.values().iterator().next().keySet()) {
          float[] w0 = init.get(k).toFloatArray();
          float[] w1 = after.get(k).toFloatArray();
          double[] d = new double[w0.length];
          for (int i = 0; i < d.length; i++) {
            d[i] = ((double) w0[i] - w1[i]) / lr;
          }
          g.put(k, d);
        }
        all.put(n, g);
      }
    }
    Map<String, double[]> ref = all.values().iterator().next();
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-34s %10s", "tensor", "|g_ref|"));
    all.keySet().stream().skip(1).forEach(k -> head.append(String.format(Locale.ROOT, " %14s", k)));
    System.out.println("first-step gradient, |g - g_ref| / |g_ref| against " + all.keySet().iterator().next());
    System.out.println(head);
    Map<String, double[]> totals = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : ref.entrySet()) {
      double nr = 0;
      for (double v : e.getValue()) {
        nr += v * v;
      }
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-34s %10.3e", e.getKey(), Math.sqrt(nr)));
      for (Map.Entry<String, Map<String, double[]>> o : all.entrySet()) {
        if (o.getValue() == ref) {
          continue;
        }
        double[] x = o.getValue().get(e.getKey());
        double nd = 0;
        for (int i = 0; i < x.length; i++) {
          nd += (x[i] - e.getValue()[i]) * (x[i] - e.getValue()[i]);
        }
        double[] t = totals.computeIfAbsent(o.getKey(), k -> new double[2]);
        t[0] += nd;
        t[1] += nr;
        line.append(String.format(Locale.ROOT, " %14.3e", Math.sqrt(nd / Math.max(nr, 1e-300))));
      }
      System.out.println(line);
    }
    totals.forEach((k, t) -> System.out.printf(Locale.ROOT, "all tensors, %s: %.3e%n", k, Math.sqrt(t[0] / t[1])));
  }

  static Backend backend(String name) {
    return switch (name) {
      case "pytorch", "pytorch-cl" -> new PyTorchBackend();
      case "tensorflow" -> new TensorFlowBackend();
      case "onnx" -> new io.holdout.engine.onnx.OnnxBackend();
      default -> throw new IllegalArgumentException("unknown contestant '" + name
          + "' (pytorch, pytorch-cl, tensorflow, onnx, python, python-cl)");
    };
  }

  /**
   * Images per second of contestant {@code name} over {@code steps} training steps after {@code
   * warmup} ones, on one session; {@code pytorch-cl} opens its session with image batches in
   * channels-last memory format. With {@code trace} (PyTorch only) the timed steps run under DJL's
   * profiler.
   */
  static double holdout(String name, SessionSpec spec, List<Batch> batches, int steps, int warmup, Path trace) {
    String format = name.equals("pytorch-cl") ? "channelsLast" : "contiguous";
    String before = System.setProperty(PyTorchSession.MEMORY_FORMAT_PROPERTY, format);
    TrainingSession opened;
    try {
      opened = backend(name).open(spec);
    } finally {
      if (before == null) {
        System.clearProperty(PyTorchSession.MEMORY_FORMAT_PROPERTY);
      } else {
        System.setProperty(PyTorchSession.MEMORY_FORMAT_PROPERTY, before);
      }
    }
    try (TrainingSession s = opened) {
      for (int i = 0; i < warmup; i++) {
        s.trainStep(batches.get(i));
      }
      if (trace != null) {
        ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
      }
      long t0 = System.nanoTime();
      int images = 0;
      for (int i = 0; i < steps; i++) {
        Batch b = batches.get(warmup + i);
        s.trainStep(b).total();
        images += b.size();
      }
      double out = images / ((System.nanoTime() - t0) / 1e9);
      if (trace != null) {
        ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toString());
      }
      return out;
    }
  }

  /**
   * Contestant {@code name} in a JVM of its own (this JVM's options and class path, the same
   * arguments plus {@code --child name}), as the Python contestant runs in a process of its own: with
   * TensorFlow and ONNX Runtime loaded in the same process, the PyTorch backend trained up to 20%
   * slower in the rounds after theirs ({@code --in-process} keeps every holdout contestant in this
   * JVM).
   */
  static double childJvm(String name, String[] args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ExampleBenchmark.class.getName()));
    cmd.addAll(Arrays.asList(args));
    cmd.addAll(List.of("--child", name));
    List<String> out = new ArrayList<>();
    double result = imagesPerSecond(new ProcessBuilder(cmd).redirectErrorStream(true).start(), out);
    if (Double.isNaN(result)) {
      throw new IllegalStateException("contestant " + name + " failed: " + tail(out, 3));
    }
    return result;
  }

  /** The plain-PyTorch contestant, in its own process; NaN when no python3 with torch is found. */
  static double python(String python, Path dir, int steps, int warmup, int threads, int inter, OptimizerSpec opt,
      Path trace, boolean channelsLast) throws IOException, InterruptedException {
    Path script = Path.of("benchmarks/python/holdout_graph.py");
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "speed", "--dir", dir.toString(),
        "--steps", String.valueOf(steps), "--warmup", String.valueOf(warmup), "--threads", String.valueOf(threads),
        "--interop-threads", String.valueOf(inter),
        "--optimizer", opt.type(), "--lr", String.valueOf(opt.lr())));
    if (trace != null) {
      cmd.addAll(List.of("--profile", trace.toString()));
    }
    if (channelsLast) {
      cmd.add("--channels-last");
    }
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return Double.NaN;
    }
    List<String> out = new ArrayList<>();
    double result = imagesPerSecond(p, out);
    if (Double.isNaN(result)) {
      System.out.println("python: not available (" + tail(out, 2) + ")");
      return Double.NaN;
    }
    return result;
  }

  /**
   * The figure a contestant's process prints on its line {@code img/s X}; NaN when it prints none or
   * exits with an error. Every line of its output is added to {@code out}.
   */
  static double imagesPerSecond(Process p, List<String> out) throws IOException, InterruptedException {
    double result = Double.NaN;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        out.add(l);
        if (l.startsWith("img/s ")) {
          result = Double.parseDouble(l.substring(6).trim());
        }
      }
    }
    return p.waitFor() == 0 ? result : Double.NaN;
  }

  /** The last {@code n} lines of a process's output, joined on one line. */
  static String tail(List<String> out, int n) {
    return String.join(" | ", out.subList(Math.max(0, out.size() - n), out.size()));
  }

  static double median(List<Double> v) {
    return LoaderBenchmark.median(v.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The median of the per-round ratios {@code a / b} (both measured in the same round). */
  static void ratio(Map<String, List<Double>> speed, String a, String b, String label) {
    List<Double> x = speed.get(a);
    List<Double> y = speed.get(b);
    if (x == null || y == null || x.isEmpty() || x.size() != y.size()) {
      return;
    }
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < x.size(); i++) {
      r.add(x.get(i) / y.get(i));
    }
    System.out.printf(Locale.ROOT, "  %s: %.2f (per round %s)%n", label, median(r),
        Arrays.toString(r.stream().mapToDouble(v -> Math.round(v * 100) / 100.0).toArray()));
  }
}
