package io.holdout.api.config;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Precision;
import io.holdout.api.model.arch.Architectures;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Checks a resolved config before anything runs; the first problem found is reported. */
final class ConfigValidator {
  /** Every layer type a config may name: the layer catalogue. */
  static final Set<String> LAYER_TYPES = io.holdout.api.model.LayerCatalog.types();

  private ConfigValidator() {}

  static void validate(ExperimentConfig c, String f) {
    if (c.backend().isBlank()) {
      fail(f, "'backend' is empty (e.g. pytorch)");
    }
    if (!Set.of("auto", "cpu", "gpu").contains(c.device().toLowerCase(Locale.ROOT))) {
      fail(f, "'device' must be auto, cpu or gpu, got '" + c.device() + "'");
    }
    DataConfig d = c.data();
    // sources and split types are registered parts (the built-ins through the datasets plugin)
    io.holdout.api.extension.Extensions.require(io.holdout.api.extension.Extensions.installed().dataSources(),
        io.holdout.api.extension.Extensions.DATA_SOURCE, d.source(), f, "data.source");
    boolean csv = d.source().equals("csv");
    boolean generated = d.source().equals("shapes") || d.source().equals("shape_classes");
    if (!generated && (d.path() == null || d.path().isBlank())) {
      fail(f, "'data.path' is missing");
    }
    if (!Set.of("error", "skip").contains(d.missing())) {
      fail(f, "'data.missing' must be error or skip, got '" + d.missing() + "'");
    }
    if (csv && (d.targets() == null || d.targets().isEmpty())) {
      fail(f, "'data.targets' is missing (target name -> column and type)");
    }
    if (!csv && d.targets() != null) {
      fail(f, "'data.targets' is for csv sources; " + d.source() + " defines its own targets");
    }
    if (d.targets() != null) {
      d.targets().forEach((name, t) -> {
        if (t == null || t.type() == null || !Set.of("class", "number").contains(t.type())) {
          fail(f, "'data.targets." + name + ".type' must be class or number");
        }
      });
    }
    if (d.transforms() != null) {
      // augmentations are registered parts: their factories check their parameters when the data is open
      for (int i = 0; i < d.transforms().size(); i++) {
        TransformConfig tc = d.transforms().get(i);
        if (tc == null) {
          fail(f, "'data.transforms." + i + "' is empty (e.g. {type: random_horizontal_flip, params: {p: 0.5}})");
        }
        io.holdout.api.extension.Extensions.require(io.holdout.api.extension.Extensions.installed().transforms(),
            io.holdout.api.extension.Extensions.TRANSFORM, tc.type(), f, "data.transforms." + i + ".type");
      }
    }
    if (d.imageSize() != null && d.imageSize() <= 0) {
      fail(f, "'data.imageSize' must be > 0, got " + d.imageSize());
    }
    if (generated) {
      if (d.count() <= 0) {
        fail(f, "'data.count' must be > 0, got " + d.count());
      }
      if (d.imageSize() == null) {
        fail(f, "'data.imageSize' is needed for generated shapes (e.g. " + (d.source().equals("shapes") ? "96" : "32")
            + ")");
      }
      if (d.imageSize() < 8) {
        fail(f, "'data.imageSize' must be >= 8 for generated shapes, got " + d.imageSize());
      }
      if (!(d.noise() >= 0 && d.noise() <= 1)) {
        fail(f, "'data.noise' must be in [0, 1], got " + d.noise());
      }
    }
    if (d.source().equals("shapes") && (d.minObjects() < 1 || d.maxObjects() < d.minObjects())) {
      fail(f, "'data.minObjects' must be >= 1 and <= data.maxObjects");
    }
    if (d.source().equals("shape_classes")) {
      if (d.minObjects() != null || d.maxObjects() != null) {
        fail(f, "'data." + (d.minObjects() != null ? "minObjects" : "maxObjects") + "' is for source shapes"
            + " (detection); shape_classes draws one shape per image");
      }
      if (d.classes() != null) {
        fail(f, "'data.classes' is for image folders and VOC; shape_classes has the classes "
            + "rectangle, ellipse, triangle");
      }
    }
    SplitConfig s = c.split();
    io.holdout.api.extension.Extensions.require(io.holdout.api.extension.Extensions.installed().splitters(),
        io.holdout.api.extension.Extensions.SPLITTER, s.type(), f, "split.type");
    if (s.type().equals("kfold") && (s.folds() < 2 || s.fold() < 0 || s.fold() >= s.folds())) {
      fail(f, "'split.folds' must be >= 2 and 'split.fold' in [0, folds), got folds " + s.folds() + ", fold " + s.fold());
    }
    if (s.type().equals("lists") && (s.lists() == null || s.lists().isEmpty())) {
      fail(f, "'split.lists' is needed for split type lists (part -> list file)");
    }
    if (s.type().equals("manifest") && (s.path() == null || s.path().isBlank())) {
      fail(f, "'split.path' is needed for split type manifest (a split.json of an earlier run)");
    }
    double sum = 0;
    for (Map.Entry<String, Double> e : s.ratios().entrySet()) {
      if (!Set.of("train", "val", "test").contains(e.getKey())) {
        fail(f, "'split.ratios." + e.getKey() + "' is not a split (use train, val, test)");
      }
      if (e.getValue() == null || e.getValue() < 0 || e.getValue() > 1) {
        fail(f, "'split.ratios." + e.getKey() + "' must be in [0, 1], got " + e.getValue());
      }
      sum += e.getValue();
    }
    if (Math.abs(sum - 1) > 1e-6) {
      fail(f, String.format(Locale.ROOT, "'split.ratios' sum to %s, not 1 (%s)", trim(sum), s.ratios()));
    }
    if (s.ratios().getOrDefault("train", 0.0) <= 0) {
      fail(f, "'split.ratios.train' must be > 0");
    }
    if (s.stratifyBy() != null && d.targets() != null && !d.targets().containsKey(s.stratifyBy())) {
      fail(f, "'split.stratifyBy' names no target: '" + s.stratifyBy() + "' (targets: " + d.targets().keySet() + ")");
    }
    LoaderConfig l = c.loader();
    if (l.batchSize() <= 0) {
      fail(f, "'loader.batchSize' must be > 0, got " + l.batchSize());
    }
    if (l.numWorkers() < 0) {
      fail(f, "'loader.numWorkers' must be >= 0, got " + l.numWorkers());
    }
    if (l.prefetch() <= 0) {
      fail(f, "'loader.prefetch' must be > 0, got " + l.prefetch());
    }
    checkLayers(c.model().layers(), "model.layers", f);
    List<String> names = Specs.nodeNames(c.model().layers());
    boolean onnx = c.model().onnx() != null;
    if (onnx && c.model().architecture() != null) {
      fail(f, "'model.onnx' and 'model.architecture' both give the model's first nodes: keep one");
    }
    if (onnx && c.model().onnx().isBlank()) {
      fail(f, "'model.onnx' must name an ONNX file");
    }
    // the nodes of an architecture or an imported graph are known only once the model is built
    boolean architecture = c.model().architecture() != null || onnx;
    if (c.model().architecture() != null) {
      String a = c.model().architecture();
      String base = a.endsWith("_ssdlite") ? a.substring(0, a.length() - "_ssdlite".length()) : a;
      if (!Architectures.NAMES.contains(base)) {
        fail(f, "'model.architecture' must be one of " + Architectures.NAMES + " (or one with _ssdlite), got '"
            + a + "'");
      }
      if (!(c.model().width() > 0 && c.model().width() <= 4)) {
        fail(f, "'model.width' must be in (0, 4], got " + c.model().width());
      }
    }
    if (c.model().heads().isEmpty()) {
      fail(f, "'model.heads' is missing (head name -> type classification or regression)");
    }
    c.model().heads().forEach((name, h) -> {
      if (h.type() == null || !Set.of("classification", "regression").contains(h.type())) {
        fail(f, "'model.heads." + name + ".type' must be classification or regression");
      }
      if (d.targets() != null && !d.targets().containsKey(h.target())) {
        fail(f, "'model.heads." + name + ".target' names no target: '" + h.target() + "' (targets: " + d.targets().keySet() + ")");
      }
      checkLayers(h.layers(), "model.heads." + name + ".layers", f);
      for (int i = 0; i < h.layers().size(); i++) {
        if (h.layers().get(i).name() != null || h.layers().get(i).inputs() != null) {
          fail(f, "'model.heads." + name + ".layers." + i + "': a head's layers form a chain; give name and"
              + " inputs to model.layers and let the head read one with 'from'");
        }
      }
      if (h.from() != null && !architecture && !names.contains(h.from())) {
        fail(f, "'model.heads." + name + ".from' names no layer: '" + h.from() + "' (layers: " + names + ")");
      }
      if (!Set.of("conv", "separable").contains(h.predictor())) {
        fail(f, "'model.heads." + name + ".predictor' must be conv or separable, got '" + h.predictor() + "'");
      }
      if (!h.taps().isEmpty()) {
        if (!h.layers().isEmpty()) {
          fail(f, "'model.heads." + name + ".layers' must be empty for a multi-scale head (one with taps)");
        }
        if (h.from() != null) {
          fail(f, "'model.heads." + name + ".from' is for usual heads; a multi-scale head reads its taps");
        }
        for (String tap : h.taps()) {
          if (tap == null || !architecture && Specs.tapNode(tap, names) == null) {
            fail(f, "'model.heads." + name + ".taps' has " + tap + ", neither a layer name nor a layer index (0.."
                + (c.model().layers().size() - 1) + ")");
          }
        }
        if (h.anchorsPerLocation() <= 0) {
          fail(f, "'model.heads." + name + ".anchorsPerLocation' must be > 0, got " + h.anchorsPerLocation());
        }
      }
    });
    checkDetection(c, f);
    for (int i = 0; i < c.loss().size(); i++) {
      LossConfig lc = c.loss().get(i);
      if (lc.type() == null) {
        fail(f, "'loss." + i + ".type' is missing (e.g. mse, cross_entropy)");
      }
      if (lc.output() == null || !c.model().heads().containsKey(lc.output())) {
        fail(f, "'loss." + i + ".output' must name a head (heads: " + c.model().heads().keySet() + "), got '" + lc.output() + "'");
      }
      if (lc.weight() < 0) {
        fail(f, "'loss." + i + ".weight' must be >= 0, got " + lc.weight());
      }
    }
    for (int i = 0; i < c.metrics().size(); i++) {
      MetricConfig m = c.metrics().get(i);
      if (m.type() == null) {
        fail(f, "'metrics." + i + ".type' is missing (e.g. accuracy)");
      }
      if (m.output() == null || !c.model().heads().containsKey(m.output())) {
        fail(f, "'metrics." + i + ".output' must name a head (heads: " + c.model().heads().keySet() + "), got '" + m.output() + "'");
      }
      if ("map".equals(m.type()) && c.detection() == null) {
        fail(f, "'metrics." + i + "' (map) needs a 'detection' section (anchors, box encoding, NMS)");
      }
    }
    OptimizerConfig o = c.optimizer();
    if (!(o.lr() > 0)) {
      fail(f, "'optimizer.lr' must be > 0, got " + o.lr());
    }
    if (!(o.clipNorm() >= 0)) {
      fail(f, "'optimizer.clipNorm' must be >= 0 (0 = no clipping), got " + o.clipNorm());
    }
    // the optimizer is a registered part: its factory checks its own settings
    try {
      io.holdout.api.extension.Parts.build(io.holdout.api.extension.Extensions.installed().optimizers(), o, null);
    } catch (HoldoutException e) {
      fail(f, e.getMessage());
    }
    TrainerConfig t = c.trainer();
    if (t.epochs() <= 0) {
      fail(f, "'trainer.epochs' must be > 0, got " + t.epochs());
    }
    if (t.minDelta() < 0) {
      fail(f, "'trainer.minDelta' must be >= 0");
    }
    if (t.earlyStopping() != null && (t.earlyStopping().patience() == null || t.earlyStopping().patience() <= 0)) {
      fail(f, "'trainer.earlyStopping.patience' must be > 0");
    }
    if (t.plateau() != null) {
      TrainerConfig.PlateauConfig p = t.plateau();
      if (!(p.factor() > 0 && p.factor() < 1)) {
        fail(f, "'trainer.plateau.factor' must be in (0, 1), got " + p.factor());
      }
      if (p.patience() <= 0 || p.cooldown() < 0 || p.minLr() < 0) {
        fail(f, "'trainer.plateau' needs patience > 0, cooldown >= 0 and minLr >= 0");
      }
    }
    // the schedule is a registered part: its factory checks its own settings
    io.holdout.api.extension.ScheduleFactory schedule;
    try {
      schedule = io.holdout.api.extension.Extensions.require(
          io.holdout.api.extension.Extensions.installed().schedules(), io.holdout.api.extension.Extensions.SCHEDULE,
          t.schedule().type(), null, "trainer.schedule.type");
      schedule.create(t.schedule());
    } catch (HoldoutException e) {
      fail(f, e.getMessage());
    }
    // callbacks are registered parts; -NAME switches a default one off
    io.holdout.api.extension.Parts.callbackNames(t.callbacks(), io.holdout.api.extension.Extensions.installed()
        .callbacks(), io.holdout.api.extension.Extensions.installed().defaultCallbacks(), f);
    // YAML reads an unquoted off/no as false: accept it as none
    if (!Set.of("auto", "bar", "lines", "none", "off", "false").contains(t.progress())) {
      fail(f, "'trainer.progress' must be auto, bar, lines or none, got '" + t.progress() + "'");
    }
    if (t.intervals().resamples() < 0) {
      fail(f, "'trainer.intervals.resamples' must be >= 0 (0 = no intervals), got " + t.intervals().resamples());
    }
    if (!(t.intervals().level() > 0 && t.intervals().level() < 1)) {
      fail(f, "'trainer.intervals.level' must be in (0, 1), got " + t.intervals().level());
    }
    TrainerConfig.DataParallelConfig dp = t.dataParallel();
    if (dp != null) {
      if (dp.shards() < 1) {
        fail(f, "'trainer.dataParallel.shards' must be >= 1, got " + dp.shards());
      }
      if (dp.localSteps() < 1) {
        fail(f, "'trainer.dataParallel.localSteps' must be >= 1, got " + dp.localSteps());
      }
      if (c.loader().batchSize() < dp.shards()) {
        fail(f, "'trainer.dataParallel.shards' is " + dp.shards() + " but 'loader.batchSize' is "
            + c.loader().batchSize() + ": every shard needs at least one sample of each batch");
      }
    }
    if (c.engine().intraOpThreads() < 0 || c.engine().interOpThreads() < 0) {
      fail(f, "'engine' thread counts must be >= 0");
    }
    if (Precision.parse(c.engine().precision()) == null) {
      fail(f, "'engine.precision' must be float32 or float64, got '" + c.engine().precision() + "'");
    }
  }

