package io.holdout.datasets.image;

import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.datasets.DatasetSource;
import io.holdout.datasets.Detection;
import io.holdout.datasets.IdentifiedDataset;
import io.holdout.datasets.internal.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A generated detection dataset: coloured rectangles, ellipses and triangles on noisy backgrounds,
 * with boxes and labels known exactly. Sample {@code i} is drawn in {@link #get} from {@code (seed,
 * i)} alone, so the set is deterministic, costs no memory, and can be any size.
 *
 * <p>Classes: {@code rectangle} (label 1), {@code ellipse} (2), {@code triangle} (3). Each object's
 * box is its geometric extent in pixels, {@code [x0, x1) x [y0, y1)} with integer corners,
 * normalised: a rectangle fills exactly those pixels; an ellipse is inscribed in the box; a
 * triangle has its base on the bottom edge of the box, from corner to corner, and its apex on the
 * top edge. Two objects' boxes share at most {@value #MAX_SHARED} of the smaller box's area, so a
 * later object (drawn on top) never hides most of an earlier one: every labelled object stays
 * visible. Samples follow the {@link Detection} layout.
 */
public final class ShapesSource implements IdentifiedDataset, DatasetSource {
  /** Class names, label {@code k} is {@code CLASSES.get(k - 1)}. */
  public static final List<String> CLASSES = List.of("rectangle", "ellipse", "triangle");

  /** The most two objects' boxes may overlap, as a fraction of the smaller box's area. */
  public static final double MAX_SHARED = 0.25;

  private final int count;
  private final int height;
  private final int width;
  private final long seed;
  private final int minObjects;
  private final int maxObjects;
  private final float noise;
  private final DatasetSchema schema;

