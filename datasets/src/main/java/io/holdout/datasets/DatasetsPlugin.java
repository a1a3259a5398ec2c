package io.holdout.datasets;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.DataConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.SplitConfig;
import io.holdout.api.config.TargetConfig;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.TargetKind;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.extension.Params;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.datasets.csv.CsvSource;
import io.holdout.datasets.csv.MissingValues;
import io.holdout.datasets.image.CocoSource;
import io.holdout.datasets.image.ImageFolderSource;
import io.holdout.datasets.image.ShapeClassesSource;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.image.VocSource;
import io.holdout.datasets.split.KFoldSplitter;
import io.holdout.datasets.split.OrderedSplitter;
import io.holdout.datasets.split.PredefinedSplitter;
import io.holdout.datasets.split.RandomSplitter;
import io.holdout.datasets.split.Ratios;
import io.holdout.datasets.split.SplitManifest;
import io.holdout.datasets.split.StratifiedSplitter;
import io.holdout.datasets.transform.RandomCrop;
import io.holdout.datasets.transform.RandomHorizontalFlip;
import io.holdout.datasets.transform.Resize;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The datasets module's parts, registered as a plugin like a user's: the data sources {@code csv},
 * {@code imagefolder}, {@code voc}, {@code coco}, {@code shapes}, {@code shape_classes} and the split
 * types {@code random}, {@code stratified}, {@code ordered}, {@code kfold}, {@code lists}, {@code
 * manifest}; and the training augmentations {@code random_horizontal_flip} and {@code random_crop}.
 */
public final class DatasetsPlugin implements Plugin {
  @Override
  public String name() {
    return "datasets";
  }

  @Override
  public void register(Registry r) {
    r.dataSource("csv", DatasetsPlugin::openCsv);
    r.dataSource("imagefolder", (d, loaded) -> {
      ImageFolderSource.Builder b = ImageFolderSource.builder(loaded.resolve(d.path()));
      if (d.imageSize() != null) {
        b.optSize(d.imageSize(), d.imageSize());
      }
      if (d.classes() != null) {
        b.optClasses(d.classes());
      }
      return b.open();
    });
    r.dataSource("voc", (d, loaded) -> {
      VocSource.Builder b = VocSource.builder(loaded.resolve(d.path())).optSkipBad(d.skipBadSamples());
      if (d.imageSize() != null) {
        b.optSize(d.imageSize(), d.imageSize());
      }
      if (d.classes() != null) {
        b.optClasses(d.classes());
      }
      if (d.imageSet() != null) {
        b.optImageSet(d.imageSet());
      }
      return b.open();
    });
    r.dataSource("coco", (d, loaded) -> {
      Path json = loaded.resolve(d.path());
      Path images = d.images() != null ? loaded.resolve(d.images()) : json.getParent().resolve("images");
      CocoSource.Builder b = CocoSource.builder(json, images).optSkipBad(d.skipBadSamples());
      if (d.imageSize() != null) {
        b.optSize(d.imageSize(), d.imageSize());
      }
      return b.open();
    });
    r.dataSource("shapes", (d, loaded) -> ShapesSource.builder(d.count(), d.imageSize(), d.imageSize())
        .optSeed(loaded.config().seed())
        .optObjects(d.minObjects(), d.maxObjects())
        .optNoise(d.noise().floatValue())
        .build()
        .open());
    r.dataSource("shape_classes", (d, loaded) -> ShapeClassesSource.builder(d.count(), d.imageSize(), d.imageSize())
        .optSeed(loaded.config().seed())
        .optNoise(d.noise().floatValue())
        .build()
        .open());

    r.splitter("random", (s, loaded) -> RandomSplitter.ratios(new Ratios(s.ratios()), loaded.config().seed()));
    r.splitter("stratified", (s, loaded) -> dataset -> new StratifiedSplitter(
        classTarget(s, dataset, loaded.source().toString()), new Ratios(s.ratios()), loaded.config().seed())
        .split(dataset));
    r.splitter("ordered", (s, loaded) -> new OrderedSplitter(new Ratios(s.ratios())));
    r.splitter("kfold", (s, loaded) -> {
      long seed = loaded.config().seed();
      double test = s.ratios().getOrDefault(Split.TEST, 0.0);
      KFoldSplitter k = s.stratifyBy() != null
          ? KFoldSplitter.stratified(s.stratifyBy(), s.folds(), seed) : KFoldSplitter.of(s.folds(), seed);
      if (test > 0) {
        k = k.optTest(test);
      }
      return k.fold(s.fold());
    });
    r.splitter("lists", (s, loaded) -> {
      Map<String, Path> files = new LinkedHashMap<>();
      s.lists().forEach((part, f) -> files.put(part, loaded.resolve(f)));
      return PredefinedSplitter.fromListFiles(files);
    });
    r.splitter("manifest", (s, loaded) -> {
      Path m = loaded.resolve(s.path());
      return SplitManifest.read(m).asSplitter(m.toString());
    });
    registerTransforms(r);
  }

