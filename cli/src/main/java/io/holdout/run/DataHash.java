package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.DataConfig;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.SplitConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SHA-256 of the content an experiment reads: every file it names (data file or folder, COCO
 * images, split lists, split manifest, an imported ONNX model), folders walked in sorted order with each file's relative
 * path and bytes. A generated source has no files: its content is fixed by the config (source,
 * count, seed...), which the config check covers. Resume compares this hash, so an edited or
 * replaced data file is refused even when it happens to split the same way.
 */
final class DataHash {
  private DataHash() {}

  /** The hash, hex (first 16 characters), of the files {@code c} names; paths must be absolute. */
  static String of(ExperimentConfig c) {
    MessageDigest md = sha256();
    for (Map.Entry<String, Path> e : files(c).entrySet()) {
      update(md, e.getKey() + "\n");
      add(md, e.getValue(), e.getKey());
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  /** The files and folders an experiment reads, by config key. */
  static Map<String, Path> files(ExperimentConfig c) {
    Map<String, Path> out = new LinkedHashMap<>();
    DataConfig d = c.data();
    SplitConfig s = c.split();
    if (d.path() != null) {
      out.put("data.path", Path.of(d.path()));
    }
    if (d.images() != null) {
      out.put("data.images", Path.of(d.images()));
    }
    if (s.lists() != null) {
      s.lists().forEach((k, v) -> out.put("split.lists." + k, Path.of(v)));
    }
    if (s.path() != null) {
      out.put("split.path", Path.of(s.path()));
    }
    if (c.model().onnx() != null) {
      out.put("model.onnx", Path.of(c.model().onnx()));
    }
    return out;
  }

  private static void add(MessageDigest md, Path p, String key) {
    try {
      if (Files.isDirectory(p)) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        for (Path f : files) {
          update(md, p.relativize(f).toString().replace('\\', '/') + "\n");
          bytes(md, f);
        }
      } else if (Files.isRegularFile(p)) {
        bytes(md, p);
      } else {
        throw new HoldoutException(p + ": " + key + " does not exist");
      }
    } catch (IOException e) {
      throw new HoldoutException(p + ": cannot read " + key + " (" + e.getMessage() + ")");
    }
  }

  private static void bytes(MessageDigest md, Path f) throws IOException {
    update(md, Files.size(f) + "\n");
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(f)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
  }

  private static void update(MessageDigest md, String s) {
    md.update(s.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