  private ShapesSource(Builder b) {
    this.count = b.count;
    this.height = b.height;
    this.width = b.width;
    this.seed = b.seed;
    this.minObjects = b.minObjects;
    this.maxObjects = b.maxObjects;
    this.noise = b.noise;
    this.schema = Detection.schema(3, height, width, CLASSES);
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
  public ShapesSource open() {
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
    return "shapes-" + index;
  }

  @Override
  public String describe(int index) {
    return "shapes image " + index + " (seed " + seed + ")";
  }

  /** One object: its class (1-based) and its box in pixels, {@code [x0, x1) x [y0, y1)}. */
  public record Shape(int label, int x0, int y0, int x1, int y1, int apex) {}

  /** The objects of sample {@code index}, without drawing the image. */
  public List<Shape> shapes(int index) {
    return layout(new Rng(Rng.mix(seed, index)));
  }

  private List<Shape> layout(Rng rng) {
    int m = minObjects + rng.nextInt(maxObjects - minObjects + 1);
    List<Shape> shapes = new ArrayList<>();
    int minW = Math.max(4, width / 8);
    int minH = Math.max(4, height / 8);
    int maxW = Math.max(minW, width / 2);
    int maxH = Math.max(minH, height / 2);
    for (int k = 0; k < m; k++) {
      for (int attempt = 0; attempt < 20; attempt++) {
        int label = 1 + rng.nextInt(CLASSES.size());
        int bw = minW + rng.nextInt(maxW - minW + 1);
        int bh = minH + rng.nextInt(maxH - minH + 1);
        int x0 = rng.nextInt(width - bw + 1);
        int y0 = rng.nextInt(height - bh + 1);
        Shape s = new Shape(label, x0, y0, x0 + bw, y0 + bh, x0 + rng.nextInt(bw + 1));
        if (shapes.stream().allMatch(o -> shared(o, s) <= MAX_SHARED)) {
          shapes.add(s);
          break;
        }
      }
    }
    return shapes;
  }

  /** The boxes' intersection as a fraction of the smaller box's area. */
  static double shared(Shape a, Shape b) {
    int iw = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
    int ih = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    if (iw <= 0 || ih <= 0) {
      return 0;
    }
    double smaller = Math.min((double) (a.x1 - a.x0) * (a.y1 - a.y0), (double) (b.x1 - b.x0) * (b.y1 - b.y0));
    return (double) iw * ih / smaller;
  }

  @Override
  public Sample get(int index) {
    Objects.checkIndex(index, count);
    Rng rng = new Rng(Rng.mix(seed, index));
    List<Shape> shapes = layout(rng);
    float[] img = new float[3 * height * width];
    float[] bg = paintBackground(img, rng);
    float[] boxes = new float[4 * shapes.size()];
    long[] labels = new long[shapes.size()];
    for (int k = 0; k < shapes.size(); k++) {
      Shape s = shapes.get(k);
      draw(img, height, width, s, contrasting(bg, rng));
      boxes[4 * k] = (float) s.x0 / width;
      boxes[4 * k + 1] = (float) s.y0 / height;
      boxes[4 * k + 2] = (float) s.x1 / width;
      boxes[4 * k + 3] = (float) s.y1 / height;
      labels[k] = s.label;
    }
    addNoise(img, noise, rng);
    return Detection.sample(
        id(index), Field.floats(new long[] {3, height, width}, img), boxes, labels);
  }

  /** Fills the {@code [3, H, W]} image with one random colour (three draws of {@code rng}), returned. */
  static float[] paintBackground(float[] img, Rng rng) {
    int plane = img.length / 3;
    float[] bg = {
      0.15f + 0.7f * rng.nextFloat(), 0.15f + 0.7f * rng.nextFloat(), 0.15f + 0.7f * rng.nextFloat()
    };
    for (int c = 0; c < 3; c++) {
      Arrays.fill(img, c * plane, (c + 1) * plane, bg[c]);
    }
    return bg;
  }

  /** Adds uniform noise in {@code [-noise, noise]} to every value, clipped to [0, 1]; none when 0. */
  static void addNoise(float[] img, float noise, Rng rng) {
    if (noise > 0) {
      for (int i = 0; i < img.length; i++) {
        float v = img[i] + noise * (2 * rng.nextFloat() - 1);
        img[i] = v < 0 ? 0 : (v > 1 ? 1 : v);
      }
    }
  }

  /** A random colour more than 0.6 from {@code bg} (summed over RGB), drawn up to 50 times (then the last). */
  static float[] contrasting(float[] bg, Rng rng) {
    float[] c = new float[3];
    for (int attempt = 0; attempt < 50; attempt++) {
      double d = 0;
      for (int j = 0; j < 3; j++) {
        c[j] = rng.nextFloat();
        d += Math.abs(c[j] - bg[j]);
      }
      if (d > 0.6) {
        break;
      }
    }
    return c;
  }

  /** Draws shape {@code s} (its kind from its 1-based label) in {@code color} on a {@code [3, H, W]} image. */
  static void draw(float[] img, int height, int width, Shape s, float[] color) {
    int plane = height * width;
    double cx = (s.x0 + s.x1) / 2.0;
    double cy = (s.y0 + s.y1) / 2.0;
    double rx = (s.x1 - s.x0) / 2.0;
    double ry = (s.y1 - s.y0) / 2.0;
    for (int y = s.y0; y < s.y1; y++) {
      double py = y + 0.5;
      for (int x = s.x0; x < s.x1; x++) {
        double px = x + 0.5;
        boolean inside =
            switch (s.label) {
              case 1 -> true;
              case 2 -> sq((px - cx) / rx) + sq((py - cy) / ry) <= 1;
              default -> inTriangle(px, py, s);
            };
        if (inside) {
          int i = y * width + x;
          img[i] = color[0];
          img[plane + i] = color[1];
          img[2 * plane + i] = color[2];
        }
      }
    }
  }

  private static double sq(double v) {
    return v * v;
  }

  private static boolean inTriangle(double px, double py, Shape s) {
    // base (x0, y1) - (x1, y1), apex (apex, y0)
    double t = (py - s.y0) / (s.y1 - s.y0); // 0 at the apex, 1 at the base
    double left = s.apex + (s.x0 - s.apex) * t;
    double right = s.apex + (s.x1 - s.apex) * t;
    return px >= left && px <= right;
  }

  /** Configures a {@link ShapesSource}. */
  public static final class Builder {
    private final int count;
    private final int height;
    private final int width;
    private long seed;
    private int minObjects = 1;
    private int maxObjects = 4;
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

    /** Objects per image, uniform in {@code [min, max]}; default 1 to 4. */
    public Builder optObjects(int min, int max) {
      if (min < 0 || max < min) {
        throw new IllegalArgumentException("objects per image: " + min + " to " + max);
      }
      this.minObjects = min;
      this.maxObjects = max;
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

    public ShapesSource build() {
      return new ShapesSource(this);
    }
  }
}
