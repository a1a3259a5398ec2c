package io.holdout.datasets;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The real data bundled in {@code src/test/resources/data} (see its README for attribution). */
public final class RealData {
  private RealData() {}

  public static Path file(String name) {
    try {
      return Path.of(RealData.class.getResource("/data/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("test resource data/" + name + " is missing", e);
    }
  }

  public static Path digits() {
    return file("digits.csv.gz");
  }

  public static Path breastCancer() {
    return file("breast_cancer.csv.gz");
  }
}
