package io.holdout.datasets.image;

import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.DatasetSource;
import io.holdout.datasets.IdentifiedDataset;
import io.holdout.datasets.internal.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A generated image-classification dataset: one coloured rectangle, ellipse or triangle per image on
 * a noisy background; the class is the shape's kind. Sample {@code i} is drawn in {@link #get} from
 * {@code (seed, i)} alone, so the set is deterministic, costs no memory, and can be any size.
 *
 * <p>Classes, in index order: {@code rectangle} (0), {@code ellipse} (1), {@code triangle} (2), the
 * kinds of {@link ShapesSource}. Sample {@code i} is of class {@code i mod 3}, so the classes are
 * balanced (any {@code 3k} consecutive samples hold {@code k} of each) and {@link #label} knows a
 * sample's class without drawing it. The shape's width and height are each uniform in {@code
 * [max(4, side/6), max(4, 3·side/4)]} pixels of the image side, independently (so an ellipse may be
 * long and thin), its position uniform over the places where it fits; background and shape colours
 * are random (the shape's redrawn until it is more than 0.6 from the background, summed over RGB);
 * uniform noise of the given amplitude is added to every pixel. Drawing follows {@link
 * ShapesSource}: a rectangle fills its box, an ellipse is inscribed in it, a triangle has its base on
 * the box's bottom edge and its apex on the top edge.
 *
 * <p>The input is float {@code [3, H, W]} RGB in [0, 1]; the class target is named {@value #TARGET},
 * as {@link ImageFolderSource}'s.
 */
public final class ShapeClassesSource implements IdentifiedDataset, DatasetSource {
  /** Name of the class target. */
  public static final String TARGET = ImageFolderSource.TARGET;

  /** Class names in index order. */
  public static final List<String> CLASSES = ShapesSource.CLASSES;

  private final int count;
  private final int height;
  private final int width;
  private final long seed;
  private final float noise;
  private final DatasetSchema schema;

  private ShapeClassesSource(Builder b) {
    this.count = b.count;
    this.height = b.height;
    this.width = b.width;
    this.seed = b.seed;
    this.noise = b.noise;
    Map<String, TargetInfo> t = new LinkedHashMap<>();
    t.put(TARGET, TargetInfo.classes(CLASSES));
    this.schema = new DatasetSchema(new long[] {3, height, width}, List.of(), t);
  }

  /**
   * @param count number of images
   * @param height image height in pixels (at least 8)
   * @param width image width in pixels (at least 8)
   */
  public static Builder builder(int count, int height, int width) {
    return new Builder(count, height, width);
  }

  @Override
  public ShapeClassesSource open() {
    return this;
  }

  @Override
  public DatasetSchema schema() {
    return schema;
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public String id(int index) {
    return "shape-classes-" + index;
  }

  @Override
  public String describe(int index) {
    return "shape-classes image " + index + " (seed " + seed + ")";
  }

  /** The class index of sample {@code index}: {@code index mod 3}. */
  public int classOf(int index) {
    Objects.checkIndex(index, count);
    return index % CLASSES.size();
  }

  @Override
  public OptionalLong label(int index, String target) {
    return TARGET.equals(target) ? OptionalLong.of(classOf(index)) : OptionalLong.empty();
  }

  /**
   * The shape of sample {@code index} without drawing the image: its box in pixels and its kind as
   * {@link ShapesSource.Shape#label()}, which is 1-based ({@code classOf(index) + 1}).
   */
  public ShapesSource.Shape shape(int index) {
    return shape(index, new Rng(Rng.mix(seed, index)));
  }

  private ShapesSource.Shape shape(int index, Rng rng) {
    int kind = classOf(index) + 1;
    int bw = side(width, rng);
    int bh = side(height, rng);
    int x0 = rng.nextInt(width - bw + 1);
    int y0 = rng.nextInt(height - bh + 1);
    return new ShapesSource.Shape(kind, x0, y0, x0 + bw, y0 + bh, x0 + rng.nextInt(bw + 1));
  }

  private static int side(int image, Rng rng) {
    int min = Math.max(4, image / 6);
    int max = Math.max(min, 3 * image / 4);
    return min + rng.nextInt(max - min + 1);
  }

  @Override
  public Sample get(int index) {
    Objects.checkIndex(index, count);
    Rng rng = new Rng(Rng.mix(seed, index));
    ShapesSource.Shape s = shape(index, rng);
    float[] img = new float[3 * height * width];
    float[] bg = ShapesSource.paintBackground(img, rng);
    ShapesSource.draw(img, height, width, s, ShapesSource.contrasting(bg, rng));
    ShapesSource.addNoise(img, noise, rng);
    Map<String, Field> fields = new LinkedHashMap<>();
    fields.put(Batch.INPUT, Field.floats(new long[] {3, height, width}, img));
    fields.put(TARGET, Field.label(classOf(index)));
    return new Sample(id(index), fields);
  }

  /** Configures a {@link ShapeClassesSource}. */
  public static final class Builder {
    private final int count;
    private final int height;
    private final int width;
    private long seed;
    private float noise = 0.1f;

    private Builder(int count, int height, int width) {
      if (count < 0) {
        throw new IllegalArgumentException("count must be >= 0: " + count);
      }
      if (height < 8 || width < 8) {
        throw new IllegalArgumentException(
            "images must be at least 8x8, not " + width + "x" + height);
      }
      this.count = count;
      this.height = height;
      this.width = width;
    }

    /** Default 0. */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Amplitude of the uniform pixel noise; default 0.1. */
    public Builder optNoise(float noise) {
      if (!(noise >= 0 && noise <= 1)) {
        throw new IllegalArgumentException("noise must be in [0, 1]: " + noise);
      }
      this.noise = noise;
      return this;
    }

    public ShapeClassesSource build() {
      return new ShapeClassesSource(this);
    }
  }
}
