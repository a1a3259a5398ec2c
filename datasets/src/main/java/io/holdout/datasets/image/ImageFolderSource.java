package io.holdout.datasets.image;

import io.holdout.api.HoldoutException;
import io.holdout.datasets.DatasetSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Images sorted into one folder per class: {@code root/cat/001.png}, {@code root/dog/a.jpg}. Class
 * indices follow the folder names sorted alphabetically (or an explicit class list); files are
 * taken in name order; sample ids are the paths relative to the root ({@code cat/001.png}).
 * Non-image files are ignored and counted ({@link ImageFolderDataset#ignoredFiles()}).
 *
 * <p>The input is float {@code [channels, H, W]} in {@code [0, 1]} (3 = RGB, 1 = luma), decoded in
 * {@link ImageFolderDataset#get}. With {@link Builder#optSize} every image is resized on read
 * (bilinear); without, all images must have the size of the first one. The target is named {@value
 * #TARGET}.
 */
public final class ImageFolderSource implements DatasetSource {
  /** Name of the class target. */
  public static final String TARGET = "label";

  private final Path root;
  private final int channels;
  private final int height;
  private final int width;
  private final List<String> classes;

  private ImageFolderSource(Builder b) {
    this.root = b.root;
    this.channels = b.channels;
    this.height = b.height;
    this.width = b.width;
    this.classes = b.classes;
  }

  public static Builder builder(Path root) {
    return new Builder(root);
  }

  /** Lists the folders and files and reads the first image's header; pixels are read later. */
  @Override
  public ImageFolderDataset open() {
    if (!Files.isDirectory(root)) {
      throw new HoldoutException(root + ": folder not found");
    }
    List<String> folders = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .forEach(folders::add);
    } catch (IOException e) {
      throw new HoldoutException(root + ": cannot list: " + e.getMessage(), e);
    }
    if (folders.isEmpty()) {
      throw new HoldoutException(
          root
              + ": no class folders (expected one folder per class, e.g. "
              + root.resolve("cat").resolve("001.png")
              + ")");
    }
    List<String> names = classes != null ? classes : folders;
    if (classes != null) {
      for (String f : folders) {
        if (!classes.contains(f)) {
          throw new HoldoutException(
              root.resolve(f)
                  + ": folder of unknown class '"
                  + f
                  + "' (classes: "
                  + String.join(", ", classes)
                  + ")");
        }
      }
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<Path> ignored = new ArrayList<>();
    for (int c = 0; c < names.size(); c++) {
      Path dir = root.resolve(names.get(c));
      if (!Files.isDirectory(dir)) {
        throw new HoldoutException(dir + ": folder of class '" + names.get(c) + "' not found");
      }
      List<Path> inDir = new ArrayList<>();
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(Files::isRegularFile).sorted().forEach(inDir::add);
      } catch (IOException e) {
        throw new HoldoutException(dir + ": cannot list: " + e.getMessage(), e);
      }
      int before = files.size();
      for (Path p : inDir) {
        if (Images.isImage(p)) {
          files.add(p);
          labels.add(c);
        } else {
          ignored.add(p);
        }
      }
      if (files.size() == before) {
        throw new HoldoutException(
            dir
                + ": no images ("
                + String.join(", ", Images.EXTENSIONS.stream().sorted().toList())
                + ") for class '"
                + names.get(c)
                + "'");
      }
    }
    int h = height;
    int w = width;
    if (h == 0) {
      int[] size = Images.size(files.get(0));
      w = size[0];
      h = size[1];
    }
    return new ImageFolderDataset(
        root,
        files,
        labels.stream().mapToInt(Integer::intValue).toArray(),
        names,
        channels,
        h,
        w,
        height != 0,
        ignored);
  }

  /** Configures an {@link ImageFolderSource}. */
  public static final class Builder {
    private final Path root;
    private int channels = 3;
    private int height;
    private int width;
    private List<String> classes;

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "root is null");
    }

    /** 3 (RGB, the default) or 1 (luma). */
    public Builder optChannels(int channels) {
      if (channels != 1 && channels != 3) {
        throw new HoldoutException("channels must be 1 or 3, not " + channels);
      }
      this.channels = channels;
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

    /** Fixed class list (index order); every folder must be one of them. */
    public Builder optClasses(List<String> classes) {
      this.classes = List.copyOf(classes);
      return this;
    }

    public ImageFolderSource build() {
      return new ImageFolderSource(this);
    }

    /** Shortcut for {@code build().open()}. */
    public ImageFolderDataset open() {
      return build().open();
    }
  }
}
