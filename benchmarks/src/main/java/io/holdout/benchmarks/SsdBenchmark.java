package io.holdout.benchmarks;

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
import io.holdout.api.model.ParamInfo;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.detection.Anchors;
import io.holdout.datasets.detection.BoxDecoder;
import io.holdout.datasets.detection.BoxEncoder;
import io.holdout.datasets.detection.DetectionEvaluator;
import io.holdout.datasets.detection.Nms;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.datasets.transform.RandomHorizontalFlip;
import io.holdout.datasets.transform.SampleTransform;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.losses.metrics.DetectionMap;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the example SSD on generated shapes with the PyTorch backend and prints training speed
 * (images per second at the given batch size, after a warm-up) and, per epoch, the validation loss
 * and mAP@0.5, then the test mAP@0.5 with the wall clock since the JVM started.
 *
 * <p>The network: 96 px RGB input, a conv + batch-norm + ReLU backbone (see {@code --arch}),
 * feature maps of 12×12, 6×6 and 3×3 tapped by two multi-scale heads (box offsets, 4 class logits
 * with the background), 6 default boxes per location (1,134 anchors); MultiBox loss ({@code
 * multibox_loc} + {@code multibox_conf}, 3 negatives per positive); Adam.
 *
 * <pre>
 * java -cp ... io.holdout.benchmarks.SsdBenchmark [--threads 2] [--epochs 8] [--batch 32]
 *     [--train 2000] [--val 300] [--test 300] [--size 96] [--lr 0.003] [--min-lr 0.0001]
 *     [--warmup-epochs 0.2] [--optimizer adam] [--sizes 0.2,0.35,0.55,0.75] [--ratios 2,3] [--workers 1]
 *     [--flip 0.5] [--arch c16,bn,relu,p2,...] [--clip 0] [--speed-steps 0] [--layouts gather,permute] [--seed 1]
 * </pre>
 *
 * {@code --arch}: comma-separated trunk layers: {@code cN} a 3×3 convolution of N filters, stride 1,
 * padding 1; {@code cNs2} the same with stride 2; {@code bn}; {@code relu}; {@code p2} 2×2 max
 * pooling; a layer ending in {@code *} is a tap (its output feeds both heads). With {@code
 * --speed-steps N > 0} it only times N training steps after 5 warm-up steps and exits; adding {@code
 * --layouts gather,permute} times the PyTorch backend's two multi-scale head layouts side by side.
 */
public final class SsdBenchmark {
  static final String DEFAULT_ARCH =
      "c16,bn,relu,p2,c32,bn,relu,p2,c64,bn,relu,p2,c128,bn,relu*,c128s2,bn,relu*,c128s2,bn,relu*";

  private SsdBenchmark() {}

  /** A trunk parsed from {@code --arch} and the indices of its taps. */
  record Trunk(List<LayerSpec> layers, List<Integer> taps) {}

  static Trunk parse(String arch) {
    List<LayerSpec> layers = new ArrayList<>();
    List<Integer> taps = new ArrayList<>();
    for (String raw : arch.split(",")) {
      String t = raw.trim();
      boolean tap = t.endsWith("*");
      if (tap) {
        t = t.substring(0, t.length() - 1);
      }
      LayerSpec l;
      if (t.equals("bn")) {
        l = new LayerSpec.BatchNorm();
      } else if (t.equals("relu")) {
        l = new LayerSpec.Relu();
      } else if (t.equals("p2")) {
        l = new LayerSpec.MaxPool(2, 2);
      } else if (t.startsWith("c")) {
        int s = t.indexOf('s');
        int filters = Integer.parseInt(s < 0 ? t.substring(1) : t.substring(1, s));
        int stride = s < 0 ? 1 : Integer.parseInt(t.substring(s + 1));
        l = new LayerSpec.Conv2d(filters, 3, stride, 1);
      } else {
        throw new IllegalArgumentException("unknown layer '" + raw + "' in --arch");
      }
      if (tap) {
        taps.add(layers.size());
      }
      layers.add(l);
    }
    return new Trunk(layers, taps);
  }

