package io.holdout.cli;

import io.holdout.run.Export;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code holdout export RUN_FOLDER [--format onnx] [--out FILE] [--weights NAME]}: the formats are
 * the exporters found on the class path at run time (onnx comes with holdout-engine-onnx).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {
      "Write a run's model as a standalone file other tools can load. The formats are the exporters found on the",
      "class path at run time (onnx: holdout-engine-onnx).",
      "onnx: opset 18, input 'input' with a dynamic batch dimension, one output per head (a detector also",
      "outputs decoded 'boxes' and softmax 'scores'; NMS is left to the caller), metadata with the holdout",
      "version and config hash. The file is checked by loading it in ONNX Runtime."})
final class ExportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_FOLDER", description = "A run folder written by holdout train.")
  Path run;

  @Option(names = "--format", defaultValue = "onnx", description = "An export format found on the class path, e.g. onnx (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--out", description = "The file to write (default: RUN_FOLDER/model.<format's extension>, e.g. model.onnx).")
  Path out;

  @Option(names = "--weights", defaultValue = "weights.safetensors",
      description = "Weights file inside the run folder (default: ${DEFAULT-VALUE}).")
  String weights;

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    Export.run(run, format, weights, out, Versions.holdout(), spec.commandLine().getOut());
    return 0;
  }
}
