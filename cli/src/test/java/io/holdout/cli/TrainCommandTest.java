package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on real engines and files. */
class TrainCommandTest {
  @TempDir Path dir;

  static Path runFolder(CliFixture.Result r) {
    List<String> lines = r.out().lines().toList();
    String last = lines.get(lines.size() - 1);
    assertThat(last).startsWith("run folder: ");
    return Path.of(last.substring("run folder: ".length()));
  }

  /**
   * The default callbacks are registered parts a config may switch off with {@code -NAME}: without
   * console, curves and test predictions the run prints no epoch lines and writes neither file,
   * while metrics.csv, checkpoints and the report are there with the figures of a run with every
   * default callback.
   */
  @Test
  void aConfigSwitchesDefaultCallbacksOff() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "java-reference", 2);
    CliFixture.Result all = CliFixture.run("train", cfg.toString(), "--set", "name=all");
    assertThat(all.code()).as(all.err()).isZero();
    CliFixture.Result fewer = CliFixture.run("train", cfg.toString(), "--set", "name=fewer", "--set",
        "trainer.callbacks=[-console, -curves, -test_predictions]");
    assertThat(fewer.code()).as(fewer.err()).isZero();
    Path a = runFolder(all);
    Path f = runFolder(fewer);
    assertThat(all.out()).containsPattern("(?m)^epoch 2/2  train loss").containsPattern("(?m)^test    loss ");
    assertThat(fewer.out()).doesNotContainPattern("(?m)^epoch ").doesNotContainPattern("(?m)^test    loss ");
    assertThat(a.resolve("curves.png")).exists();
    assertThat(a.resolve("test-predictions.csv")).exists();
    assertThat(f.resolve("curves.png")).doesNotExist();
    assertThat(f.resolve("test-predictions.csv")).doesNotExist();
    assertThat(f.resolve("checkpoints").resolve("last.safetensors")).exists();
    assertThat(Files.readString(f.resolve("test-report.json"))).isEqualTo(Files.readString(a.resolve("test-report.json")));
    List<String> csvAll = Files.readAllLines(a.resolve("metrics.csv"));
    List<String> csvFewer = Files.readAllLines(f.resolve("metrics.csv"));
    assertThat(csvFewer).hasSize(1 + 2 * 2 + 1).hasSameSizeAs(csvAll);
    for (int i = 0; i < csvAll.size(); i++) {
      // epoch, split, total and the components (timings differ from run to run)
      assertThat(Arrays.asList(csvFewer.get(i).split(",", -1)).subList(0, 7))
          .isEqualTo(Arrays.asList(csvAll.get(i).split(",", -1)).subList(0, 7));
    }
  }

  @Test
  void trainsIrisOnPyTorchEndToEnd() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "pytorch", 30);
    CliFixture.Result r = CliFixture.run("train", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    java.util.regex.Matcher plan = java.util.regex.Pattern.compile("split   train 105 \\| val (\\d+) \\| test (\\d+) samples")
        .matcher(r.out());
    assertThat(plan.find()).as(r.out()).isTrue();
    int testSize = Integer.parseInt(plan.group(2));
    assertThat(Integer.parseInt(plan.group(1)) + testSize).isEqualTo(45);
    assertThat(r.out())
        .contains("steps per epoch (ceil(")
        .containsPattern("epoch 30/30  train loss [0-9.]+ \\(regression 0\\.5×[0-9.]+ \\+ classification [0-9.]+\\)");
    Path run = runFolder(r);
    assertThat(run.resolve("config.yaml")).exists();
    assertThat(run.resolve("weights.safetensors")).exists();
    assertThat(run.resolve("split.json")).exists();
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> header = Arrays.asList(csv.get(0).split(",", -1));
    assertThat(header).startsWith("epoch", "split", "total", "regression", "classification",
        "regression_weighted", "classification_weighted", "lr");
    assertThat(csv).hasSize(1 + 30 * 2 + 1);
    for (String row : csv.subList(1, csv.size())) {
      String[] v = row.split(",", -1);
      double total = Double.parseDouble(v[2]);
      double sum = 0.5 * Double.parseDouble(v[3]) + Double.parseDouble(v[4]);
      assertThat(total).isCloseTo(sum, within(1e-5 * Math.max(1, Math.abs(sum))));
      assertThat(Double.parseDouble(v[5]) + Double.parseDouble(v[6])).isCloseTo(total, within(1e-5 * Math.max(1, total)));
    }
    // validation loss fell over training
    List<String> val = csv.stream().filter(s -> s.split(",")[1].equals("val")).toList();
    double first = Double.parseDouble(val.get(0).split(",")[2]);
    double last = Double.parseDouble(val.get(val.size() - 1).split(",")[2]);
    assertThat(last).isLessThan(first * 0.5);
    String testRow = csv.get(csv.size() - 1);
    assertThat(testRow.split(",")[1]).isEqualTo("test");
    int acc = header.indexOf("species.accuracy");
    assertThat(Double.parseDouble(testRow.split(",", -1)[acc])).isGreaterThanOrEqualTo(0.85);

    // curves.png: a valid PNG, one panel per component + total + lr, with both series drawn
    java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(run.resolve("curves.png").toFile());
    assertThat(png).isNotNull();
    assertThat(png.getHeight()).isEqualTo(250 * (2 + 2));
    boolean blue = false;
    boolean orange = false;
    for (int y = 0; y < png.getHeight(); y++) {
      for (int x = 0; x < png.getWidth(); x++) {
        int rgb = png.getRGB(x, y) & 0xffffff;
        blue |= rgb == 0x1f77b4;
        orange |= rgb == 0xff7f0e;
      }
    }
    assertThat(blue).as("train series drawn").isTrue();
    assertThat(orange).as("val series drawn").isTrue();

    // per-sample test predictions, worst first, and the test report says which weights
    List<String> preds = Files.readAllLines(run.resolve("test-predictions.csv"));
    assertThat(preds.get(0)).startsWith("id,loss_total,").contains("p_species_0", "loss_regression");
    assertThat(preds).hasSize(1 + testSize);
    double prev = Double.MAX_VALUE;
    for (String row : preds.subList(1, preds.size())) {
      double loss = Double.parseDouble(row.split(",")[1]);
      assertThat(loss).isLessThanOrEqualTo(prev);
      prev = loss;
    }
    assertThat(Files.readString(run.resolve("test-report.json"))).contains("\"weights\": \"best: epoch");

    // every test metric has a seeded bootstrap interval around it, printed and in the report; the
    // accuracy one equals the bootstrap of the per-sample hits recomputed here from
    // test-predictions.csv, put back into evaluation order (the split's test order)
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var report = json.readTree(run.resolve("test-report.json").toFile());
    for (String m : List.of("species.accuracy", "petal_width.mse")) {
      double v = report.path("metrics").path(m).asDouble();
      var ci = report.path("intervals").path(m);
      assertThat(ci.path("resamples").asInt()).as(m).isEqualTo(1000);
      assertThat(ci.path("level").asDouble()).isEqualTo(0.95);
      assertThat(ci.path("low").asDouble()).as(m).isLessThanOrEqualTo(v);
      assertThat(ci.path("high").asDouble()).as(m).isGreaterThanOrEqualTo(v);
      assertThat(r.out()).containsPattern("\\| test " + java.util.regex.Pattern.quote(m) + " [0-9.]+ \\[[0-9.]+, [0-9.]+\\] 95%");
    }
    assertThat(report.path("intervals").path("petal_width.mse").path("high").asDouble())
        .as("squared errors differ from sample to sample").isGreaterThan(
            report.path("intervals").path("petal_width.mse").path("low").asDouble());
    List<String> predHeader = Arrays.asList(preds.get(0).split(",", -1));
    java.util.Map<String, Double> hitById = new java.util.HashMap<>();
    java.util.Map<String, Double> squaredById = new java.util.HashMap<>();
    for (String row : preds.subList(1, preds.size())) {
      String[] v = row.split(",", -1);
      int best = 0;
      for (int k = 1; k < 3; k++) {
        if (Double.parseDouble(v[predHeader.indexOf("p_species_" + k)]) > Double.parseDouble(v[predHeader.indexOf("p_species_" + best)])) {
          best = k;
        }
      }
      hitById.put(v[0], Double.parseDouble(v[predHeader.indexOf("target_species")]) == best ? 1.0 : 0.0);
      double e = Double.parseDouble(v[predHeader.indexOf("pred_petal_width")])
          - Double.parseDouble(v[predHeader.indexOf("target_petal_width")]);
      squaredById.put(v[0], e * e);
    }
    List<String> testIds = new java.util.ArrayList<>();
    json.readTree(run.resolve("split.json").toFile()).path("parts").path("test").path("ids")
        .forEach(n -> testIds.add(n.asText()));
    double[] hits = testIds.stream().mapToDouble(hitById::get).toArray();
    var expected = new io.holdout.losses.metrics.Bootstrap(1000, 0.95, 7).mean(hits);
    assertThat(report.path("metrics").path("species.accuracy").asDouble()).isCloseTo(expected.value(), within(1e-9));
    assertThat(report.path("intervals").path("species.accuracy").path("low").asDouble())
        .isCloseTo(expected.low(), within(1e-9));
    assertThat(report.path("intervals").path("species.accuracy").path("high").asDouble())
        .isCloseTo(expected.high(), within(1e-9));
    // the CSV holds 6 significant digits, hence the tolerance on the recomputed squared errors
    var mse = new io.holdout.losses.metrics.Bootstrap(1000, 0.95, 7).mean(
        testIds.stream().mapToDouble(squaredById::get).toArray());
    for (String bound : List.of("low", "high")) {
      double got = report.path("intervals").path("petal_width.mse").path(bound).asDouble();
      assertThat(got).as(bound).isCloseTo(bound.equals("low") ? mse.low() : mse.high(), within(1e-4 * got));
    }
    assertThat(Files.readString(run.resolve("provenance.json"))).contains("\"backend\" : \"pytorch\"", "torch");
    assertThat(run.resolve("checkpoints/best.safetensors")).exists();
  }

  @Test
  void onlyTheBackendLineChanges() throws Exception {
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "pytorch", 3);
    CliFixture.Result r;
    System.setProperty("holdout.pytorch.memoryFormat", "contiguous");
    try {
      r = CliFixture.run("train", cfg.toString(), "--set", "backend=java-reference");
    } finally {
      System.clearProperty("holdout.pytorch.memoryFormat");
    }
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("backend java-reference");
    Path run = runFolder(r);
    assertThat(Files.readString(run.resolve("config.yaml"))).contains("backend: java-reference");
    // the engines' switches set for the run are recorded with it
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve("provenance.json").toFile()).path("engine_switches")
        .path("holdout.pytorch.memoryFormat").asText()).isEqualTo("contiguous");
  }

  @Test
  void backendsCommandListsVersionsAndCapabilities() {
    CliFixture.Result r = CliFixture.run("backends");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("pytorch  (holdout-engine-pytorch)", "training:   yes", "java-reference",
        "tensorflow  (holdout-engine-tensorflow)", "tensorflow 2.18.0");
  }

  @Test
  void helpOnEveryCommand() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"train", "--help"}, new String[] {"backends", "--help"})) {
      CliFixture.Result r = CliFixture.run(args);
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("Usage:");
    }
  }
}
