package io.holdout.datasets.image;

import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.datasets.Detection;
import io.holdout.datasets.RealData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Writes image fixtures: real digits as PNG folders, shapes as VOC and COCO trees. */
public final class ImageFixtures {
  private ImageFixtures() {}

  /** Rows of the bundled digits table: 64 pixel values (0..16) then the digit. */
  static List<int[]> digits(int count) throws IOException {
    List<int[]> out = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(RealData.digits()))) {
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      for (int i = 1; i <= count; i++) {
        out.add(
            java.util.Arrays.stream(lines.get(i).split(",")).mapToInt(Integer::parseInt).toArray());
      }
    }
    return out;
  }

  /** The 8x8 gray image of a digits row, values v / 16. */
  static Field digitImage(int[] row) {
    float[] px = new float[64];
    for (int i = 0; i < 64; i++) {
      px[i] = row[i] / 16f;
    }
    return Field.floats(new long[] {1, 8, 8}, px);
  }

  /** {@code root/<digit>/<row>.png} for the first {@code count} digits. */
  static List<int[]> writeDigitFolders(Path root, int count) throws IOException {
    List<int[]> rows = digits(count);
    for (int i = 0; i < rows.size(); i++) {
      Path dir = root.resolve(Integer.toString(rows.get(i)[64]));
      Files.createDirectories(dir);
      Images.write(digitImage(rows.get(i)), dir.resolve(String.format(Locale.ROOT, "%04d.png", i)));
    }
    return rows;
  }

  /** A VOC tree of the first {@code n} shapes images, as PNG; ids {@code img0000}, ... */
  public static void writeVoc(Path root, ShapesSource shapes, int n) throws IOException {
    Files.createDirectories(root.resolve("Annotations"));
    Files.createDirectories(root.resolve("JPEGImages"));
    Files.createDirectories(root.resolve("ImageSets/Main"));
    int h = (int) shapes.schema().inputShape()[1];
    int w = (int) shapes.schema().inputShape()[2];
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String id = String.format(Locale.ROOT, "img%04d", i);
      Sample s = shapes.get(i);
      Images.write(s.input(), root.resolve("JPEGImages/" + id + ".png"));
      StringBuilder xml = new StringBuilder();
      xml.append("<annotation>\n  <folder>VOC</folder>\n  <filename>")
          .append(id)
          .append(".png</filename>\n")
          .append("  <size>\n    <width>")
          .append(w)
          .append("</width>\n    <height>")
          .append(h)
          .append("</height>\n    <depth>3</depth>\n  </size>\n");
      for (ShapesSource.Shape sh : shapes.shapes(i)) {
        // VOC: 1-based inclusive pixel indices
        xml.append("  <object>\n    <name>")
            .append(ShapesSource.CLASSES.get(sh.label() - 1))
            .append("</name>\n    <difficult>0</difficult>\n    <bndbox>\n")
            .append("      <xmin>")
            .append(sh.x0() + 1)
            .append("</xmin>\n")
            .append("      <ymin>")
            .append(sh.y0() + 1)
            .append("</ymin>\n")
            .append("      <xmax>")
            .append(sh.x1())
            .append("</xmax>\n")
            .append("      <ymax>")
            .append(sh.y1())
            .append("</ymax>\n")
            .append("    </bndbox>\n  </object>\n");
      }
      xml.append("</annotation>\n");
      Files.writeString(root.resolve("Annotations/" + id + ".xml"), xml);
      all.append(id).append('\n');
    }
    Files.writeString(root.resolve("ImageSets/Main/all.txt"), all);
  }

  /** A COCO instances file {@code root/instances.json} and {@code root/images/} for shapes. */
  public static Path writeCoco(Path root, ShapesSource shapes, int n) throws IOException {
    Path images = root.resolve("images");
    Files.createDirectories(images);
    int h = (int) shapes.schema().inputShape()[1];
    int w = (int) shapes.schema().inputShape()[2];
    StringBuilder im = new StringBuilder();
    StringBuilder an = new StringBuilder();
    int annId = 1;
    for (int i = 0; i < n; i++) {
      String name = String.format(Locale.ROOT, "s%03d.png", i);
      Images.write(shapes.get(i).input(), images.resolve(name));
      im.append(im.length() == 0 ? "" : ",\n")
          .append("{\"id\": ")
          .append(100 + i)
          .append(", \"file_name\": \"")
          .append(name)
          .append("\", \"width\": ")
          .append(w)
          .append(", \"height\": ")
          .append(h)
          .append('}');
      for (ShapesSource.Shape sh : shapes.shapes(i)) {
        // category ids with gaps: rectangle 3, ellipse 7, triangle 9
        int cat = new int[] {0, 3, 7, 9}[sh.label()];
        an.append(an.length() == 0 ? "" : ",\n")
            .append("{\"id\": ")
            .append(annId++)
            .append(", \"image_id\": ")
            .append(100 + i)
            .append(", \"category_id\": ")
            .append(cat)
            .append(", \"iscrowd\": 0, \"bbox\": [")
            .append(sh.x0())
            .append(", ")
            .append(sh.y0())
            .append(", ")
            .append(sh.x1() - sh.x0())
            .append(", ")
            .append(sh.y1() - sh.y0())
            .append("]}");
      }
    }
    String json =
        "{\"images\": [\n"
            + im
            + "],\n\"annotations\": [\n"
            + an
            + "],\n"
            + "\"categories\": [{\"id\": 9, \"name\": \"triangle\"}, {\"id\": 3, \"name\":"
            + " \"rectangle\"}, {\"id\": 7, \"name\": \"ellipse\"}]}\n";
    Path file = root.resolve("instances.json");
    Files.writeString(file, json);
    return file;
  }

  /** Boxes of a detection sample. */
  static float[] boxes(Sample s) {
    return s.field(Detection.BOXES).floats();
  }
}
