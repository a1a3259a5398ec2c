package io.holdout.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the CLI in-process and captures its streams. */
final class CliFixture {
  static final Path IRIS = Path.of("../examples/data/iris.csv").toAbsolutePath().normalize();

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    CliResult r = CliResult.of(args);
    return new Result(r.code(), r.out(), r.err());
  }

  /** A small iris experiment config in {@code dir}, reading {@code csv}. */
  static Path irisConfig(Path dir, Path csv, String backend, int epochs) throws Exception {
    String yaml = """
        name: tiny
        seed: 7
        backend: %s
        runs: %s
        data:
          path: %s
          features: [sepal_length, sepal_width, petal_length]
          targets:
            species: {type: class}
            petal_width: {type: number}
          standardize: true
        split: {type: stratified, ratios: {train: 0.7, val: 0.15, test: 0.15}}
        loader: {batchSize: 16}
        model:
          layers: [{type: dense, units: 16}, {type: relu}]
          heads:
            species: {type: classification}
            petal_width: {type: regression}
        loss:
          - {name: regression, type: mse, output: petal_width, weight: 0.5}
          - {name: classification, type: cross_entropy, output: species}
        optimizer: {type: adam, lr: 0.02}
        trainer: {epochs: %d}
        """.formatted(backend, dir.resolve("runs"), csv, epochs);
    return Files.writeString(dir.resolve("exp.yaml"), yaml);
  }

  private CliFixture() {}
}