  private static void checkDetection(ExperimentConfig c, String f) {
    DetectionConfig det = c.detection();
    boolean detectionSource = Set.of("shapes", "voc", "coco").contains(c.data().source());
    if (det == null) {
      c.model().heads().forEach((name, h) -> {
        if (!h.taps().isEmpty() && detectionSource) {
          fail(f, "'model.heads." + name + "' reads taps of a detection set: add a 'detection' section (anchors)");
        }
      });
      return;
    }
    if (!detectionSource) {
      fail(f, "'detection' needs a detection data source (shapes, voc or coco), not " + c.data().source());
    }
    HeadConfig loc = c.model().heads().get(det.loc());
    HeadConfig conf = c.model().heads().get(det.conf());
    if (loc == null || !"regression".equals(loc.type()) || loc.taps().isEmpty()) {
      fail(f, "'detection.loc' must name a regression head with taps (heads: " + c.model().heads().keySet()
          + "), got '" + det.loc() + "'");
    }
    if (conf == null || !"classification".equals(conf.type()) || conf.taps().isEmpty()) {
      fail(f, "'detection.conf' must name a classification head with taps (heads: " + c.model().heads().keySet()
          + "), got '" + det.conf() + "'");
    }
    if (!loc.taps().equals(conf.taps()) || !loc.anchorsPerLocation().equals(conf.anchorsPerLocation())) {
      fail(f, "heads '" + det.loc() + "' and '" + det.conf() + "' must read the same taps with the same "
          + "anchorsPerLocation (" + loc.taps() + " x" + loc.anchorsPerLocation() + " vs " + conf.taps() + " x"
          + conf.anchorsPerLocation() + ")");
    }
    DetectionConfig.AnchorConfig a = det.anchors();
    int maps = loc.taps().size();
    if (a.sizes() == null || a.sizes().size() != maps + 1) {
      fail(f, "'detection.anchors.sizes' needs " + (maps + 1) + " sizes for " + maps
          + " feature maps (one per map and one beyond the last), got " + a.sizes());
    }
    for (int i = 0; i < a.sizes().size(); i++) {
      Double v = a.sizes().get(i);
      if (v == null || !(v > 0) || (i > 0 && v < a.sizes().get(i - 1))) {
        fail(f, "'detection.anchors.sizes' must be positive and non-decreasing, got " + a.sizes());
      }
    }
    for (Double r : a.ratios()) {
      if (r == null || !(r > 1)) {
        fail(f, "'detection.anchors.ratios' must each be > 1 (1 is always included), got " + a.ratios());
      }
    }
    int perLocation = 2 + 2 * a.ratios().size();
    if (loc.anchorsPerLocation() != perLocation) {
      fail(f, "'model.heads." + det.loc() + ".anchorsPerLocation' is " + loc.anchorsPerLocation() + " but "
          + a.ratios().size() + " anchor ratios give " + perLocation + " boxes per cell");
    }
    if (!(det.matchIou() > 0 && det.matchIou() <= 1)) {
      fail(f, "'detection.matchIou' must be in (0, 1], got " + det.matchIou());
    }
    if (det.variances().size() != 2 || det.variances().stream().anyMatch(v -> v == null || !(v > 0))) {
      fail(f, "'detection.variances' must be two positive numbers (centre, size), got " + det.variances());
    }
    DetectionConfig.NmsConfig n = det.nms();
    if (!(n.iou() > 0 && n.iou() <= 1) || !(n.score() >= 0 && n.score() < 1) || n.preTopK() <= 0 || n.topK() <= 0) {
      fail(f, "'detection.nms' needs iou in (0, 1], score in [0, 1), preTopK > 0 and topK > 0");
    }
    if (!(det.flip() >= 0 && det.flip() <= 1)) {
      fail(f, "'detection.flip' must be a probability in [0, 1], got " + det.flip());
    }
  }

