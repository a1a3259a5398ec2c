package io.holdout.cli;

import io.holdout.api.HoldoutException;
import io.holdout.run.Export;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout export RUN_FOLDER --format onnx [--out FILE] [--weights NAME]}. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {
      "Write a run's model as a standalone file other tools can load.",
      "onnx: opset 18, input 'input' with a dynamic batch dimension, one output per head (a detector also",
      "outputs decoded 'boxes' and softmax 'scores'; NMS is left to the caller), metadata with the holdout",
      "version and config hash. The file is checked by loading it in ONNX Runtime."})
final class ExportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_FOLDER", description = "A run folder written by holdout train.")
  Path run;

  @Option(names = "--format", defaultValue = "onnx", description = "Only onnx for now (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--out", description = "The file to write (default: RUN_FOLDER/model.onnx).")
  Path out;

  @Option(names = "--weights", defaultValue = "weights.safetensors",
      description = "Weights file inside the run folder (default: ${DEFAULT-VALUE}).")
  String weights;

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    if (!"onnx".equals(format)) {
      throw new HoldoutException("--format must be onnx, got '" + format + "'");
    }
    Export.onnx(run, weights, out, Versions.holdout(), spec.commandLine().getOut());
    return 0;
  }
}
