package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The iris example lists no metrics, so its test line and report hold the full set of each task:
 * accuracy, macro precision, recall and F1, ROC-AUC for the species; MSE, MAE and R² for the petal
 * width. Each is recomputed here, by code of this test's own, from the per-sample logits, values and
 * labels of {@code test-predictions.csv} (written exactly), and must equal the report's figure to
 * 1e-9 and the console's to its 4 printed decimals.
 */
class FullMetricsTest {
  @TempDir Path dir;

  @Test
  void irisReportsEveryMetricOfItsTasksEqualToAnIndependentComputation() throws Exception {
    CliFixture.Result r = CliFixture.run("train", ExamplesTest.EXAMPLES.resolve("iris-multitask.yaml").toString(),
        "--set", "runs=" + dir, "--set", "trainer.progress=none");
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    Map<String, Double> expected = recompute(run.resolve("test-predictions.csv"));
    assertThat(expected.keySet()).containsExactly("species.accuracy", "species.precision", "species.recall",
        "species.f1", "species.roc_auc", "petal_width.mse", "petal_width.mae", "petal_width.r2");

    JsonNode report = new ObjectMapper().readTree(run.resolve("test-report.json").toFile());
    List<String> reported = new ArrayList<>();
    report.path("metrics").fieldNames().forEachRemaining(reported::add);
    assertThat(reported).as("report metrics, in order").containsExactlyElementsOf(expected.keySet());
    String testLine = r.out().lines().filter(l -> l.startsWith("test    loss ")).findFirst().orElseThrow();
    for (Map.Entry<String, Double> e : expected.entrySet()) {
      String key = e.getKey();
      double mine = e.getValue();
      assertThat(report.path("metrics").path(key).asDouble(Double.NaN)).as(key).isCloseTo(mine, within(1e-9));
      Matcher m = Pattern.compile("\\| test " + Pattern.quote(key) + " (-?[0-9.]+) \\[").matcher(testLine);
      assertThat(m.find()).as(key + " on the test line: " + testLine).isTrue();
      assertThat(m.group(1)).as(key).isEqualTo(String.format(Locale.ROOT, "%.4f", mine));
      JsonNode ci = report.path("intervals").path(key);
      assertThat(ci.path("low").asDouble()).as(key).isLessThanOrEqualTo(mine + 1e-12);
      assertThat(ci.path("high").asDouble()).as(key).isGreaterThanOrEqualTo(mine - 1e-12);
    }
    // a trained model: the figures say something (not all NaN or chance)
    assertThat(expected.get("species.roc_auc")).isGreaterThan(0.9);
    assertThat(expected.get("petal_width.r2")).isGreaterThan(0.5);
  }

  /** Every metric of the iris tasks from the per-sample file, computed from their definitions. */
  static Map<String, Double> recompute(Path predictions) throws Exception {
    List<String> lines = Files.readAllLines(predictions);
    List<String> h = Arrays.asList(lines.get(0).split(",", -1));
    int classes = (int) h.stream().filter(c -> c.startsWith("logit_species_")).count();
    assertThat(classes).as("logit columns").isEqualTo(3);
    List<Integer> labels = new ArrayList<>();
    List<double[]> probs = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    List<Double> yHat = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(",", -1);
      labels.add(Integer.parseInt(v[h.indexOf("target_species")]));
      double[] logits = new double[classes];
      for (int k = 0; k < classes; k++) {
        logits[k] = Double.parseDouble(v[h.indexOf("logit_species_" + k)]);
      }
      probs.add(softmax(logits));
      y.add(Double.parseDouble(v[h.indexOf("target_petal_width")]));
      yHat.add(Double.parseDouble(v[h.indexOf("pred_petal_width")]));
    }
    int n = labels.size();
    int[][] count = new int[classes][classes];
    for (int i = 0; i < n; i++) {
      double[] p = probs.get(i);
      int best = 0;
      for (int k = 1; k < classes; k++) {
        if (p[k] > p[best]) {
          best = k;
        }
      }
      count[labels.get(i)][best]++;
    }
    int correct = 0;
    double pSum = 0;
    double rSum = 0;
    double fSum = 0;
    int present = 0;
    for (int c = 0; c < classes; c++) {
      correct += count[c][c];
      int support = 0;
      int predicted = 0;
      for (int k = 0; k < classes; k++) {
        support += count[c][k];
        predicted += count[k][c];
      }
      if (support == 0 && predicted == 0) {
        continue;
      }
      present++;
      double precision = predicted == 0 ? 0 : (double) count[c][c] / predicted;
      double recall = support == 0 ? 0 : (double) count[c][c] / support;
      pSum += precision;
      rSum += recall;
      fSum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }
    // one-vs-rest ROC-AUC: the fraction of (positive, negative) pairs ranked right, ties half
    double aucSum = 0;
    int aucClasses = 0;
    for (int c = 0; c < classes; c++) {
      double pairs = 0;
      double right = 0;
      for (int i = 0; i < n; i++) {
        if (labels.get(i) != c) {
          continue;
        }
        for (int j = 0; j < n; j++) {
          if (labels.get(j) == c) {
            continue;
          }
          pairs++;
          double a = probs.get(i)[c];
          double b = probs.get(j)[c];
          right += a > b ? 1 : a == b ? 0.5 : 0;
        }
      }
      if (pairs > 0) {
        aucSum += right / pairs;
        aucClasses++;
      }
    }
    double mean = y.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double se = 0;
    double ae = 0;
    double tot = 0;
    for (int i = 0; i < n; i++) {
      double d = yHat.get(i) - y.get(i);
      se += d * d;
      ae += Math.abs(d);
      tot += (y.get(i) - mean) * (y.get(i) - mean);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("species.accuracy", (double) correct / n);
    out.put("species.precision", pSum / present);
    out.put("species.recall", rSum / present);
    out.put("species.f1", fSum / present);
    out.put("species.roc_auc", aucSum / aucClasses);
    out.put("petal_width.mse", se / n);
    out.put("petal_width.mae", ae / n);
    out.put("petal_width.r2", 1 - se / tot);
    return out;
  }

  private static double[] softmax(double[] logits) {
    double max = Arrays.stream(logits).max().orElseThrow();
    double[] e = Arrays.stream(logits).map(v -> Math.exp(v - max)).toArray();
    double z = Arrays.stream(e).sum();
    return Arrays.stream(e).map(v -> v / z).toArray();
  }
}