  private static void checkLayers(List<LayerConfig> layers, String where, String f) {
    for (int i = 0; i < layers.size(); i++) {
      LayerConfig l = layers.get(i);
      String key = where + "." + i;
      if (l == null || l.type() == null || !LAYER_TYPES.contains(l.type())) {
        fail(f, "'" + key + ".type' must be one of " + new java.util.TreeSet<>(LAYER_TYPES)
            + (l == null || l.type() == null ? "" : ", got '" + l.type() + "'"));
      }
      switch (l.type()) {
        case "dense" -> positive(l.units(), key + ".units", f);
        case "anchors" -> positive(l.units(), key + ".units", f);
        case "dropout" -> {
          if (l.rate() == null || l.rate() < 0 || l.rate() >= 1) {
            fail(f, "'" + key + ".rate' must be in [0, 1)");
          }
        }
        case "conv2d" -> {
          if (l.filters() == null || l.filters() <= 0 || l.kernel() == null || l.kernel() <= 0) {
            fail(f, "'" + key + "' (conv2d) needs filters > 0 and kernel > 0");
          }
          optionalPositive(l.stride(), key + ".stride", f);
          optionalPositive(l.dilation(), key + ".dilation", f);
          optionalPositive(l.groups(), key + ".groups", f);
          if (l.padding() != null && l.padding() < 0) {
            fail(f, "'" + key + ".padding' must be >= 0, got " + l.padding());
          }
          if (l.groups() != null && l.filters() % l.groups() != 0) {
            fail(f, "'" + key + ".filters' (" + l.filters() + ") must be a multiple of groups (" + l.groups() + ")");
          }
        }
        case "maxpool", "avgpool" -> {
          positive(l.kernel(), key + ".kernel", f);
          optionalPositive(l.stride(), key + ".stride", f);
          if (l.padding() != null && (l.padding() < 0 || 2 * l.padding() > l.kernel())) {
            fail(f, "'" + key + ".padding' must be in [0, kernel/2], got " + l.padding());
          }
        }
        case "leaky_relu" -> {
          if (l.slope() != null && !Double.isFinite(l.slope())) {
            fail(f, "'" + key + ".slope' must be a number");
          }
        }
        case "concat" -> {
          if (l.axis() != null && l.axis() < 0) {
            fail(f, "'" + key + ".axis' must be >= 0 (0 is the first axis after the batch), got " + l.axis());
          }
        }
        case "conv_transpose2d" -> {
          if (l.filters() == null || l.filters() <= 0 || l.kernel() == null || l.kernel() <= 0) {
            fail(f, "'" + key + "' (conv_transpose2d) needs filters > 0 and kernel > 0");
          }
          optionalPositive(l.stride(), key + ".stride", f);
          if (l.padding() != null && l.padding() < 0) {
            fail(f, "'" + key + ".padding' must be >= 0, got " + l.padding());
          }
          int stride = l.stride() == null ? 1 : l.stride();
          if (l.outputPadding() != null && (l.outputPadding() < 0 || l.outputPadding() >= stride)) {
            fail(f, "'" + key + ".outputPadding' must be in [0, stride) = [0, " + stride + "), got "
                + l.outputPadding());
          }
        }
        case "layer_norm" -> {
          if (l.axis() != null && l.axis() < -1) {
            fail(f, "'" + key + ".axis' must be >= 0, or -1 for the last axis, got " + l.axis());
          }
        }
        case "l2norm" -> {
          if (l.scale() != null && !(l.scale() > 0 && Double.isFinite(l.scale()))) {
            fail(f, "'" + key + ".scale' must be > 0, got " + l.scale());
          }
        }
        case "upsample" -> {
          if (l.scale() == null || l.scale() < 1 || l.scale() != Math.rint(l.scale())) {
            fail(f, "'" + key + ".scale' must be a whole number >= 1" + (l.scale() == null ? "" : ", got "
                + trim(l.scale())));
          }
          if (l.mode() != null && !Set.of("nearest", "bilinear").contains(l.mode())) {
            fail(f, "'" + key + ".mode' must be nearest or bilinear, got '" + l.mode() + "'");
          }
          if (Boolean.TRUE.equals(l.alignCorners()) && !"bilinear".equals(l.mode())) {
            fail(f, "'" + key + ".alignCorners' applies to mode bilinear only");
          }
        }
        case "reshape" -> {
          if (l.shape() == null || l.shape().isEmpty() || l.shape().stream().anyMatch(d -> d == null || d == 0
              || d < -1) || l.shape().stream().filter(d -> d == -1).count() > 1) {
            fail(f, "'" + key + ".shape' must list dimensions > 0, at most one of them -1" + (l.shape() == null
                ? "" : ", got " + l.shape()));
          }
        }
        case "embedding" -> {
          positive(l.vocab(), key + ".vocab", f);
          positive(l.dim(), key + ".dim", f);
        }
        default -> { }
      }
      if (Set.of("add", "mul", "concat").contains(l.type()) && (l.inputs() == null || l.inputs().size() < 2)) {
        fail(f, "'" + key + ".inputs' must name two or more layers for " + l.type());
      }
    }
  }

  private static void positive(Integer v, String key, String f) {
    if (v == null || v <= 0) {
      fail(f, "'" + key + "' must be > 0" + (v == null ? "" : ", got " + v));
    }
  }

  private static void optionalPositive(Integer v, String key, String f) {
    if (v != null && v <= 0) {
      fail(f, "'" + key + "' must be > 0, got " + v);
    }
  }

  private static String trim(double v) {
    return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "");
  }

  private static void fail(String file, String message) {
    throw new ConfigException(file + ": " + message);
  }
}
