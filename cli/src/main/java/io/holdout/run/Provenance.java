package io.holdout.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.backend.Backend;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.io.AtomicFiles;
import io.holdout.cli.Versions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Writes {@code provenance.json}: what produced this run, so it can be reproduced and compared. */
public final class Provenance {
  private Provenance() {}

  public static void write(Path file, LoadedConfig loaded, Backend backend, String device, String splitHash,
      String dataHash) {
    ExperimentConfig c = loaded.config();
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("holdout", Versions.holdout());
    n.put("started", Instant.now().toString());
    n.put("backend", backend.name());
    ObjectNode v = n.putObject("engine_versions");
    backend.versions().forEach(v::put);
    n.put("device", device);
    n.put("seed", c.seed());
    n.put("intra_op_threads", c.engine().intraOpThreads());
    n.put("inter_op_threads", c.engine().interOpThreads());
    n.put("precision", c.engine().precisionType().key());
    // the engines' switches (-Dholdout.pytorch.memoryFormat=..., -Dholdout.onnx.kernelGradient=...)
    // choose kernels, so they are part of how the figures were computed
    ObjectNode switches = n.putObject("engine_switches");
    new java.util.TreeMap<>(System.getProperties()).forEach((k, val) -> {
      if (k instanceof String key && key.startsWith("holdout.")) {
        switches.put(key, String.valueOf(val));
      }
    });
    n.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " ("
        + System.getProperty("java.vendor") + ")");
    n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    n.put("cpus", Runtime.getRuntime().availableProcessors());
    n.put("config", loaded.source().toString());
    n.put("config_hash", loaded.hash());
    n.put("split_hash", splitHash);
    n.put("data_hash", dataHash);
    String git = gitCommit();
    if (git != null) {
      n.put("git_commit", git);
    }
    AtomicFiles.writeString(file, n.toPrettyString() + "\n");
  }

  /** The commit of the working directory's git checkout, if any (a dirty tree is marked). */
  static String gitCommit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return null;
      }
      String head = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").redirectErrorStream(true).start();
      boolean dirty = d.waitFor(5, TimeUnit.SECONDS) && d.exitValue() == 0 && d.getInputStream().readAllBytes().length > 0;
      return head + (dirty ? " (with uncommitted changes)" : "");
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