  /** The example SSD: the trunk, then heads {@code loc} (4) and {@code conf} (classes + 1). */
  static ModelSpec model(int size, Trunk trunk, int classes, int anchorsPerLocation) {
    return new ModelSpec(
        new long[] {3, size, size},
        trunk.layers(),
        List.of(
            HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, trunk.taps(), anchorsPerLocation),
            HeadSpec.multiScale(
                "conf", HeadKind.CLASSIFICATION, classes + 1, trunk.taps(), anchorsPerLocation)));
  }

  static LossSpec loss() {
    return new LossSpec(
        List.of(
            new LossComponentSpec(
                "localisation", "multibox_loc", 1.0, "loc", "boxes", Map.of("labels", "labels")),
            new LossComponentSpec(
                "classification", "multibox_conf", 1.0, "conf", "labels", Map.of("neg_pos_ratio", 3))));
  }

  public static void main(String[] args) {
    int threads = 2;
    int epochs = 8;
    int batch = 32;
    int trainN = 2000;
    int valN = 300;
    int testN = 300;
    int size = 96;
    double lr = 0.003;
    double minLr = 1e-4;
    double warmupEpochs = 0.2;
    String optimizer = "adam";
    double[] sizes = {0.2, 0.35, 0.55, 0.75};
    double[] ratios = {2, 3};
    int workers = 1;
    double flip = 0.5;
    String arch = DEFAULT_ARCH;
    int speedSteps = 0;
    String[] layouts = null;
    double clip = 0;
    boolean trace = false;
    long seed = 1;
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(v);
        case "--epochs" -> epochs = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--train" -> trainN = Integer.parseInt(v);
        case "--val" -> valN = Integer.parseInt(v);
        case "--test" -> testN = Integer.parseInt(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--lr" -> lr = Double.parseDouble(v);
        case "--min-lr" -> minLr = Double.parseDouble(v);
        case "--warmup-epochs" -> warmupEpochs = Double.parseDouble(v);
        case "--optimizer" -> optimizer = v;
        case "--sizes" -> sizes = Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
        case "--ratios" -> ratios = Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
        case "--workers" -> workers = Integer.parseInt(v);
        case "--flip" -> flip = Double.parseDouble(v);
        case "--arch" -> arch = v;
        case "--speed-steps" -> speedSteps = Integer.parseInt(v);
        case "--layouts" -> layouts = v.split(",");
        case "--seed" -> seed = Long.parseLong(v);
        case "--clip" -> clip = Double.parseDouble(v);
        case "--trace" -> trace = Boolean.parseBoolean(v);
        default -> {
          System.err.println("unknown option " + args[i] + " (see the class javadoc)");
          System.exit(2);
        }
      }
    }
    Trunk trunk = parse(arch);
    ModelSpec spec = model(size, trunk, ShapesSource.CLASSES.size(), Anchors.perLocation(ratios));
    Anchors anchors = Anchors.forHead(spec, "loc", sizes, ratios);
    BoxEncoder encoder = new BoxEncoder(anchors);
    long params = 0;
    for (ParamInfo p : spec.parameters()) {
      if (p.role().trainable()) {
        params += io.holdout.api.tensor.Tensor.elementCount(p.shape());
      }
    }
    System.out.printf(
        Locale.ROOT,
        "ssd benchmark: %dx%d input, %d anchors (%d per location), %d trainable parameters, batch %d,"
            + " %d intra-op threads, %d loader workers, %d available processors%n"
            + "  arch %s, taps %s -> %s%n  anchor sizes %s, ratios %s, %s lr %.4g -> %.4g (warm-up %.2f"
            + " epochs, cosine)%n",
        size, size, anchors.size(), anchors.perLocation(), params, batch, threads, workers,
        Runtime.getRuntime().availableProcessors(), arch, trunk.taps(),
        spec.tapShapes("loc").stream().map(s -> s[1] + "x" + s[2]).toList(),
        Arrays.toString(sizes), Arrays.toString(ratios), optimizer, lr, minLr, warmupEpochs);

    ShapesSource train = ShapesSource.builder(trainN, size, size).optSeed(seed).optObjects(1, 3).build();
    ShapesSource val = ShapesSource.builder(valN, size, size).optSeed(seed + 1000).optObjects(1, 3).build();
    ShapesSource test = ShapesSource.builder(testN, size, size).optSeed(seed + 2000).optObjects(1, 3).build();
    SampleTransform augment = flip > 0 ? new RandomHorizontalFlip(flip).andThen(encoder) : encoder;
    OptimizerSpec opt = new OptimizerSpec(optimizer, lr, 0.9, false, 0, 0.9, 0.999, 1e-8, clip);
    SessionSpec ss =
        new SessionSpec(spec, Weights.initialize(spec, seed), loss(), opt, Device.CPU, seed, threads, 1);
    BoxDecoder decoder = BoxDecoder.matching(encoder, Nms.forEvaluation());
    PyTorchBackend backend = new PyTorchBackend();
    try (DataLoader trainLoader = loader(train, batch, augment, true, workers, seed);
        DataLoader valLoader = loader(val, batch, encoder, false, workers, seed);
        DataLoader testLoader = loader(test, batch, encoder, false, workers, seed);
        TrainingSession session = backend.open(ss)) {
      if (speedSteps > 0 && layouts != null) {
        compareLayouts(backend, ss, trainLoader, speedSteps, batch, layouts);
        return;
      }
      if (speedSteps > 0) {
        speed(session, trainLoader, speedSteps, batch);
        return;
      }
      int steps = trainLoader.stepsPerEpoch();
      long t0 = System.nanoTime();
      double trainSeconds = 0;
      for (int epoch = 0; epoch < epochs; epoch++) {
        long e0 = System.nanoTime();
        LossMeter meter = new LossMeter();
        Iterator<Batch> it = trainLoader.epoch(epoch);
        int step = 0;
        long warm = 0;
        int warmImages = 0;
        while (it.hasNext()) {
          Batch b = it.next();
          double progress = epoch + (double) step / steps;
          session.setLearningRate(schedule(lr, minLr, warmupEpochs, epochs, progress));
          Weights before = trace ? session.weights() : null;
          LossBreakdown l = session.trainStep(b);
          if (trace) {
            System.out.printf(Locale.ROOT, "  step %d.%d lr %.5f loss %s%n", epoch + 1, step + 1,
                session.learningRate(), l.raw());
          }
          if (!Double.isFinite(l.total())) {
            System.out.printf(Locale.ROOT, "diverged: loss %s at epoch %d step %d%n", l.raw(), epoch + 1, step + 1);
            if (trace) {
              diagnose(session, b, before);
            }
            return;
          }
          meter.add(l);
          step++;
          if (epoch == 0 && step == 5) {
            warm = System.nanoTime();
            warmImages = 0;
          } else if (epoch == 0 && step > 5) {
            warmImages += b.size();
          }
        }
        double seconds = (System.nanoTime() - e0) / 1e9;
        trainSeconds += seconds;
        if (epoch == 0 && warmImages > 0) {
          System.out.printf(Locale.ROOT, "train speed: %.1f images/s (epoch 1 after 5 warm-up steps)%n",
              warmImages / ((System.nanoTime() - warm) / 1e9));
        }
        Eval v = evaluate(session, valLoader, decoder);
        System.out.printf(
            Locale.ROOT,
            "epoch %d: train loss %.4f (%.1f s, %.1f img/s) | val loss %.4f = localisation %.4f +"
                + " classification %.4f | val mAP@0.5 %.4f | %.1f s since JVM start%n",
            epoch + 1, meter.mean().total(), seconds, trainN / seconds, v.loss().total(),
            v.loss().raw("localisation"), v.loss().raw("classification"), v.map(), sinceStart());
      }
      Eval t = evaluate(session, testLoader, decoder);
      System.out.printf(
          Locale.ROOT,
          "test: loss %.4f = localisation %.4f + classification %.4f | mAP@0.5 %.4f per class %s%n"
              + "training %.1f s, train+eval %.1f s, %.1f s since JVM start%n",
          t.loss().total(), t.loss().raw("localisation"), t.loss().raw("classification"), t.map(),
          t.perClass(), trainSeconds, (System.nanoTime() - t0) / 1e9, sinceStart());
    }
  }

  static DataLoader loader(
      ShapesSource ds, int batch, SampleTransform t, boolean shuffle, int workers, long seed) {
    return DataLoader.builder(ds, batch)
        .optShuffle(shuffle)
        .optSeed(seed)
        .optNumWorkers(workers)
        .optTransform(t)
        .optPadded(BoxEncoder.paddedFields())
        .build();
  }

  /** Linear warm-up, then cosine decay to {@code minLr} at the end of the last epoch. */
  static double schedule(double lr, double minLr, double warmup, int epochs, double progress) {
    if (progress < warmup) {
      return Math.max(lr * progress / warmup, minLr);
    }
    double f = (progress - warmup) / Math.max(1e-9, epochs - warmup);
    return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, f)));
  }

  record Eval(LossBreakdown loss, double map, Map<Integer, Double> perClass) {}

  static Eval evaluate(TrainingSession session, DataLoader loader, BoxDecoder decoder) {
    DetectionEvaluator ev = new DetectionEvaluator(decoder, "loc", "conf", DetectionMap.voc());
    LossMeter meter = new LossMeter();
    Iterator<Batch> it = loader.epoch(0);
    while (it.hasNext()) {
      Batch b = it.next();
      EvalResult r = session.evalStep(b);
      meter.add(r.loss());
      ev.add(b, r);
    }
    var res = ev.result();
    return new Eval(meter.mean(), res.map(), res.perClass());
  }

  private static void speed(TrainingSession session, DataLoader loader, int steps, int batch) {
    double s = timeSteps(session, cache(loader), steps);
    System.out.printf(
        Locale.ROOT, "train steps only (cached batches): %.1f images/s, %.1f ms per step of %d%n",
        steps * batch / s, 1000 * s / steps, batch);
  }

  private static List<Batch> cache(DataLoader loader) {
    Iterator<Batch> it = loader.epoch(0);
    List<Batch> cached = new ArrayList<>();
    while (it.hasNext() && cached.size() < 8) {
      cached.add(it.next());
    }
    return cached;
  }

  /** Seconds for {@code steps} training steps over the cached batches, after 5 warm-up steps. */
  private static double timeSteps(TrainingSession session, List<Batch> cached, int steps) {
    for (int i = 0; i < 5; i++) {
      session.trainStep(cached.get(i % cached.size()));
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      session.trainStep(cached.get(i % cached.size()));
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * {@code --layouts gather,permute}: the PyTorch backend's multi-scale head rearrangement (system
   * property {@code holdout.pytorch.multiScaleLayout}) timed side by side, in rounds of one
   * fresh session each, the order reversed every other round; prints each round, the median images/s per layout and the median of
   * the per-round ratios to the first layout.
   */
  private static void compareLayouts(
      PyTorchBackend backend, SessionSpec ss, DataLoader loader, int steps, int batch, String[] layouts) {
    List<Batch> cached = cache(loader);
    int rounds = 11;
    double[][] rates = new double[layouts.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < layouts.length; i++) {
        int l = r % 2 == 0 ? i : layouts.length - 1 - i;
        System.setProperty("holdout.pytorch.multiScaleLayout", layouts[l]);
        try (TrainingSession session = backend.open(ss)) {
          rates[l][r] = steps * batch / timeSteps(session, cached, steps);
        }
        System.out.printf(Locale.ROOT, "round %d, layout %-8s %.1f images/s%n", r + 1, layouts[l], rates[l][r]);
      }
    }
    System.clearProperty("holdout.pytorch.multiScaleLayout");
    for (int l = 0; l < layouts.length; l++) {
      double[] v = rates[l].clone();
      double[] paired = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        paired[r] = rates[l][r] / rates[0][r];
      }
      Arrays.sort(v);
      Arrays.sort(paired);
      System.out.printf(Locale.ROOT,
          "layout %-8s median %.1f images/s over %d rounds of %d steps; median ratio to %s in the same round %.3f%n",
          layouts[l], v[rounds / 2], rounds, steps, layouts[0], paired[rounds / 2]);
    }
  }

  private static void diagnose(TrainingSession session, Batch b, Weights before) {
    for (var e : b.tensors().entrySet()) {
      var t = e.getValue();
      if (t.dtype() == io.holdout.api.tensor.DType.FLOAT32) {
        float[] v = t.toFloatArray();
        double max = 0;
        int bad = 0;
        for (float x : v) {
          bad += Float.isFinite(x) ? 0 : 1;
          max = Math.max(max, Math.abs(x));
        }
        System.out.printf(Locale.ROOT, "  batch %s: max |x| %.4g, %d non-finite%n", e.getKey(), max, bad);
      }
    }
    for (var e : before.tensors().entrySet()) {
      float[] v = e.getValue().toFloatArray();
      double max = 0;
      int bad = 0;
      for (float x : v) {
        bad += Float.isFinite(x) ? 0 : 1;
        max = Math.max(max, Math.abs(x));
      }
      System.out.printf(Locale.ROOT, "  weight %s: max |w| %.4g, %d non-finite%n", e.getKey(), max, bad);
    }
    session.loadWeights(before);
    System.out.println("  eval with the weights before the step: " + session.evalStep(b).loss().raw());
    System.out.println("  eval again: " + session.evalStep(b).loss().raw());
    Weights after = session.weights();
    int bad = 0;
    for (var e : after.tensors().entrySet()) {
      for (float x : e.getValue().toFloatArray()) {
        bad += Float.isFinite(x) ? 0 : 1;
      }
    }
    System.out.println("  non-finite weights after the evals: " + bad);
  }

  private static double sinceStart() {
    return (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
  }
}
