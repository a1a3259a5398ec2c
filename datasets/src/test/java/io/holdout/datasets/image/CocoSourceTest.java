package io.holdout.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Sample;
import io.holdout.datasets.Detection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoSourceTest {
  @TempDir Path root;

  private final ShapesSource shapes = ShapesSource.builder(5, 30, 40).optSeed(9).build();

  @Test
  void readsGeneratedShapesBackExactly() throws IOException {
    Path file = ImageFixtures.writeCoco(root, shapes, 5);
    DetectionDataset ds = CocoSource.builder(file, root.resolve("images")).open();
    assertThat(ds.size()).isEqualTo(5);
    // categories sorted by id: 3 rectangle, 7 ellipse, 9 triangle -> labels 1, 2, 3
    assertThat(ds.schema().target(Detection.LABELS).classes())
        .containsExactly("rectangle", "ellipse", "triangle");
    assertThat(ds.id(1)).isEqualTo("s001.png");
    for (int i = 0; i < 5; i++) {
      Sample s = ds.get(i);
      assertThat(ImageFixtures.boxes(s)).containsExactly(ImageFixtures.boxes(shapes.get(i)));
      assertThat(s.field(Detection.LABELS).longs())
          .containsExactly(shapes.get(i).field(Detection.LABELS).longs());
    }
  }

  private Path write(String annotations) throws IOException {
    Files.createDirectories(root.resolve("images"));
    Images.write(shapes.get(0).input(), root.resolve("images/a.png"));
    Path f = root.resolve("instances.json");
    Files.writeString(
        f,
        "{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 40, \"height\": 30}],"
            + " \"categories\": [{\"id\": 5, \"name\": \"dog\"}, {\"id\": 2, \"name\": \"cat\"}],"
            + " \"annotations\": ["
            + annotations
            + "]}");
    return f;
  }

  @Test
  void boxesAreNormalisedFromXywhAndCrowdIsLeftOut() throws IOException {
    Path f =
        write(
            "{\"id\": 1, \"image_id\": 1, \"category_id\": 5, \"bbox\": [4, 3, 16, 27]},{\"id\": 2,"
                + " \"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 40, 30], \"iscrowd\":"
                + " 1}");
    DetectionDataset ds = CocoSource.builder(f, root.resolve("images")).open();
    assertThat(ds.schema().target(Detection.LABELS).classes()).containsExactly("cat", "dog");
    assertThat(ds.boxes(0)).containsExactly(0.1f, 0.1f, 0.5f, 1f);
    assertThat(ds.labels(0)).containsExactly(2);
    assertThat(ds.problems()).containsExactly(f + ": left out 1 crowd annotation");
    DetectionDataset crowd =
        CocoSource.builder(f, root.resolve("images")).optIncludeCrowd(true).open();
    assertThat(crowd.labels(0)).containsExactly(2, 1);
  }

  @Test
  void badElementsAreNamed() throws IOException {
    Path f = write("{\"id\": 7, \"image_id\": 1, \"category_id\": 4, \"bbox\": [4, 3, 16, 27]}");
    assertThatThrownBy(() -> CocoSource.builder(f, root.resolve("images")).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(
            f + ": annotations[0] (id 7): category_id 4 is not in 'categories' (ids: [2, 5])");
    Path g = write("{\"id\": 7, \"image_id\": 1, \"category_id\": 5, \"bbox\": [30, 3, 16, 27]}");
    assertThatThrownBy(() -> CocoSource.builder(g, root.resolve("images")).open())
        .hasMessage(
            g + ": annotations[0] (id 7): bbox [30,3,16,27] is outside the 40x30 image a.png");
    Path h = write("{\"id\": 7, \"image_id\": 1, \"category_id\": 5, \"bbox\": [3, 3, 0, 27]}");
    assertThatThrownBy(() -> CocoSource.builder(h, root.resolve("images")).open())
        .hasMessage(
            h + ": annotations[0] (id 7): bbox width and height must be positive: [3,3,0,27]");
    Path k = write("{\"id\": 7, \"image_id\": 2, \"category_id\": 5, \"bbox\": [3, 3, 5, 5]}");
    assertThatThrownBy(() -> CocoSource.builder(k, root.resolve("images")).open())
        .hasMessage(k + ": annotations[0] (id 7): image_id 2 is not in 'images'");
    DetectionDataset skipped =
        CocoSource.builder(k, root.resolve("images")).optSkipBad(true).open();
    assertThat(skipped.size()).isEqualTo(1);
    assertThat(skipped.problems()).hasSize(1);
  }

  @Test
  void fileNamesMayNotEscapeTheImageFolder() throws IOException {
    Path f = write("");
    Files.writeString(f, Files.readString(f).replace("\"a.png\"", "\"../secret.png\""));
    assertThatThrownBy(() -> CocoSource.builder(f, root.resolve("images")).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessage(
            f
                + ": images[0]: file name '../secret.png' escapes the dataset root "
                + root.resolve("images"));
    Files.writeString(f, "{\"images\": [");
    assertThatThrownBy(() -> CocoSource.builder(f, root.resolve("images")).open())
        .hasMessageStartingWith(f + ":1:");
  }
}
