package io.holdout.api.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a crash never leaves a torn one: the content goes to a temporary file in the
 * same folder, is forced to disk, then renamed over the target in one atomic step.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a file's content into a channel. */
  @FunctionalInterface
  public interface Writer {
    void write(FileChannel channel) throws IOException;
  }

  public static void write(Path target, Writer writer) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writer.write(ch);
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a stray temporary file does not harm the target
        }
      }
    }
  }

  public static void writeString(Path target, String content) {
    writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
  }

  public static void writeBytes(Path target, byte[] bytes) {
    write(target, ch -> {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    });
  }
}
