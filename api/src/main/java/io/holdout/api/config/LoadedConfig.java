package io.holdout.api.config;

import java.nio.file.Path;

/**
 * A validated config with every default filled in.
 *
 * @param config the resolved config (no null section)
 * @param source the file it came from (for messages)
 * @param baseDir directory that relative data paths resolve against
 * @param resolvedYaml the resolved config as YAML, written into every run folder
 * @param hash SHA-256 of {@code resolvedYaml}, hex (first 16 characters)
 */
public record LoadedConfig(
    ExperimentConfig config, Path source, Path baseDir, String resolvedYaml, String hash) {

  /** Resolves a data path from the config against the config file's directory. */
  public Path resolve(String path) {
    return baseDir.resolve(path).normalize();
  }
}
