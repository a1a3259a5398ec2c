package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.DataConfig;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.LoaderConfig;
import io.holdout.api.config.SplitConfig;
import io.holdout.api.config.Specs;
import io.holdout.api.model.ModelSpec;
import io.holdout.datasets.transform.SampleTransform;
import io.holdout.api.config.TargetConfig;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import io.holdout.api.extension.Extensions;
import io.holdout.api.extension.Parts;
import io.holdout.datasets.Datasets;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.datasets.split.LeakageCheck;
import io.holdout.datasets.split.SplitManifest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import io.holdout.datasets.transform.Standardizer;
import java.util.Map;

/**
 * Builds the data side of an experiment from its config: the dataset, the split, the standardiser
 * (fitted on the training part only) and one loader per part.
 */
public final class DataSetup implements AutoCloseable {
  private final Dataset dataset;
  private final Split split;
  private final Standardizer standardizer;
  private final DataLoader train;
  private final DataLoader val;
  private final DataLoader test;
  private final ModelSpec model;
  private final DetectionSetup detection;

  private DataSetup(Dataset dataset, Split split, Standardizer standardizer, DataLoader train,
      DataLoader val, DataLoader test, ModelSpec model, DetectionSetup detection) {
    this.model = model;
    this.detection = detection;
    this.dataset = dataset;
    this.split = split;
    this.standardizer = standardizer;
    this.train = train;
    this.val = val;
    this.test = test;
  }

  /** The data of {@code loaded}, with the parts of the plugins on the class path. */
  public static DataSetup build(LoadedConfig loaded) {
    return build(loaded, Parts.of(Extensions.installed()));
  }

  /** The data of {@code loaded}: its source and splitter looked up in {@code parts}. */
  public static DataSetup build(LoadedConfig loaded, Parts parts) {
    ExperimentConfig c = loaded.config();
    String file = loaded.source().toString();
    Dataset dataset = parts.openData(c.data(), loaded);
    Split split = splitter(parts, c.split(), loaded).split(dataset);
    Dataset trainPart = Datasets.part(dataset, split, Split.TRAIN);
    Dataset valPart = Datasets.part(dataset, split, Split.VAL);
    Dataset testPart = Datasets.part(dataset, split, Split.TEST);
    if (trainPart.size() == 0) {
      throw new HoldoutException(file + ": the training split is empty");
    }
    Standardizer std = null;
    if (Boolean.TRUE.equals(c.data().standardize())) {
      std = Standardizer.fit(trainPart);
      trainPart = std.applyTo(trainPart);
      valPart = std.applyTo(valPart);
      testPart = std.applyTo(testPart);
    }
    LoaderConfig l = c.loader();
    if (l.batchSize() > trainPart.size()) {
      // an error, not a warning: with it, an epoch would be one short batch (or none with dropLast)
      throw new HoldoutException(file + ": loader.batchSize " + l.batchSize() + " is larger than the training split ("
          + trainPart.size() + " samples)");
    }
    boolean skip = c.data().skipBadSamples();
    ModelSpec model = null;
    DetectionSetup detection = null;
    if (c.detection() != null) {
      model = Specs.model(c.model(), dataset.schema(), file);
      detection = DetectionSetup.of(c.detection(), model, file);
    }
    SampleTransform augment = augmentations(parts, c.data(), dataset.schema(), file);
    DataLoader train = loader(trainPart, l, c.seed(), l.shuffle(), l.dropLast(), skip,
        detection == null ? augment : detection.trainTransform(augment), detection);
    DataLoader val = loader(valPart, l, c.seed(), false, false, skip,
        detection == null ? null : detection.evalTransform(), detection);
    DataLoader test = loader(testPart, l, c.seed(), false, false, skip,
        detection == null ? null : detection.evalTransform(), detection);
    return new DataSetup(dataset, split, std, train, val, test, model, detection);
  }

  /**
   * The training augmentations {@code data.transforms} lists, each built by the registered part its
   * type names, in order; null when there are none.
   */
  static SampleTransform augmentations(Parts parts, DataConfig d, DatasetSchema schema, String file) {
    if (d.transforms() == null || d.transforms().isEmpty()) {
      return null;
    }
    SampleTransform t = null;
    for (int i = 0; i < d.transforms().size(); i++) {
      SampleTransform next = SampleTransform.of(parts.transform(d.transforms().get(i), i, schema, file));
      t = t == null ? next : t.andThen(next);
    }
    return t;
  }

