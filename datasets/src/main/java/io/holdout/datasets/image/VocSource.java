package io.holdout.datasets.image;

import io.holdout.api.HoldoutException;
import io.holdout.datasets.DatasetSource;
import io.holdout.datasets.internal.Xml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A Pascal VOC tree: {@code Annotations/<id>.xml}, {@code JPEGImages/<file>} and {@code
 * ImageSets/Main/<set>.txt}. Opening parses and checks every annotation (each error names the XML
 * file and line); images are decoded later. Samples follow the {@link
 * io.holdout.datasets.Detection} layout; sample ids are the image ids (annotation file names
 * without {@code .xml}), so VOC's list files can drive a {@link
 * io.holdout.datasets.split.PredefinedSplitter}.
 *
 * <p>Boxes: VOC gives 1-based, inclusive pixel indices; the box {@code xmin..xmax} covers pixels
 * {@code xmin-1 .. xmax-1} (0-based), so its normalised form is {@code ((xmin - 1) / W, (ymin - 1)
 * / H, xmax / W, ymax / H)}. A box must have {@code xmin < xmax}, {@code ymin < ymax}, and lie in
 * the image ({@code 0 <= xmin}, {@code xmax <= width}, likewise for y).
 *
 * <p>Classes: the 20 VOC classes ({@link #VOC_CLASSES}) or any fixed list ({@link
 * Builder#optClasses}), in which case another name is an error; by default, the names found in the
 * annotations, sorted alphabetically. Labels are 1-based.
 */
public final class VocSource implements DatasetSource {
  /** The 20 classes of PASCAL VOC 2007-2012, in their usual order. */
  public static final List<String> VOC_CLASSES =
      List.of(
          "aeroplane",
          "bicycle",
          "bird",
          "boat",
          "bottle",
          "bus",
          "car",
          "cat",
          "chair",
          "cow",
          "diningtable",
          "dog",
          "horse",
          "motorbike",
          "person",
          "pottedplant",
          "sheep",
          "sofa",
          "train",
          "tvmonitor");

  private final Settings b;

  private VocSource(Builder b) {
    this.b =
        new Settings(b.root, b.imageSet, b.classes, b.keepDifficult, b.skipBad, b.height, b.width);
  }

  private record Settings(
      Path root,
      String imageSet,
      List<String> classes,
      boolean keepDifficult,
      boolean skipBad,
      int height,
      int width) {}

  public static Builder builder(Path root) {
    return new Builder(root);
  }

  private record RawObject(
      String name, double xmin, double ymin, double xmax, double ymax, int line, String where) {}

  private record RawImage(
      String id, Path image, int width, int height, List<RawObject> objects, String where) {}

  @Override
  public DetectionDataset open() {
    Path root = b.root();
    Path ann = root.resolve("Annotations");
    if (!Files.isDirectory(ann)) {
      throw new HoldoutException(root + ": no Annotations folder (not a VOC tree)");
    }
    List<String> ids = ids(root, ann);
    List<String> problems = new ArrayList<>();
    List<RawImage> raw = new ArrayList<>();
    for (String id : ids) {
      try {
        raw.add(parse(root, ann.resolve(id + ".xml"), id, problems));
      } catch (HoldoutException e) {
        if (!b.skipBad()) {
          throw e;
        }
        problems.add("skipped " + id + ": " + e.getMessage());
      }
    }
    List<String> classes = b.classes();
    if (classes == null) {
      TreeSet<String> names = new TreeSet<>();
      raw.forEach(r -> r.objects().forEach(o -> names.add(o.name())));
      classes = List.copyOf(names);
    }
    Map<String, Integer> label = new HashMap<>();
    for (int k = 0; k < classes.size(); k++) {
      label.put(classes.get(k), k + 1);
    }
    List<DetectionDataset.Entry> entries = new ArrayList<>();
    images:
    for (RawImage r : raw) {
      int m = r.objects().size();
      float[] boxes = new float[4 * m];
      long[] labels = new long[m];
      for (int k = 0; k < m; k++) {
        RawObject o = r.objects().get(k);
        Integer l = label.get(o.name());
        if (l == null) {
          String msg =
              o.where()
                  + ": unknown class '"
                  + o.name()
                  + "' (classes: "
                  + String.join(", ", classes)
                  + ")";
          if (!b.skipBad()) {
            throw new HoldoutException(msg);
          }
          problems.add("skipped " + r.id() + ": " + msg);
          continue images;
        }
        labels[k] = l;
        boxes[4 * k] = (float) (Math.max(0, o.xmin() - 1) / r.width());
        boxes[4 * k + 1] = (float) (Math.max(0, o.ymin() - 1) / r.height());
        boxes[4 * k + 2] = (float) (o.xmax() / r.width());
        boxes[4 * k + 3] = (float) (o.ymax() / r.height());
      }
      entries.add(
          new DetectionDataset.Entry(
              r.id(), r.image(), r.width(), r.height(), boxes, labels, r.where()));
    }
    if (entries.isEmpty()) {
      throw new HoldoutException(
          root
              + ": no usable annotated images"
              + (problems.isEmpty()
                  ? ""
                  : " (" + problems.size() + " skipped: " + problems.get(0) + ")"));
    }
    boolean resize = b.height() > 0;
    int h = resize ? b.height() : entries.get(0).height();
    int w = resize ? b.width() : entries.get(0).width();
    return new DetectionDataset(entries, classes, h, w, resize, problems);
  }

  private List<String> ids(Path root, Path ann) {
    List<String> ids = new ArrayList<>();
    if (b.imageSet() != null) {
      Path list = root.resolve("ImageSets").resolve("Main").resolve(b.imageSet() + ".txt");
      try {
        for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
          String t = line.trim();
          if (!t.isEmpty()) {
            ids.add(t.split("\\s+")[0]);
          }
        }
      } catch (NoSuchFileException e) {
        throw new HoldoutException(list + ": image set '" + b.imageSet() + "' not found");
      } catch (IOException e) {
        throw new HoldoutException(list + ": cannot read: " + e.getMessage(), e);
      }
    } else {
      try (Stream<Path> s = Files.list(ann)) {
        s.map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith(".xml"))
            .sorted()
            .forEach(n -> ids.add(n.substring(0, n.length() - 4)));
      } catch (IOException e) {
        throw new HoldoutException(ann + ": cannot list: " + e.getMessage(), e);
      }
    }
    if (ids.isEmpty()) {
      throw new HoldoutException(root + ": no images listed");
    }
    return ids;
  }

  private RawImage parse(Path root, Path file, String id, List<String> problems) {
    Xml.Element a = Xml.read(file);
    if (!a.name().equals("annotation")) {
      throw new HoldoutException(
          file + ":" + a.line() + ": root element is <" + a.name() + ">, not <annotation>");
    }
    Xml.Element fn = a.child("filename");
    String name = fn == null || fn.text().isEmpty() ? id + ".jpg" : fn.text();
    String where = file + (fn == null ? "" : ":" + fn.line());
    Path image = Images.resolveInside(root, root.resolve("JPEGImages"), name, where);
    if (!Files.isRegularFile(image)) {
      throw new HoldoutException(image + ": image file not found (named by " + where + ")");
    }
    Xml.Element size = a.child("size");
    if (size == null) {
      throw new HoldoutException(file + ":" + a.line() + ": no <size> element");
    }
    int width = positiveInt(size, "width", file);
    int height = positiveInt(size, "height", file);
    List<RawObject> objects = new ArrayList<>();
    for (Xml.Element o : a.all("object")) {
      Xml.Element n = o.child("name");
      if (n == null || n.text().isEmpty()) {
        throw new HoldoutException(file + ":" + o.line() + ": object without a <name>");
      }
      String here = file + ":" + o.line();
      String obj = "object '" + n.text() + "'";
      Xml.Element d = o.child("difficult");
      if (d != null && d.text().equals("1") && !b.keepDifficult()) {
        problems.add(here + ": left out difficult " + obj);
        continue;
      }
      Xml.Element box = o.child("bndbox");
      if (box == null) {
        throw new HoldoutException(here + ": " + obj + " has no <bndbox>");
      }
      double xmin = coordinate(box, "xmin", file, obj);
      double ymin = coordinate(box, "ymin", file, obj);
      double xmax = coordinate(box, "xmax", file, obj);
      double ymax = coordinate(box, "ymax", file, obj);
      int line = box.line();
      if (xmin >= xmax) {
        throw new HoldoutException(
            file
                + ":"
                + box.child("xmin").line()
                + ": "
                + obj
                + ": xmin "
                + fmt(xmin)
                + " >= xmax "
                + fmt(xmax));
      }
      if (ymin >= ymax) {
        throw new HoldoutException(
            file
                + ":"
                + box.child("ymin").line()
                + ": "
                + obj
                + ": ymin "
                + fmt(ymin)
                + " >= ymax "
                + fmt(ymax));
      }
      if (xmin < 0 || ymin < 0 || xmax > width || ymax > height) {
        throw new HoldoutException(
            file
                + ":"
                + line
                + ": "
                + obj
                + ": box ("
                + fmt(xmin)
                + ", "
                + fmt(ymin)
                + ", "
                + fmt(xmax)
                + ", "
                + fmt(ymax)
                + ") is outside the "
                + width
                + "x"
                + height
                + " image");
      }
      objects.add(new RawObject(n.text(), xmin, ymin, xmax, ymax, line, file + ":" + n.line()));
    }
    return new RawImage(id, image, width, height, objects, file.toString());
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static int positiveInt(Xml.Element parent, String name, Path file) {
    Xml.Element e = parent.child(name);
    if (e == null) {
      throw new HoldoutException(file + ":" + parent.line() + ": <size> has no <" + name + ">");
    }
    try {
      int v = Integer.parseInt(e.text());
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new HoldoutException(
        file + ":" + e.line() + ": <" + name + "> '" + e.text() + "' is not a positive integer");
  }

  private static double coordinate(Xml.Element box, String name, Path file, String obj) {
    Xml.Element e = box.child(name);
    if (e == null) {
      throw new HoldoutException(
          file + ":" + box.line() + ": " + obj + ": <bndbox> has no <" + name + ">");
    }
    try {
      double v = Double.parseDouble(e.text());
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new HoldoutException(
        file + ":" + e.line() + ": " + obj + ": <" + name + "> '" + e.text() + "' is not a number");
  }

  /** Configures a {@link VocSource}. */
  public static final class Builder {
    private final Path root;
    private String imageSet;
    private List<String> classes;
    private boolean keepDifficult = true;
    private boolean skipBad;
    private int height;
    private int width;

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "root is null");
    }

    /** Read only the ids in {@code ImageSets/Main/<name>.txt}; default every annotation file. */
    public Builder optImageSet(String name) {
      this.imageSet = Objects.requireNonNull(name, "name is null");
      return this;
    }

    /** Fixed class list (label {@code k} is {@code classes.get(k - 1)}). */
    public Builder optClasses(List<String> classes) {
      this.classes = List.copyOf(classes);
      return this;
    }

    /** Keep objects marked {@code <difficult>1</difficult>}; default true. */
    public Builder optKeepDifficult(boolean keep) {
      this.keepDifficult = keep;
      return this;
    }

    /** Leave out (and list in {@code problems()}) images whose annotation is bad; default false. */
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

    public VocSource build() {
      return new VocSource(this);
    }

    /** Shortcut for {@code build().open()}. */
    public DetectionDataset open() {
      return build().open();
    }
  }
}
