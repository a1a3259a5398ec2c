package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same experiment on PyTorch and on TensorFlow, changing only {@code backend}: the numbers agree,
 * and a run trained on one engine evaluates on the other with the same loss.
 */
class CrossEngineTest {
  @TempDir Path dir;

  static double testAccuracy(Path run) throws Exception {
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> header = List.of(csv.get(0).split(",", -1));
    String[] test = csv.get(csv.size() - 1).split(",", -1);
    return Double.parseDouble(test[header.indexOf("species.accuracy")]);
  }

  static double evaluatedLoss(CliFixture.Result r) {
    Matcher m = Pattern.compile("test on \\S+ \\(.*\\): loss ([0-9.]+)").matcher(r.out());
    assertThat(m.find()).as(r.out() + r.err()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void tensorflowTrainsTheSameConfigToTheSameAccuracyAndRunsEvaluateAcrossEngines() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "pytorch", 20);
    CliFixture.Result torch = CliFixture.run("train", cfg.toString());
    CliFixture.Result tf = CliFixture.run("train", cfg.toString(), "--set", "backend=tensorflow");
    assertThat(torch.code()).as(torch.err()).isZero();
    assertThat(tf.code()).as(tf.err()).isZero();
    assertThat(tf.out()).contains("backend tensorflow");
    Path torchRun = TrainCommandTest.runFolder(torch);
    Path tfRun = TrainCommandTest.runFolder(tf);
    assertThat(testAccuracy(tfRun)).isCloseTo(testAccuracy(torchRun), within(0.03));

    // weights trained on PyTorch, evaluated on TensorFlow (and the other way): same loss
    double onTorch = evaluatedLoss(CliFixture.run("evaluate", torchRun.toString()));
    double onTf = evaluatedLoss(CliFixture.run("evaluate", torchRun.toString(), "--backend", "tensorflow"));
    assertThat(onTf).isCloseTo(onTorch, within(1e-4 * Math.max(1, onTorch)));
    double tfOnTf = evaluatedLoss(CliFixture.run("evaluate", tfRun.toString()));
    double tfOnTorch = evaluatedLoss(CliFixture.run("evaluate", tfRun.toString(), "--backend", "pytorch"));
    assertThat(tfOnTorch).isCloseTo(tfOnTf, within(1e-4 * Math.max(1, tfOnTf)));
    assertThat(tfRun.resolve("eval-test-pytorch-predictions.csv")).exists();
  }
}
