package io.holdout.datasets.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.datasets.image.Images;
import io.holdout.datasets.image.ShapesSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets larger than the heap go through an epoch: a child JVM with {@code -Xmx48m} streams
 * images whose decoded floats add up to more than 48 MB.
 */
class LazyMemoryTest {
  private static final long HEAP = 48L << 20;

  private static String run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx48m");
    cmd.add("-XX:MaxDirectMemorySize=48m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MemoryProbe.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.strip();
  }

  private static long field(String out, String name) {
    String[] t = out.lines().reduce((a, b) -> b).orElseThrow().split(" ");
    for (int i = 0; i < t.length - 1; i++) {
      if (t[i].equals(name)) {
        return Long.parseLong(t[i + 1]);
      }
    }
    throw new AssertionError(name + " not in " + out);
  }

  @Test
  void generatedShapesLargerThanTheHeap() throws Exception {
    String out = run("shapes", "700"); // 700 x 3 x 96 x 96 floats = 77 MB
    assertThat(field(out, "samples")).isEqualTo(700);
    assertThat(field(out, "decoded")).isGreaterThan(HEAP);
    assertThat(field(out, "heap")).isLessThanOrEqualTo(HEAP);
  }

  @Test
  void imageFolderLargerThanTheHeap(@TempDir Path root) throws Exception {
    ShapesSource shapes = ShapesSource.builder(1, 128, 128).optNoise(0).build();
    // one picture copied many times: 320 x 3 x 128 x 128 floats = 63 MB decoded
    Files.createDirectories(root.resolve("a"));
    Files.createDirectories(root.resolve("b"));
    Path first = root.resolve("a/0000.png");
    Images.write(shapes.get(0).input(), first);
    for (int i = 1; i < 320; i++) {
      Files.copy(
          first,
          root.resolve((i % 2 == 0 ? "a/" : "b/") + String.format(Locale.ROOT, "%04d.png", i)));
    }
    String out = run("folder", root.toString());
    assertThat(field(out, "samples")).isEqualTo(320);
    assertThat(field(out, "decoded")).isGreaterThan(HEAP);
  }
}
