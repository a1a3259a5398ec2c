package io.holdout.datasets.image;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.datasets.Detection;
import io.holdout.datasets.IdentifiedDataset;
import io.holdout.datasets.transform.ImageOps;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Images with boxes and labels read from annotation files (VOC, COCO). Annotations are parsed and
 * checked when the source is opened; images are decoded in {@link #get}. Samples follow the {@link
 * Detection} layout.
 */
public final class DetectionDataset implements IdentifiedDataset {
  /** One annotated image; {@code width}/{@code height} as the annotation states them. */
  record Entry(
      String id, Path image, int width, int height, float[] boxes, long[] labels, String where) {}

  private final List<Entry> entries;
  private final int height;
  private final int width;
  private final boolean resize;
  private final DatasetSchema schema;
  private final List<String> problems;

  DetectionDataset(
      List<Entry> entries,
      List<String> classes,
      int height,
      int width,
      boolean resize,
      List<String> problems) {
    this.entries = List.copyOf(entries);
    this.height = height;
    this.width = width;
    this.resize = resize;
    this.schema = Detection.schema(3, height, width, classes);
    this.problems = List.copyOf(problems);
  }

  @Override
  public DatasetSchema schema() {
    return schema;
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public Sample get(int index) {
    Entry e = entries.get(index);
    BufferedImage img = Images.read(e.image());
    if (img.getWidth() != e.width() || img.getHeight() != e.height()) {
      throw new HoldoutException(
          e.image()
              + ": image is "
              + img.getWidth()
              + "x"
              + img.getHeight()
              + " but "
              + e.where()
              + " gives its size as "
              + e.width()
              + "x"
              + e.height());
    }
    Field f = Images.toField(img, 3);
    if (e.width() != width || e.height() != height) {
      if (!resize) {
        throw new HoldoutException(
            e.image()
                + ": image is "
                + e.width()
                + "x"
                + e.height()
                + ", but the dataset's images"
                + " are "
                + width
                + "x"
                + height
                + " (set a size to resize on read)");
      }
      f =
          Field.floats(
              new long[] {3, height, width},
              ImageOps.resize(f.floats(), 3, e.height(), e.width(), height, width));
    }
    return Detection.sample(e.id(), f, e.boxes().clone(), e.labels().clone());
  }

  @Override
  public String id(int index) {
    return entries.get(index).id();
  }

  /** The image file and the annotation it comes from. */
  @Override
  public String describe(int index) {
    Entry e = entries.get(index);
    return e.image() + " (" + e.where() + ")";
  }

  /** The image file of sample {@code index}. */
  public Path file(int index) {
    return entries.get(index).image();
  }

  /** Boxes of sample {@code index}, normalised, without decoding the image. */
  public float[] boxes(int index) {
    return entries.get(index).boxes().clone();
  }

  /** Labels (1-based) of sample {@code index}, without decoding the image. */
  public long[] labels(int index) {
    return entries.get(index).labels().clone();
  }

  /**
   * What was left out when the source was opened: skipped bad annotations or images (with {@code
   * optSkipBad}), crowd or difficult objects. One line each.
   */
  public List<String> problems() {
    return problems;
  }
}
