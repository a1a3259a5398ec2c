package io.holdout.api.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fills every absent key with its documented default, so the resolved config is complete. */
final class Defaults {
  /**
   * What a classification head reports when the config lists no {@code metrics:}: accuracy, macro
   * precision, recall and F1, ROC-AUC (one-vs-rest macro for more than two classes).
   */
  public static final List<String> CLASSIFICATION_METRICS = List.of("accuracy", "precision", "recall", "f1", "roc_auc");

  /** What a regression head reports when the config lists no {@code metrics:}: MSE, MAE and R². */
  public static final List<String> REGRESSION_METRICS = List.of("mse", "mae", "r2");

  private Defaults() {}

  static ExperimentConfig apply(ExperimentConfig c, String file) {
    if (c.data() == null) {
      throw new ConfigException(file + ": missing section 'data'");
    }
    if (c.model() == null) {
      throw new ConfigException(file + ": missing section 'model'");
    }
    if (c.loss() == null || c.loss().isEmpty()) {
      throw new ConfigException(file + ": missing section 'loss' (a list of components)");
    }
    DataConfig d = c.data();
    String source = or(d.source(), "csv");
    boolean shapes = source.equals("shapes");
    boolean generated = shapes || source.equals("shape_classes");
    DataConfig data =
        new DataConfig(
            source,
            d.path(),
            d.features(),
            d.targets(),
            or(d.standardize(), false),
            or(d.missing(), "error"),
            or(d.delimiter(), ","),
            d.images(),
            d.imageSize(),
            d.classes(),
            d.imageSet(),
            generated ? or(d.count(), 1000) : d.count(),
            shapes ? or(d.minObjects(), 1) : d.minObjects(),
            shapes ? or(d.maxObjects(), 3) : d.maxObjects(),
            generated ? or(d.noise(), 0.1) : d.noise(),
            or(d.skipBadSamples(), false),
            transforms(d.transforms()));
    SplitConfig s = c.split() == null ? new SplitConfig(null, null, null, null, null, null, null) : c.split();
    Map<String, Double> ratios = s.ratios();
    if (ratios == null) {
      ratios = new LinkedHashMap<>();
      ratios.put("train", 0.7);
      ratios.put("val", 0.15);
      ratios.put("test", 0.15);
    }
    String splitType = or(s.type(), "random");
    SplitConfig split = new SplitConfig(splitType, ratios, s.stratifyBy(),
        splitType.equals("kfold") ? or(s.folds(), 5) : s.folds(), splitType.equals("kfold") ? or(s.fold(), 0) : s.fold(),
        s.lists(), s.path());
    LoaderConfig l = c.loader() == null ? new LoaderConfig(null, null, null, null, null) : c.loader();
    int workers = or(l.numWorkers(), 0);
    LoaderConfig loader =
        new LoaderConfig(
            or(l.batchSize(), 32),
            or(l.shuffle(), true),
            or(l.dropLast(), false),
            workers,
            or(l.prefetch(), Math.max(2, 2 * workers)));
    DetectionConfig detection = detection(c.detection());
    Map<String, HeadConfig> heads = new LinkedHashMap<>();
    if (c.model().heads() != null) {
      c.model().heads().forEach((name, h) -> {
        if (h == null) {
          heads.put(name, new HeadConfig(null, name, List.of(), null, List.of(), 1, "conv"));
          return;
        }
        List<String> taps = or(h.taps(), List.of());
        Integer perLocation = h.anchorsPerLocation();
        if (perLocation == null) {
          perLocation = taps.isEmpty() || detection == null ? 1 : 2 + 2 * detection.anchors().ratios().size();
        }
        heads.put(name, new HeadConfig(h.type(), or(h.target(), name), or(h.layers(), List.of()), h.from(), taps,
            perLocation, or(h.predictor(), "conv")));
      });
    }
    ModelConfig model = new ModelConfig(c.model().architecture(), or(c.model().width(), 1.0),
        c.model().onnx(), or(c.model().layers(), List.of()), heads);
    List<LossConfig> losses = new ArrayList<>();
    for (int i = 0; i < c.loss().size(); i++) {
      LossConfig lc = c.loss().get(i);
      if (lc == null) {
        throw new ConfigException(file + ": loss." + i + " is empty");
      }
      HeadConfig head = lc.output() == null ? null : heads.get(lc.output());
      String target = lc.target() != null ? lc.target() : head != null ? head.target() : lc.output();
      losses.add(new LossConfig(or(lc.name(), lc.type()), lc.type(), or(lc.weight(), 1.0), lc.output(),
          target, or(lc.params(), Map.of())));
    }
    OptimizerConfig o = c.optimizer() == null
        ? new OptimizerConfig(null, null, null, null, null, null, null, null, null) : c.optimizer();
    OptimizerConfig optimizer =
        new OptimizerConfig(
            or(o.type(), "adam"),
            or(o.lr(), 1e-3),
            or(o.momentum(), 0.0),
            or(o.nesterov(), false),
            or(o.weightDecay(), 0.0),
            or(o.beta1(), 0.9),
            or(o.beta2(), 0.999),
            or(o.eps(), 1e-8),
            or(o.clipNorm(), 0.0),
            o.params() == null ? Map.of() : o.params());
    TrainerConfig t = c.trainer() == null
        ? new TrainerConfig(null, null, null, null, null, null, null, null, null, null, null, null, null) : c.trainer();
    TrainerConfig.PlateauConfig p = t.plateau();
    TrainerConfig.ScheduleConfig sc = t.schedule() == null
        ? new TrainerConfig.ScheduleConfig(null, null, null, null, null, null) : t.schedule();
    TrainerConfig trainer = new TrainerConfig(
        or(t.epochs(), 10),
        or(t.monitor(), "val.total"),
        or(t.minDelta(), 0.0),
        t.earlyStopping(),
        p == null ? null : new TrainerConfig.PlateauConfig(or(p.factor(), 0.1), or(p.patience(), 5),
            or(p.cooldown(), 0), or(p.minLr(), 0.0)),
        new TrainerConfig.ScheduleConfig(or(sc.type(), "constant"), sc.stepEpochs(), or(sc.gamma(), 0.1),
            sc.milestones(), or(sc.warmupEpochs(), 0.0), or(sc.minLr(), 0.0)),
        or(t.checkpoints(), true),
        or(t.testOnBest(), true),
        or(t.progress(), "auto"),
        or(t.progressSeconds(), 10.0),
        new TrainerConfig.IntervalsConfig(t.intervals() == null ? 1000 : or(t.intervals().resamples(), 1000),
            t.intervals() == null ? 0.95 : or(t.intervals().level(), 0.95)),
        t.callbacks() == null ? List.of() : List.copyOf(t.callbacks()),
        dataParallel(t.dataParallel()));
    List<MetricConfig> metrics = new ArrayList<>();
    if (c.metrics() != null) {
      for (int i = 0; i < c.metrics().size(); i++) {
        MetricConfig m = c.metrics().get(i);
        if (m == null) {
          throw new ConfigException(file + ": metrics." + i + " is empty");
        }
        HeadConfig head = m.output() == null ? null : heads.get(m.output());
        metrics.add(new MetricConfig(m.type(), m.output(),
            m.target() != null ? m.target() : head != null ? head.target() : m.output(), or(m.params(), Map.of())));
      }
    } else if (detection != null) {
      metrics.add(new MetricConfig("map", detection.conf(), heads.containsKey(detection.conf())
          ? heads.get(detection.conf()).target() : null, Map.of("iou", 0.5)));
    } else {
      // no metrics listed: every head gets its task's full set
      heads.forEach((name, h) -> {
        List<String> types = "classification".equals(h.type()) ? CLASSIFICATION_METRICS
            : "regression".equals(h.type()) ? REGRESSION_METRICS : List.of();
        types.forEach(type -> metrics.add(new MetricConfig(type, name, h.target(), Map.of())));
      });
    }
    EngineConfig e = c.engine() == null ? new EngineConfig(null, null, null, null) : c.engine();
    EngineConfig engine = new EngineConfig(or(e.intraOpThreads(), 0), or(e.interOpThreads(), 0), or(e.selfCheck(), true),
        or(e.precision(), "float32"));
    return new ExperimentConfig(
        or(c.name(), "experiment"),
        or(c.seed(), 42L),
        or(c.backend(), "pytorch"),
        or(c.device(), "auto"),
        data,
        split,
        loader,
        model,
        losses,
        optimizer,
        trainer,
        metrics,
        engine,
        or(c.runs(), "runs"),
        detection);
  }

