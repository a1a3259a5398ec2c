package io.holdout.datasets.image;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Field;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoding image files (through {@code javax.imageio}: PNG, JPEG, BMP, GIF) into float {@code [C,
 * H, W]} fields with values in {@code [0, 1]}. Every failure names the file.
 */
public final class Images {
  /** File extensions read as images (lower case). */
  public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

  private Images() {}

  /** Whether {@code file}'s name has an image extension. */
  public static boolean isImage(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** Reads and decodes {@code file}. */
  public static BufferedImage read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": image file not found");
    } catch (AccessDeniedException e) {
      throw new HoldoutException(file + ": image file not readable (permission denied)");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read image: " + e.getMessage(), e);
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new HoldoutException(file + ": not an image (unknown or corrupt format)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (HoldoutException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new HoldoutException(
          file
              + ": corrupt image ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + ")",
          e);
    }
  }

  /** Width and height from the file header, without decoding the pixels. */
  public static int[] size(Path file) {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new HoldoutException(file + ": image file not found");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new HoldoutException(file + ": not an image (unknown or corrupt format)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new int[] {reader.getWidth(0), reader.getHeight(0)};
      } finally {
        reader.dispose();
      }
    } catch (HoldoutException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new HoldoutException(file + ": cannot read the image header: " + e.getMessage(), e);
    }
  }

  /**
   * The image as float {@code [channels, H, W]} in {@code [0, 1]}: 3 channels RGB, or 1 channel of
   * luma ({@code 0.299 R + 0.587 G + 0.114 B}). Alpha is ignored.
   */
  public static Field toField(BufferedImage img, int channels) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
    int plane = w * h;
    float[] out = new float[channels * plane];
    float s = 1f / 255f;
    if (channels == 3) {
      for (int i = 0; i < plane; i++) {
        int p = rgb[i];
        out[i] = ((p >> 16) & 0xFF) * s;
        out[plane + i] = ((p >> 8) & 0xFF) * s;
        out[2 * plane + i] = (p & 0xFF) * s;
      }
    } else if (channels == 1) {
      for (int i = 0; i < plane; i++) {
        int p = rgb[i];
        out[i] =
            (0.299f * ((p >> 16) & 0xFF) + 0.587f * ((p >> 8) & 0xFF) + 0.114f * (p & 0xFF)) * s;
      }
    } else {
      throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
    }
    return Field.floats(new long[] {channels, h, w}, out);
  }

  /** A float {@code [3, H, W]} field in {@code [0, 1]} as an RGB image (for writing fixtures). */
  public static BufferedImage toImage(Field field) {
    long[] s = field.shape();
    int c = (int) s[0];
    int h = (int) s[1];
    int w = (int) s[2];
    float[] v = field.floats();
    int plane = w * h;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] rgb = new int[plane];
    for (int i = 0; i < plane; i++) {
      int r = byteOf(v[i]);
      int g = c == 3 ? byteOf(v[plane + i]) : r;
      int b = c == 3 ? byteOf(v[2 * plane + i]) : r;
      rgb[i] = (r << 16) | (g << 8) | b;
    }
    img.setRGB(0, 0, w, h, rgb, 0, w);
    return img;
  }

  private static int byteOf(float x) {
    return Math.max(0, Math.min(255, Math.round(x * 255f)));
  }

  /** Writes {@code field} as an image file; the format follows the extension (png, jpg, bmp). */
  public static void write(Field field, Path file) {
    String n = file.getFileName().toString();
    String format = n.substring(n.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    try {
      if (!ImageIO.write(toImage(field), format.equals("jpg") ? "jpeg" : format, file.toFile())) {
        throw new HoldoutException(file + ": no image writer for '" + format + "'");
      }
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot write: " + e.getMessage(), e);
    }
  }

  /**
   * Resolves {@code name} (from an annotation) inside {@code dir}, refusing names that escape
   * {@code root} ({@code ../}, absolute paths).
   *
   * @param where names the annotation for messages
   */
  public static Path resolveInside(Path root, Path dir, String name, String where) {
    Path p;
    try {
      p = dir.resolve(name).normalize();
    } catch (RuntimeException e) {
      throw new HoldoutException(where + ": file name '" + name + "' is not a valid path");
    }
    if (Path.of(name).isAbsolute() || !p.startsWith(root.normalize())) {
      throw new HoldoutException(
          where + ": file name '" + name + "' escapes the dataset root " + root);
    }
    return p;
  }
}
