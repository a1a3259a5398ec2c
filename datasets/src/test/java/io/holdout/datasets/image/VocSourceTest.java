package io.holdout.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Sample;
import io.holdout.api.data.Split;
import io.holdout.datasets.Detection;
import io.holdout.datasets.split.PredefinedSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocSourceTest {
  @TempDir Path root;

  private final ShapesSource shapes = ShapesSource.builder(6, 30, 40).optSeed(2).build();

  @Test
  void readsGeneratedShapesBackExactly() throws IOException {
    ImageFixtures.writeVoc(root, shapes, 6);
    DetectionDataset ds = VocSource.builder(root).optClasses(ShapesSource.CLASSES).open();
    assertThat(ds.size()).isEqualTo(6);
    assertThat(ds.schema().inputShape()).containsExactly(3, 30, 40);
    assertThat(ds.id(2)).isEqualTo("img0002");
    for (int i = 0; i < 6; i++) {
      Sample s = ds.get(i);
      Sample g = shapes.get(i);
      assertThat(ImageFixtures.boxes(s)).containsExactly(ImageFixtures.boxes(g));
      assertThat(s.field(Detection.LABELS).longs())
          .containsExactly(g.field(Detection.LABELS).longs());
      // PNG stores 8 bits: pixels within half a step
      float[] a = s.input().floats();
      float[] b = g.input().floats();
      for (int k = 0; k < a.length; k += 97) {
        assertThat(Math.abs(a[k] - b[k])).isLessThanOrEqualTo(0.5f / 255 + 1e-6f);
      }
    }
    // default classes: the names found, sorted
    DetectionDataset found = VocSource.builder(root).open();
    assertThat(found.schema().target(Detection.LABELS).classes())
        .isSubsetOf("ellipse", "rectangle", "triangle")
        .isSorted();
  }

  private void annotation(String id, int w, int h, String objects) throws IOException {
    Files.createDirectories(root.resolve("Annotations"));
    Files.createDirectories(root.resolve("JPEGImages"));
    Images.write(
        ShapesSource.builder(1, h, w).build().get(0).input(),
        root.resolve("JPEGImages/" + id + ".png"));
    Files.writeString(
        root.resolve("Annotations/" + id + ".xml"),
        "<annotation>\n"
            + "  <filename>"
            + id
            + ".png</filename>\n"
            + "  <size><width>"
            + w
            + "</width><height>"
            + h
            + "</height><depth>3</depth></size>\n"
            + objects
            + "</annotation>\n");
  }

  private static String object(String name, String xmin, String ymin, String xmax, String ymax) {
    return "  <object>\n"
        + "    <name>"
        + name
        + "</name>\n"
        + "    <bndbox>\n"
        + "      <xmin>"
        + xmin
        + "</xmin>\n"
        + "      <ymin>"
        + ymin
        + "</ymin>\n"
        + "      <xmax>"
        + xmax
        + "</xmax>\n"
        + "      <ymax>"
        + ymax
        + "</ymax>\n"
        + "    </bndbox>\n"
        + "  </object>\n";
  }

  @Test
  void boxesAreNormalisedFromOneBasedPixels() throws IOException {
    annotation(
        "a", 40, 30, object("dog", "5", "4", "20", "30") + object("cat", "1", "1", "40", "3"));
    DetectionDataset ds = VocSource.builder(root).open();
    assertThat(ds.schema().target(Detection.BOXES).classes()).containsExactly("cat", "dog");
    Sample s = ds.get(0);
    // (xmin - 1) / W, (ymin - 1) / H, xmax / W, ymax / H
    assertThat(ImageFixtures.boxes(s)).containsExactly(0.1f, 0.1f, 0.5f, 1f, 0f, 0f, 1f, 0.1f);
    assertThat(s.field(Detection.LABELS).longs()).containsExactly(2, 1);
    assertThat(ds.boxes(0)).containsExactly(ImageFixtures.boxes(s));
  }

  @Test
  void badBoxesNameFileAndLine() throws IOException {
    annotation("a", 40, 30, object("dog", "25", "4", "20", "30"));
    Path xml = root.resolve("Annotations/a.xml");
    // the object starts on line 4; its <xmin> is on line 7
    assertThatThrownBy(() -> VocSource.builder(root).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(xml + ":7: object 'dog': xmin 25 >= xmax 20");
    annotation("a", 40, 30, object("dog", "5", "4", "41", "30"));
    assertThatThrownBy(() -> VocSource.builder(root).open())
        .hasMessage(xml + ":6: object 'dog': box (5, 4, 41, 30) is outside the 40x30 image");
    annotation("a", 40, 30, object("dog", "5", "4", "x", "30"));
    assertThatThrownBy(() -> VocSource.builder(root).open())
        .hasMessage(xml + ":9: object 'dog': <xmax> 'x' is not a number");
    annotation("a", 40, 30, object("wolf", "5", "4", "20", "30"));
    assertThatThrownBy(() -> VocSource.builder(root).optClasses(List.of("cat", "dog")).open())
        .hasMessage(xml + ":5: unknown class 'wolf' (classes: cat, dog)");
  }

  @Test
  void fileNamesMayNotEscapeTheRoot() throws IOException {
    annotation("a", 40, 30, object("dog", "5", "4", "20", "30"));
    Path xml = root.resolve("Annotations/a.xml");
    Files.writeString(
        xml, Files.readString(xml).replace("<filename>a.png", "<filename>../../etc/passwd"));
    assertThatThrownBy(() -> VocSource.builder(root).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(xml + ":2: file name '../../etc/passwd' escapes the dataset root " + root);
  }

  @Test
  void brokenXmlMissingImagesAndEntities() throws IOException {
    annotation("a", 40, 30, object("dog", "5", "4", "20", "30"));
    Path xml = root.resolve("Annotations/a.xml");
    Files.writeString(xml, "<annotation>\n<filename>a.png</filename>\n<size>\n</annotation>\n");
    assertThatThrownBy(() -> VocSource.builder(root).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith(xml + ":4: not valid XML: ");
    Files.writeString(
        xml,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
            + "<annotation><filename>&x;</filename></annotation>\n");
    assertThatThrownBy(() -> VocSource.builder(root).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith(xml.toString());
    annotation("a", 40, 30, object("dog", "5", "4", "20", "30"));
    Files.delete(root.resolve("JPEGImages/a.png"));
    assertThatThrownBy(() -> VocSource.builder(root).open())
        .hasMessage(
            root.resolve("JPEGImages/a.png") + ": image file not found (named by " + xml + ":2)");
  }

  @Test
  void skipBadListsWhatItLeavesOut() throws IOException {
    annotation("a", 40, 30, object("dog", "5", "4", "20", "30"));
    annotation("b", 40, 30, object("dog", "25", "4", "20", "30"));
    DetectionDataset ds = VocSource.builder(root).optSkipBad(true).open();
    assertThat(ds.size()).isEqualTo(1);
    assertThat(ds.problems())
        .containsExactly(
            "skipped b: "
                + root.resolve("Annotations/b.xml")
                + ":7: object 'dog': xmin 25 >= xmax 20");
  }

  @Test
  void imageSetsDriveAPredefinedSplit() throws IOException {
    ImageFixtures.writeVoc(root, shapes, 6);
    Files.writeString(
        root.resolve("ImageSets/Main/train.txt"), "img0000\nimg0002\nimg0004\nimg0005\n");
    Files.writeString(root.resolve("ImageSets/Main/val.txt"), "img0001\nimg0003\n");
    Files.writeString(root.resolve("ImageSets/Main/trainval.txt"), "img0000\nimg0001\nimg0002\n");
    assertThat(VocSource.builder(root).optImageSet("trainval").open().size()).isEqualTo(3);
    assertThatThrownBy(() -> VocSource.builder(root).optImageSet("test").open())
        .hasMessage(root.resolve("ImageSets/Main/test.txt") + ": image set 'test' not found");
    DetectionDataset ds = VocSource.builder(root).open();
    Map<String, Path> lists = new LinkedHashMap<>();
    lists.put("train", root.resolve("ImageSets/Main/train.txt"));
    lists.put("val", root.resolve("ImageSets/Main/val.txt"));
    Split s = PredefinedSplitter.fromListFiles(lists).split(ds);
    assertThat(s.part("train")).containsExactly(0, 2, 4, 5);
    assertThat(s.part("val")).containsExactly(1, 3);
  }
}
