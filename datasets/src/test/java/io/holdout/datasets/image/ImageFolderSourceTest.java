package io.holdout.datasets.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Sample;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.loader.DataLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {
  @TempDir Path root;

  @Test
  void readsRealDigitsFromClassFolders() throws IOException {
    List<int[]> rows = ImageFixtures.writeDigitFolders(root, 30);
    Files.writeString(root.resolve("0/notes.txt"), "not an image");
    ImageFolderDataset ds = ImageFolderSource.builder(root).optChannels(1).open();
    assertThat(ds.size()).isEqualTo(30);
    assertThat(ds.schema().inputShape()).containsExactly(1, 8, 8);
    assertThat(ds.schema().target("label").classes())
        .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(ds.ignoredFiles()).containsExactly(root.resolve("0/notes.txt"));
    // files are in class order, then name order: find row 7 (a "7") by its id
    int index = -1;
    for (int i = 0; i < ds.size(); i++) {
      if (ds.id(i).equals(rows.get(7)[64] + "/0007.png")) {
        index = i;
      }
    }
    assertThat(index).isNotNegative();
    Sample s = ds.get(index);
    assertThat(s.field("label").longs()).containsExactly(rows.get(7)[64]);
    assertThat(ds.label(index, "label")).hasValue(rows.get(7)[64]);
    float[] px = s.input().floats();
    for (int k = 0; k < 64; k++) {
      // written as round(v / 16 * 255) / 255
      assertThat(px[k]).isCloseTo(rows.get(7)[k] / 16f, within(0.5f / 255 + 1e-5f));
    }
  }

  @Test
  void rgbAndResizeOnRead() throws IOException {
    ImageFixtures.writeDigitFolders(root, 12);
    ImageFolderDataset rgb = ImageFolderSource.builder(root).open();
    float[] px = rgb.get(0).input().floats();
    assertThat(rgb.get(0).input().shape()).containsExactly(3, 8, 8);
    assertThat(java.util.Arrays.copyOfRange(px, 0, 64))
        .containsExactly(java.util.Arrays.copyOfRange(px, 64, 128));
    ImageFolderDataset big = ImageFolderSource.builder(root).optSize(16, 12).open();
    assertThat(big.schema().inputShape()).containsExactly(3, 16, 12);
    assertThat(big.get(3).input().shape()).containsExactly(3, 16, 12);
  }

  @Test
  void badImagesNameTheFile() throws IOException {
    ImageFixtures.writeDigitFolders(root, 12);
    Path garbage = root.resolve("0/zz-garbage.png");
    Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Path good = root.resolve("0/0000.png");
    byte[] png = Files.readAllBytes(good);
    Path truncated = root.resolve("0/zz-truncated.png");
    Files.write(truncated, java.util.Arrays.copyOf(png, 40));
    ImageFolderDataset ds = ImageFolderSource.builder(root).open();
    int g = indexOf(ds, "0/zz-garbage.png");
    int t = indexOf(ds, "0/zz-truncated.png");
    assertThatThrownBy(() -> ds.get(g))
        .isInstanceOf(HoldoutException.class)
        .hasMessage(garbage + ": not an image (unknown or corrupt format)");
    assertThatThrownBy(() -> ds.get(t))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith(truncated + ": corrupt image (");
    Files.delete(good);
    int missing = indexOf(ds, "0/0000.png");
    assertThatThrownBy(() -> ds.get(missing)).hasMessage(good + ": image file not found");

    // through the loader: the failure names the sample's index and path, or is skipped and listed
    try (DataLoader loader = DataLoader.builder(ds, 4).optShuffle(false).optNumWorkers(2).build()) {
      assertThatThrownBy(() -> loader.epoch(0).forEachRemaining(b -> {}))
          .isInstanceOf(HoldoutException.class)
          .hasMessage("sample " + missing + " (" + good + "): " + good + ": image file not found");
    }
    try (DataLoader loader =
        DataLoader.builder(ds, 4).optShuffle(false).optNumWorkers(2).optSkipBadSamples(true).build()) {
      List<Batch> batches = new ArrayList<>();
      loader.epoch(0).forEachRemaining(batches::add);
      assertThat(batches.stream().mapToInt(Batch::size).sum()).isEqualTo(ds.size() - 3);
      assertThat(loader.skippedSamples()).hasSize(3);
      assertThat(loader.skippedSamples().get(0))
          .startsWith("epoch 0: skipped sample " + missing + " (" + good);
    }
  }

  private static int indexOf(ImageFolderDataset ds, String id) {
    for (int i = 0; i < ds.size(); i++) {
      if (ds.id(i).equals(id)) {
        return i;
      }
    }
    throw new AssertionError(id);
  }

  @Test
  void imagesOfAnotherSizeNeedAResize() throws IOException {
    ImageFixtures.writeDigitFolders(root, 5);
    Images.write(ShapesSource.builder(1, 10, 12).build().get(0).input(), root.resolve("4/zz.png"));
    ImageFolderDataset ds = ImageFolderSource.builder(root).open();
    int i = indexOf(ds, "4/zz.png");
    assertThatThrownBy(() -> ds.get(i))
        .hasMessage(
            root.resolve("4/zz.png")
                + ": image is 12x10, but the dataset's images are 8x8"
                + " (set a size to resize on read)");
  }

  @Test
  void folderProblems() throws IOException {
    Path none = root.resolve("none");
    assertThatThrownBy(() -> ImageFolderSource.builder(none).open())
        .hasMessage(none + ": folder not found");
    assertThatThrownBy(() -> ImageFolderSource.builder(root).open())
        .hasMessageStartingWith(root + ": no class folders");
    ImageFixtures.writeDigitFolders(root, 3);
    Files.createDirectories(root.resolve("empty"));
    assertThatThrownBy(() -> ImageFolderSource.builder(root).open())
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith(root.resolve("empty") + ": no images (");
    assertThatThrownBy(
            () -> ImageFolderSource.builder(root).optClasses(List.of("0", "1", "2", "4")).open())
        .hasMessageStartingWith(root.resolve("empty") + ": folder of unknown class 'empty'");
  }
}
