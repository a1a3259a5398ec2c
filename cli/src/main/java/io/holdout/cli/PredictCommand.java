package io.holdout.cli;

import io.holdout.run.Predict;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout predict RUN_FOLDER FILE... [--score 0.5] [--out DIR] [--json] [--backend NAME | --onnx FILE]}. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {
      "Run a finished run's model, from its folder alone, on image files or on the rows of a CSV table.",
      "A detector's boxes (after NMS, score >= --score) are drawn on PNG copies of the images and listed as text;",
      "other image models list each head's prediction. A tabular model reads one CSV file: its feature columns",
      "(found by name in the header, raw values; other columns are ignored) are standardised as in training;",
      "predictions.csv gets per row each classification head's class and probabilities and each regression",
      "head's values in the target's units. predictions.json holds everything for programs."})
final class PredictCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_FOLDER", description = "A run folder written by holdout train.")
  Path run;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE",
      description = "PNG, JPEG, BMP or GIF files (an image model), or one CSV file (a tabular model).")
  List<Path> images;

  @Option(names = "--score", defaultValue = "0.5",
      description = "Keep detections whose class probability is at least this (default: ${DEFAULT-VALUE}).")
  double score;

  @Option(names = "--out", description = "Folder for the pictures, predictions.csv and predictions.json (default: RUN_FOLDER/predictions).")
  Path out;

  @Option(names = "--json", description = "Print the JSON document instead of text.")
  boolean json;

  @Option(names = "--backend", description = "Predict on this backend instead of the run's.")
  String backend;

  @Option(names = "--weights", defaultValue = "weights.safetensors",
      description = "Weights file inside the run folder (default: ${DEFAULT-VALUE}).")
  String weights;

  @Option(names = "--onnx", description = "Run this exported .onnx file (holdout export) instead of the run's weights.")
  Path onnx;

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    Predict.run(run, images, new Predict.Options(backend, weights, score, out, json, onnx), spec.commandLine().getOut());
    return 0;
  }
}
