package io.holdout.datasets.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.holdout.api.HoldoutException;
import io.holdout.datasets.DatasetSource;
import io.holdout.datasets.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A COCO "instances" annotation file ({@code images}, {@code annotations}, {@code categories}) with
 * its image folder. Opening parses and checks every element (errors name the file and the element,
 * e.g. {@code annotations[12]}); images are decoded later. Samples follow the {@link
 * io.holdout.datasets.Detection} layout, in the order of the {@code images} array; sample ids are
 * the {@code file_name}s.
 *
 * <p>Boxes: COCO's {@code bbox} is {@code [x, y, width, height]} in pixels with (0, 0) the top-left
 * corner of the image, so the normalised box is {@code (x / W, y / H, (x + w) / W, (y + h) / H)}.
 * Width and height must be positive and the box inside the image (up to half a pixel of rounding is
 * clipped). Labels: categories sorted by id are numbered 1, 2, ... (COCO's ids have gaps); {@code
 * classes.get(k - 1)} is label {@code k}'s name. Crowd annotations ({@code iscrowd: 1}) are left
 * out unless {@link Builder#optIncludeCrowd}, and counted in {@code problems()}. Images without
 * annotations are kept, with no boxes.
 */
public final class CocoSource implements DatasetSource {
  private final Path annotations;
  private final Path images;
  private final boolean includeCrowd;
  private final boolean skipBad;
  private final int height;
  private final int width;

  private CocoSource(Builder b) {
    this.annotations = b.annotations;
    this.images = b.images;
    this.includeCrowd = b.includeCrowd;
    this.skipBad = b.skipBad;
    this.height = b.height;
    this.width = b.width;
  }

  /**
   * @param annotations the instances JSON file
   * @param images the folder the {@code file_name}s are relative to; names may not leave it
   */
  public static Builder builder(Path annotations, Path images) {
    return new Builder(annotations, images);
  }

  private record Img(
      long id,
      String file,
      Path path,
      int width,
      int height,
      String where,
      List<float[]> boxes,
      List<Long> labels) {}

  @Override
  public DetectionDataset open() {
    String f = annotations.toString();
    JsonNode root = Json.read(annotations);
    JsonNode cats = array(root, "categories", f);
    JsonNode imgs = array(root, "images", f);
    JsonNode anns =
        root.has("annotations") ? array(root, "annotations", f) : Json.MAPPER.createArrayNode();

    TreeMap<Long, String> byId = new TreeMap<>();
    for (int i = 0; i < cats.size(); i++) {
      JsonNode c = cats.get(i);
      String where = f + ": categories[" + i + "]";
      long id = longField(c, "id", where);
      String name = text(c, "name", where);
      if (byId.put(id, name) != null) {
        throw new HoldoutException(where + ": category id " + id + " appears twice");
      }
    }
    if (byId.isEmpty()) {
      throw new HoldoutException(f + ": 'categories' is empty");
    }
    List<String> classes = new ArrayList<>(byId.values());
    Map<Long, Integer> label = new LinkedHashMap<>();
    int k = 1;
    for (long id : byId.keySet()) {
      label.put(id, k++);
    }

    List<String> problems = new ArrayList<>();
    Map<Long, Img> images = new LinkedHashMap<>();
    for (int i = 0; i < imgs.size(); i++) {
      JsonNode im = imgs.get(i);
      String where = f + ": images[" + i + "]";
      try {
        long id = longField(im, "id", where);
        String name = text(im, "file_name", where);
        int w = (int) longField(im, "width", where);
        int h = (int) longField(im, "height", where);
        if (w <= 0 || h <= 0) {
          throw new HoldoutException(
              where + " (" + name + "): size " + w + "x" + h + " is not positive");
        }
        Path p = Images.resolveInside(this.images, this.images, name, where);
        if (!Files.isRegularFile(p)) {
          throw new HoldoutException(p + ": image file not found (named by " + where + ")");
        }
        if (images.containsKey(id)) {
          throw new HoldoutException(where + ": image id " + id + " appears twice");
        }
        images.put(id, new Img(id, name, p, w, h, where, new ArrayList<>(), new ArrayList<>()));
      } catch (HoldoutException e) {
        if (!skipBad) {
          throw e;
        }
        problems.add("skipped " + e.getMessage());
      }
    }
    int crowd = 0;
    List<Long> badImages = new ArrayList<>();
    for (int i = 0; i < anns.size(); i++) {
      JsonNode a = anns.get(i);
      String where = f + ": annotations[" + i + "]";
      Img img = null;
      try {
        if (a.has("id")) {
          where += " (id " + a.get("id").asText() + ")";
        }
        long imageId = longField(a, "image_id", where);
        img = images.get(imageId);
        if (img == null) {
          throw new HoldoutException(where + ": image_id " + imageId + " is not in 'images'");
        }
        long cat = longField(a, "category_id", where);
        Integer l = label.get(cat);
        if (l == null) {
          throw new HoldoutException(
              where
                  + ": category_id "
                  + cat
                  + " is not in 'categories' (ids: "
                  + byId.keySet()
                  + ")");
        }
        if (a.path("iscrowd").asInt(0) == 1 && !includeCrowd) {
          crowd++;
          continue;
        }
        JsonNode bb = a.get("bbox");
        if (bb == null || !bb.isArray() || bb.size() != 4) {
          throw new HoldoutException(where + ": 'bbox' must be [x, y, width, height]");
        }
        double[] v = new double[4];
        for (int j = 0; j < 4; j++) {
          if (!bb.get(j).isNumber() || !Double.isFinite(bb.get(j).asDouble())) {
            throw new HoldoutException(where + ": bbox[" + j + "] is not a number");
          }
          v[j] = bb.get(j).asDouble();
        }
        if (v[2] <= 0 || v[3] <= 0) {
          throw new HoldoutException(where + ": bbox width and height must be positive: " + bb);
        }
        if (v[0] < -0.5
            || v[1] < -0.5
            || v[0] + v[2] > img.width() + 0.5
            || v[1] + v[3] > img.height() + 0.5) {
          throw new HoldoutException(
              where
                  + ": bbox "
                  + bb
                  + " is outside the "
                  + img.width()
                  + "x"
                  + img.height()
                  + " image "
                  + img.file());
        }
        img.boxes()
            .add(
                new float[] {
                  (float) (Math.max(0, v[0]) / img.width()),
                  (float) (Math.max(0, v[1]) / img.height()),
                  (float) (Math.min(img.width(), v[0] + v[2]) / img.width()),
                  (float) (Math.min(img.height(), v[1] + v[3]) / img.height())
                });
        img.labels().add((long) l);
      } catch (HoldoutException e) {
        if (!skipBad) {
          throw e;
        }
        problems.add(
            "skipped " + (img == null ? "" : "image " + img.file() + ": ") + e.getMessage());
        if (img != null) {
          badImages.add(img.id());
        }
      }
    }
    if (crowd > 0) {
      problems.add(f + ": left out " + crowd + " crowd annotation" + (crowd == 1 ? "" : "s"));
    }
    badImages.forEach(images::remove);
    List<DetectionDataset.Entry> entries = new ArrayList<>();
    for (Img im : images.values()) {
      int m = im.labels().size();
      float[] boxes = new float[4 * m];
      long[] labels = new long[m];
      for (int j = 0; j < m; j++) {
        System.arraycopy(im.boxes().get(j), 0, boxes, 4 * j, 4);
        labels[j] = im.labels().get(j);
      }
      entries.add(
          new DetectionDataset.Entry(
              im.file(), im.path(), im.width(), im.height(), boxes, labels, im.where()));
    }
    if (entries.isEmpty()) {
      throw new HoldoutException(f + ": no usable images");
    }
    boolean resize = height > 0;
    int h = resize ? height : entries.get(0).height();
    int w = resize ? width : entries.get(0).width();
    return new DetectionDataset(entries, classes, h, w, resize, problems);
  }

  private static JsonNode array(JsonNode root, String key, String f) {
    JsonNode a = root.get(key);
    if (a == null || !a.isArray()) {
      throw new HoldoutException(f + ": '" + key + "' must be an array");
    }
    return a;
  }

  private static long longField(JsonNode o, String key, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isIntegralNumber()) {
      throw new HoldoutException(where + ": '" + key + "' must be an integer");
    }
    return v.asLong();
  }

  private static String text(JsonNode o, String key, String where) {
    JsonNode v = o.get(key);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new HoldoutException(where + ": '" + key + "' must be a non-empty string");
    }
    return v.asText();
  }

  /** Configures a {@link CocoSource}. */
  public static final class Builder {
    private final Path annotations;
    private final Path images;
    private boolean includeCrowd;
    private boolean skipBad;
    private int height;
    private int width;

    private Builder(Path annotations, Path images) {
      this.annotations = Objects.requireNonNull(annotations, "annotations is null");
      this.images = Objects.requireNonNull(images, "images is null");
    }

    /** Keep crowd annotations as ordinary boxes; default false. */
    public Builder optIncludeCrowd(boolean include) {
      this.includeCrowd = include;
      return this;
    }

    /** Leave out (and list in {@code problems()}) images with bad entries; default false. */
    public Builder optSkipBad(boolean skip) {
      this.skipBad = skip;
      return this;
    }

    /** Resize every image to {@code height x width} on read. */
    public Builder optSize(int height, int width) {
      if (height <= 0 || width <= 0) {
        throw new HoldoutException("image size must be positive, not " + width + "x" + height);
      }
      this.height = height;
      this.width = width;
      return this;
    }

    public CocoSource build() {
      return new CocoSource(this);
    }

    /** Shortcut for {@code build().open()}. */
    public DetectionDataset open() {
      return build().open();
    }
  }
}
