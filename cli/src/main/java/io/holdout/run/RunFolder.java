package io.holdout.run;

import io.holdout.api.HoldoutException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * The folder of one run, {@code runs/<name>-<yyyyMMdd-HHmmss>}; a suffix {@code -2}, {@code -3}...
 * is added when two runs start in the same second, so runs never overwrite each other.
 */
public final class RunFolder {
  public static final String CONFIG = "config.yaml";
  public static final String METRICS_CSV = "metrics.csv";
  public static final String WEIGHTS = "weights.safetensors";
  public static final String TEST_REPORT = "test-report.json";
  public static final String SPLIT = "split.json";

  private final Path dir;

  private RunFolder(Path dir) {
    this.dir = dir;
  }

  /** Creates a new, unique run folder under {@code root}. */
  public static RunFolder create(Path root, String name) {
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    try {
      Files.createDirectories(root);
      for (int i = 1; i < 10_000; i++) {
        Path p = root.resolve(safe + "-" + stamp + (i == 1 ? "" : "-" + i));
        try {
          Files.createDirectory(p);
          return new RunFolder(p);
        } catch (FileAlreadyExistsException e) {
          // taken: try the next suffix
        }
      }
    } catch (IOException e) {
      throw new HoldoutException(root + ": cannot create run folder (" + e.getMessage() + ")");
    }
    throw new HoldoutException(root + ": too many runs named " + safe + " in one second");
  }

  /**
   * Creates the run folder {@code dir} itself (a sweep's trial folder); it may exist already (with
   * a trial's log) but must not hold a run.
   */
  public static RunFolder createAt(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new HoldoutException(dir + ": cannot create run folder (" + e.getMessage() + ")");
    }
    if (Files.exists(dir.resolve(CONFIG))) {
      throw new HoldoutException(dir + ": already holds a run (" + CONFIG + ")");
    }
    return new RunFolder(dir);
  }

  /** Opens an existing run folder (for evaluate, resume, export). */
  public static RunFolder open(Path dir) {
    Objects.requireNonNull(dir, "dir is null");
    if (!Files.isDirectory(dir)) {
      throw new HoldoutException(dir + ": no such run folder");
    }
    if (!Files.isRegularFile(dir.resolve(CONFIG))) {
      throw new HoldoutException(dir + ": not a run folder (no " + CONFIG + ")");
    }
    return new RunFolder(dir);
  }

  public Path dir() {
    return dir;
  }

  public Path file(String name) {
    return dir.resolve(name);
  }
}