  /** The augmentations of image inputs {@code [C, H, W]}; each keeps the input's shape. */
  private static void registerTransforms(Registry r) {
    r.transform("random_horizontal_flip", (params, schema) -> {
      image(schema, "random_horizontal_flip");
      return new RandomHorizontalFlip(Params.of(params, "p").number("p", 0.5, 0, 1));
    });
    r.transform("random_crop", (params, schema) -> {
      image(schema, "random_crop");
      Params p = Params.of(params, "scale", "min_visible");
      double scale = p.number("scale", 0.875, 0, 1);
      double minVisible = p.number("min_visible", 0.25, 0, 1);
      int h = (int) schema.inputShape()[1];
      int w = (int) schema.inputShape()[2];
      int ch = (int) Math.round(h * scale);
      int cw = (int) Math.round(w * scale);
      if (ch < 1 || cw < 1) {
        throw new HoldoutException("parameter 'scale' " + scale + " leaves no pixel of a " + w + "x" + h + " image");
      }
      return new RandomCrop(ch, cw, minVisible).andThen(new Resize(h, w));
    });
  }

  private static void image(DatasetSchema schema, String type) {
    if (schema.inputShape().length != 3) {
      throw new HoldoutException("it changes images [C, H, W], but the data's input is "
          + java.util.Arrays.toString(schema.inputShape()));
    }
  }

  private static Dataset openCsv(DataConfig d, LoadedConfig loaded) {
    String file = loaded.source().toString();
    if (d.delimiter().length() != 1) {
      throw new HoldoutException(file + ": data.delimiter must be one character, got '" + d.delimiter() + "'");
    }
    CsvSource.Builder b = CsvSource.builder(loaded.resolve(d.path()))
        .optDelimiter(d.delimiter().charAt(0))
        .optMissing("skip".equals(d.missing()) ? MissingValues.SKIP : MissingValues.ERROR);
    if (d.features() != null) {
      b.features(d.features());
    }
    for (Map.Entry<String, TargetConfig> e : d.targets().entrySet()) {
      TargetConfig t = e.getValue();
      String column = t.column() == null ? e.getKey() : t.column();
      if ("class".equals(t.type())) {
        if (t.classes() != null) {
          b.classTarget(e.getKey(), column, t.classes());
        } else {
          b.classTarget(e.getKey(), column);
        }
      } else {
        b.target(e.getKey(), column, TargetKind.NUMBER);
      }
    }
    return b.build().open();
  }

  private static String classTarget(SplitConfig s, Dataset dataset, String file) {
    if (s.stratifyBy() != null) {
      return s.stratifyBy();
    }
    return dataset.schema().targets().entrySet().stream()
        .filter(e -> e.getValue().kind() == TargetKind.CLASS).map(Map.Entry::getKey).findFirst()
        .orElseThrow(() -> new HoldoutException(file + ": split.type stratified needs a class target (split.stratifyBy)"));
  }
}