  private static TrainerConfig.DataParallelConfig dataParallel(TrainerConfig.DataParallelConfig d) {
    if (d == null) {
      return null;
    }
    int shards = or(d.shards(), 2);
    return new TrainerConfig.DataParallelConfig(or(d.executor(), "spark"), or(d.master(), "local[" + shards + "]"),
        shards, or(d.localSteps(), 1));
  }

  /** The entries with their params never null; null (left out of the resolved config) when none. */
  private static List<TransformConfig> transforms(List<TransformConfig> t) {
    if (t == null || t.isEmpty()) {
      return null;
    }
    List<TransformConfig> out = new ArrayList<>();
    for (TransformConfig e : t) {
      out.add(e == null ? null : new TransformConfig(e.type(), or(e.params(), Map.of())));
    }
    return out;
  }

  private static DetectionConfig detection(DetectionConfig d) {
    if (d == null) {
      return null;
    }
    DetectionConfig.AnchorConfig a = d.anchors() == null ? new DetectionConfig.AnchorConfig(null, null) : d.anchors();
    DetectionConfig.NmsConfig n = d.nms() == null ? new DetectionConfig.NmsConfig(null, null, null, null) : d.nms();
    return new DetectionConfig(
        or(d.loc(), "loc"),
        or(d.conf(), "conf"),
        new DetectionConfig.AnchorConfig(a.sizes(), or(a.ratios(), List.of(2.0, 3.0))),
        or(d.matchIou(), 0.5),
        or(d.variances(), List.of(0.1, 0.2)),
        new DetectionConfig.NmsConfig(or(n.iou(), 0.45), or(n.score(), 0.01), or(n.preTopK(), 200), or(n.topK(), 100)),
        or(d.flip(), 0.0));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