  private static DataLoader loader(Dataset part, LoaderConfig l, long seed, boolean shuffle, boolean dropLast,
      boolean skipBad, SampleTransform transform, DetectionSetup detection) {
    DataLoader.Builder b = DataLoader.builder(part, l.batchSize())
        .optShuffle(shuffle)
        .optDropLast(dropLast)
        .optSeed(seed)
        .optNumWorkers(l.numWorkers())
        .optPrefetch(l.prefetch())
        .optSkipBadSamples(skipBad);
    if (transform != null) {
      b.optTransform(transform);
    }
    if (detection != null) {
      b.optPadded(detection.paddedFields());
    }
    return b.build();
  }

  /**
   * The data of a saved run to evaluate it, with nothing refitted: the config's data, or every row
   * of {@code dataFile} (a file of the same source type and columns, all in the part {@code test}),
   * opened with the run's feature order and class lists, split by the run's {@code split.json} (the
   * config's data only; it checks that the data is the one the run was split on), standardised
   * with the run's statistics, each part loaded in order without augmentation.
   */
  static DataSetup forRun(SavedRun saved, Path dataFile) {
    LoadedConfig loaded = saved.loaded;
    ExperimentConfig c = loaded.config();
    String file = loaded.source().toString();
    DataConfig d = recorded(c.data(), saved.prep, dataFile, file);
    if (dataFile == null && d.path() != null && !java.nio.file.Files.exists(loaded.resolve(d.path()))) {
      throw new HoldoutException(saved.run.dir() + ": the run's data " + loaded.resolve(d.path()) + " is not there"
          + " (moved?); evaluate --data FILE scores every row of a file with the same columns");
    }
    Dataset dataset = open(loaded, d);
    String where = dataFile != null ? dataFile.toString() : d.path() != null ? loaded.resolve(d.path()).toString()
        : "data." + d.source();
    checkSchema(dataset.schema(), saved.prep, where);
    Split split;
    if (dataFile == null) {
      Path m = saved.run.file(RunFolder.SPLIT);
      if (!java.nio.file.Files.exists(m)) {
        throw new HoldoutException(m + ": file not found (the run's split manifest; evaluate --data FILE scores"
            + " every row of a file instead)");
      }
      split = SplitManifest.read(m).splitFor(dataset, m.toString());
    } else {
      int[] all = new int[dataset.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      split = new Split(Map.of(Split.TEST, all), c.seed(), "all rows of " + dataFile.getFileName());
    }
    Dataset trainPart = Datasets.part(dataset, split, Split.TRAIN);
    Dataset valPart = Datasets.part(dataset, split, Split.VAL);
    Dataset testPart = Datasets.part(dataset, split, Split.TEST);
    Standardizer std = saved.prep.input().standardizer();
    if (std != null) {
      trainPart = std.applyTo(trainPart);
      valPart = std.applyTo(valPart);
      testPart = std.applyTo(testPart);
    }
    LoaderConfig l = c.loader();
    boolean skip = c.data().skipBadSamples();
    DetectionSetup detection = saved.detection;
    SampleTransform t = detection == null ? null : detection.evalTransform();
    return new DataSetup(dataset, split, std, loader(trainPart, l, c.seed(), false, false, skip, t, detection),
        loader(valPart, l, c.seed(), false, false, skip, t, detection),
        loader(testPart, l, c.seed(), false, false, skip, t, detection), saved.model, detection);
  }

  /**
   * The config's data section with the run's feature order and class lists in place (so class
   * {@code i} is the run's class {@code i} whichever classes the data holds) and, with {@code
   * dataFile}, that file as the path.
   */
  private static DataConfig recorded(DataConfig d, Preprocessing prep, Path dataFile, String file) {
    String path = d.path();
    String images = d.images();
    if (dataFile != null) {
      if (path == null) {
        throw new HoldoutException("--data: the run's data (" + file + ": data.source " + d.source() + ") is"
            + " generated from the seed, so there is no file to replace");
      }
      path = dataFile.toAbsolutePath().toString();
      images = null;
    }
    List<String> features = d.features();
    Map<String, TargetConfig> targets = d.targets();
    List<String> classes = d.classes();
    if ("csv".equals(d.source())) {
      features = prep.input().features();
      targets = new LinkedHashMap<>();
      for (Map.Entry<String, TargetConfig> e : d.targets().entrySet()) {
        TargetConfig t = e.getValue();
        Preprocessing.Target r = prep.targets().get(e.getKey());
        targets.put(e.getKey(), "class".equals(t.type()) && r != null && !r.classes().isEmpty()
            ? new TargetConfig(t.column(), t.type(), r.classes()) : t);
      }
    } else if ("imagefolder".equals(d.source()) || "voc".equals(d.source())) {
      classes = prep.targets().values().stream().filter(t -> !t.classes().isEmpty()).findFirst()
          .map(Preprocessing.Target::classes).orElse(d.classes());
    }
    return new DataConfig(d.source(), path, features, targets, d.standardize(), d.missing(), d.delimiter(), images,
        d.imageSize(), classes, d.imageSet(), d.count(), d.minObjects(), d.maxObjects(), d.noise(),
        d.skipBadSamples(), d.transforms());
  }

  /** The data must have the run's input shape, feature order and class lists. */
  private static void checkSchema(DatasetSchema s, Preprocessing prep, String where) {
    if (!java.util.Arrays.equals(s.inputShape(), prep.input().shape())) {
      throw new HoldoutException(where + ": the data's input is " + java.util.Arrays.toString(s.inputShape())
          + " but the run's model reads " + java.util.Arrays.toString(prep.input().shape()));
    }
    if (!prep.input().features().isEmpty() && !s.inputNames().equals(prep.input().features())) {
      throw new HoldoutException(where + ": features " + s.inputNames() + " are not the run's "
          + prep.input().features());
    }
    for (Map.Entry<String, Preprocessing.Target> e : prep.targets().entrySet()) {
      TargetInfo t = s.targets().get(e.getKey());
      if (t == null) {
        throw new HoldoutException(where + ": the data has no target '" + e.getKey() + "' (targets: "
            + s.targets().keySet() + ")");
      }
      if (!t.classes().equals(e.getValue().classes())) {
        throw new HoldoutException(where + ": target '" + e.getKey() + "' has classes " + t.classes()
            + " but the run was trained with " + e.getValue().classes());
      }
    }
  }

  static Dataset open(LoadedConfig loaded) {
    return open(loaded, loaded.config().data());
  }

  /** The dataset {@code d} describes, opened by the registered source {@code data.source} names. */
  static Dataset open(LoadedConfig loaded, DataConfig d) {
    return Parts.of(Extensions.installed()).openData(d, loaded);
  }

  /** The splitter {@code s} describes, built by the registered split type {@code split.type} names. */
  static Splitter splitter(Parts parts, SplitConfig s, LoadedConfig loaded) {
    return parts.splitter(s, loaded);
  }

  /** Samples whose content is identical across parts (a leak), computed on demand. */
  public LeakageCheck.Report leakage() {
    return LeakageCheck.run(dataset, split);
  }

  /** The manifest of this split (indices and ids per part, seed, hashes). */
  public SplitManifest manifest() {
    return SplitManifest.of(dataset, split);
  }

  public Dataset dataset() {
    return dataset;
  }

  public Split split() {
    return split;
  }

  /** The fitted standardiser, or null when {@code data.standardize} is off. */
  public Standardizer standardizer() {
    return standardizer;
  }

  /** The model spec when the data needed it (detection: anchors come from the heads), else null. */
  public ModelSpec model() {
    return model;
  }

  /** Anchors, encoder and decoder of a detection experiment, or null. */
  public DetectionSetup detection() {
    return detection;
  }

  public DataLoader train() {
    return train;
  }

  public DataLoader val() {
    return val;
  }

  public DataLoader test() {
    return test;
  }

  @Override
  public void close() {
    train.close();
    val.close();
    test.close();
  }
}
