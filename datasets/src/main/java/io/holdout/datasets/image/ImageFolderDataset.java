package io.holdout.datasets.image;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.IdentifiedDataset;
import io.holdout.datasets.transform.ImageOps;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The images of an {@link ImageFolderSource}: file paths and class indices in memory, pixels
 * decoded in {@link #get}. The class target is named {@value ImageFolderSource#TARGET}.
 */
public final class ImageFolderDataset implements IdentifiedDataset {
  private final Path root;
  private final List<Path> files;
  private final int[] labels;
  private final int channels;
  private final int height;
  private final int width;
  private final boolean resize;
  private final List<Path> ignored;
  private final DatasetSchema schema;

  ImageFolderDataset(
      Path root,
      List<Path> files,
      int[] labels,
      List<String> classes,
      int channels,
      int height,
      int width,
      boolean resize,
      List<Path> ignored) {
    this.root = root;
    this.files = List.copyOf(files);
    this.labels = labels;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.resize = resize;
    this.ignored = List.copyOf(ignored);
    Map<String, TargetInfo> t = new LinkedHashMap<>();
    t.put(ImageFolderSource.TARGET, TargetInfo.classes(classes));
    this.schema = new DatasetSchema(new long[] {channels, height, width}, List.of(), t);
  }

  @Override
  public DatasetSchema schema() {
    return schema;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public Sample get(int index) {
    Path file = files.get(index);
    BufferedImage img = Images.read(file);
    Field f = Images.toField(img, channels);
    if (img.getWidth() != width || img.getHeight() != height) {
      if (!resize) {
        throw new HoldoutException(
            file
                + ": image is "
                + img.getWidth()
                + "x"
                + img.getHeight()
                + ", but the dataset's"
                + " images are "
                + width
                + "x"
                + height
                + " (set a size to resize on read)");
      }
      f =
          Field.floats(
              new long[] {channels, height, width},
              ImageOps.resize(
                  f.floats(), channels, img.getHeight(), img.getWidth(), height, width));
    }
    Map<String, Field> fields = new LinkedHashMap<>();
    fields.put(Batch.INPUT, f);
    fields.put(ImageFolderSource.TARGET, Field.label(labels[index]));
    return new Sample(id(index), fields);
  }

  @Override
  public String id(int index) {
    return root.relativize(files.get(index)).toString().replace('\\', '/');
  }

  @Override
  public String describe(int index) {
    return files.get(index).toString();
  }

  @Override
  public OptionalLong label(int index, String target) {
    return ImageFolderSource.TARGET.equals(target)
        ? OptionalLong.of(labels[index])
        : OptionalLong.empty();
  }

  /** The image file of sample {@code index}. */
  public Path file(int index) {
    return files.get(index);
  }

  /** Files in the class folders that are not images, left out. */
  public List<Path> ignoredFiles() {
    return ignored;
  }
}
