package io.holdout.examples.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.extension.Extensions;
import io.holdout.cli.Main;
import io.holdout.run.Experiment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin in use, as a user would: its jar on the class path, its loss and metric named in YAML,
 * trained on PyTorch through the CLI and through the library. Nothing in holdout names them.
 */
class PluginExampleTest {
  static final Path IRIS = Path.of("../data/iris.csv").toAbsolutePath().normalize();

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  /** Iris: species and petal width from the other measurements; the plugin's metric on petal width. */
  Path config(String metrics) throws Exception {
    return config(metrics, "", "", 15, ADAM);
  }

  static final String ADAM = "{type: adam, lr: 0.02}";

  /** The same with the {@code optimizer:} section {@code optimizer}. */
  Path config(String metrics, String optimizer) throws Exception {
    return config(metrics, "", "", 15, optimizer);
  }

  /**
   * The same with {@code widthParams} after the width loss's keys (e.g. {@code , params: {scale:
   * 2.0}}), {@code dataExtra} lines in {@code data:} and {@code epochs}.
   */
  Path config(String metrics, String widthParams, String dataExtra, int epochs) throws Exception {
    return config(metrics, widthParams, dataExtra, epochs, ADAM);
  }

  /** The same with everything set. */
  Path config(String metrics, String widthParams, String dataExtra, int epochs, String optimizer) throws Exception {
    String yaml = """
        name: plugin
        seed: 11
        backend: pytorch
        runs: %s
        data:
          path: %s
          features: [sepal_length, sepal_width, petal_length]
          targets:
            species: {type: class}
            petal_width: {type: number}
          standardize: true
          %s
        split: {type: stratified, ratios: {train: 0.7, val: 0.15, test: 0.15}}
        loader: {batchSize: 16}
        model:
          layers: [{type: dense, units: 16}, {type: relu}]
          heads:
            species: {type: classification}
            petal_width: {type: regression}
        loss:
          - {name: width, type: log_cosh, output: petal_width%s}
          - {name: classification, type: cross_entropy, output: species}
        optimizer: %s
        trainer: {epochs: %d, callbacks: [epoch_log]}
        metrics: %s
        """.formatted(dir.resolve("runs"), IRIS, dataExtra, widthParams, optimizer, epochs, metrics);
    return Files.writeString(dir.resolve("exp.yaml"), yaml);
  }

  static final String METRICS = "[{type: within_tolerance, output: petal_width, params: {tolerance: 0.25}},"
      + " {type: accuracy, output: species}]";

  /**
   * The share of test rows whose predicted petal width is within 0.25 cm of the truth, recomputed
   * here from the per-sample predictions file (targets and predictions written to 6 digits).
   */
  static double shareWithin(Path predictions, double tolerance) throws Exception {
    List<String> rows = Files.readAllLines(predictions);
    List<String> header = Arrays.asList(rows.get(0).split(",", -1));
    int t = header.indexOf("target_petal_width");
    int p = header.indexOf("pred_petal_width");
    assertThat(t).as(rows.get(0)).isNotNegative();
    assertThat(p).as(rows.get(0)).isNotNegative();
    int hits = 0;
    for (String row : rows.subList(1, rows.size())) {
      String[] v = row.split(",", -1);
      hits += Math.abs(Double.parseDouble(v[p]) - Double.parseDouble(v[t])) <= tolerance ? 1 : 0;
    }
    return (double) hits / (rows.size() - 1);
  }

  /**
   * The test split's log-cosh loss recomputed here with {@code Math.log(Math.cosh(d))} from the
   * per-sample predictions file: each row's {@code loss_width}, and their mean (one value per row).
   */
  static double meanLogCosh(Path predictions) throws Exception {
    return meanLogCosh(predictions, 1, true);
  }

  /**
   * The same for {@code log(cosh(scale·d))}; with {@code check}, each row's {@code loss_width} must
   * be that value.
   */
  static double meanLogCosh(Path predictions, double scale, boolean check) throws Exception {
    List<String> rows = Files.readAllLines(predictions);
    List<String> header = Arrays.asList(rows.get(0).split(",", -1));
    int t = header.indexOf("target_petal_width");
    int p = header.indexOf("pred_petal_width");
    int l = header.indexOf("loss_width");
    assertThat(l).as(rows.get(0)).isNotNegative();
    double sum = 0;
    for (String row : rows.subList(1, rows.size())) {
      String[] v = row.split(",", -1);
      double expected = Math.log(Math.cosh(scale * (Double.parseDouble(v[p]) - Double.parseDouble(v[t]))));
      if (check) {
        assertThat(Double.parseDouble(v[l])).as(row).isCloseTo(expected, within(2e-5));
      }
      sum += expected;
    }
    return sum / (rows.size() - 1);
  }

  @Test
  void thePluginIsFoundOnTheClassPathBesideTheBuiltIns() {
    Extensions e = Extensions.installed();
    assertThat(e.plugins()).contains("plugin-example", "losses", "core");
    assertThat(e.owners(Extensions.METRIC)).containsEntry("within_tolerance", "plugin-example")
        .containsEntry("accuracy", "losses");
    assertThat(e.owners(Extensions.LOSS)).containsEntry("log_cosh", "plugin-example");
    assertThat(e.owners(Extensions.OPTIMIZER)).containsEntry("lion", "plugin-example").containsEntry("adam", "core");
  }

  static final double LION_LR = 0.002;
  static final double LION_BETA1 = 0.9;
  static final double LION_BETA2 = 0.95;
  static final double LION_WD = 0.1;
  static final String LION = "{type: lion, lr: " + LION_LR + ", beta1: " + LION_BETA1 + ", beta2: " + LION_BETA2
      + ", weightDecay: " + LION_WD + "}";

  /**
   * The plugin's optimizer named in YAML and trained through the CLI on PyTorch: the last checkpoint
   * holds its momentum slot for every parameter under PyTorch's name ({@code exp_avg.<param>}) and the
   * step count, and the model learned.
   */
  @Test
  void trainsWithThePluginOptimizerFromYamlThroughTheCli() throws Exception {
    Result r = cli("train", config(METRICS, LION).toString());
    assertThat(r.code()).as(r.err()).isZero();
    String last = r.out().lines().reduce((a, b) -> b).orElseThrow();
    Path run = Path.of(last.substring("run folder: ".length()));
    io.holdout.api.io.Safetensors.Contents ckpt =
        io.holdout.api.io.Safetensors.read(run.resolve("checkpoints").resolve("last.safetensors"));
    List<String> weights = ckpt.tensors().keySet().stream().filter(k -> !k.startsWith("state.")).toList();
    assertThat(weights).isNotEmpty();
    for (String w : weights) {
      io.holdout.api.tensor.Tensor slot = ckpt.tensors().get("state." + Lion.SLOT + "." + w);
      assertThat(slot).as("momentum of " + w).isNotNull();
      assertThat(slot.shape()).isEqualTo(ckpt.tensors().get(w).shape());
      assertThat(slot.toFloatArray()).as("momentum of " + w).isNotEqualTo(new float[slot.toFloatArray().length]);
    }
    // 105 training rows in batches of 16: 7 steps an epoch
    assertThat(ckpt.tensors().get("state.optimizer_steps").toLongArray()).containsExactly(15 * 7);
    JsonNode report = new ObjectMapper().readTree(run.resolve("test-report.json").toFile());
    assertThat(report.path("metrics").path("species.accuracy").asDouble(Double.NaN)).isGreaterThan(0.8);
  }

  /**
   * The first steps of the library run of that config, checked against lion's formulas computed here
   * in double precision from the weights before the step and the momentum the session reports: step
   * 1 moves every element by exactly {@code lr} against the sign of its gradient ({@code m1 =
   * (1-β2)·g1}, so the sign of {@code m1}) after the decay; later steps recover the gradient from two
   * momenta ({@code g = (m_t - β2·m_{t-1}) / (1-β2)}) and use the interpolated sign.
   */
  @Test
  void theFirstLionStepsAreTheFormulaComputedInJava() throws Exception {
    LoadedConfig loaded = ConfigLoader.load(config(METRICS, LION), List.of());
    List<io.holdout.api.model.Weights> weights = new java.util.ArrayList<>();
    List<java.util.Map<String, io.holdout.api.tensor.Tensor>> states = new java.util.ArrayList<>();
    io.holdout.api.train.TrainingListener spy = new io.holdout.api.train.TrainingListener() {
      @Override
      public void onStart(io.holdout.api.train.TrainingContext ctx, io.holdout.api.train.TrainingPlan plan) {
        weights.add(ctx.session().weights());
      }

      @Override
      public void onBatchEnd(io.holdout.api.train.TrainingContext ctx, int epoch, int step, int steps,
          io.holdout.api.loss.LossBreakdown loss) {
        if (weights.size() < 4) {
          weights.add(ctx.session().weights());
          states.add(ctx.session().trainingState());
        }
      }
    };
    Experiment.run(loaded, new PrintWriter(new StringWriter(), true), List.of(spy));
    assertThat(weights).hasSize(4);
    int checked = 0;
    int moved = 0;
    for (int t = 1; t <= 3; t++) {
      for (String name : weights.get(0).tensors().keySet()) {
        float[] before = weights.get(t - 1).get(name).toFloatArray();
        float[] after = weights.get(t).get(name).toFloatArray();
        float[] m = states.get(t - 1).get(Lion.SLOT + "." + name).toFloatArray();
        float[] mBefore = t == 1 ? new float[m.length] : states.get(t - 2).get(Lion.SLOT + "." + name).toFloatArray();
        for (int i = 0; i < after.length; i++) {
          double g = (m[i] - LION_BETA2 * mBefore[i]) / (1 - LION_BETA2);
          double interpolated = LION_BETA1 * mBefore[i] + (1 - LION_BETA1) * g;
          if (t > 1 && Math.abs(interpolated) < 1e-4 * (Math.abs(mBefore[i]) + Math.abs(g)) + 1e-9) {
            continue; // too close to 0 for a float sign to be certain
          }
          double expected = before[i] * (1 - LION_LR * LION_WD) - LION_LR * Math.signum(interpolated);
          assertThat((double) after[i]).as("%s[%d] after step %d", name, i, t).isCloseTo(expected, within(1e-6));
          checked++;
          moved += Math.abs(after[i] - before[i] * (1 - LION_LR * LION_WD)) > LION_LR / 2 ? 1 : 0;
        }
      }
    }
    int elements = weights.get(0).tensors().values().stream().mapToInt(x -> x.toFloatArray().length).sum();
    assertThat(checked).as("elements checked over 3 steps").isGreaterThan(3 * elements * 9 / 10);
    assertThat(moved).as("elements that moved by lr").isGreaterThan(checked / 2);
  }

  @Test
  void trainsWithThePluginLossAndMetricFromYamlThroughTheCli() throws Exception {
    Result r = cli("train", config(METRICS).toString());
    assertThat(r.code()).as(r.err()).isZero();
    // every epoch line shows the loss component on train and val, and the metric on val
    assertThat(r.out().lines().filter(l -> l.startsWith("epoch ")))
        .hasSize(15)
        .allMatch(l -> l.matches(".*train loss [0-9.]+ \\(width [0-9.]+ \\+ classification [0-9.]+\\).*"))
        .allMatch(l -> l.matches(".*\\| val loss [0-9.]+ \\(width [0-9.]+.*"))
        .allMatch(l -> l.matches(".*\\| val petal_width\\.within_tolerance [01]\\.\\d{4}.*"));
    assertThat(r.out()).containsPattern("\\| test petal_width\\.within_tolerance [01]\\.\\d{4}");
    String last = r.out().lines().reduce((a, b) -> b).orElseThrow();
    Path run = Path.of(last.substring("run folder: ".length()));
    JsonNode report = new ObjectMapper().readTree(run.resolve("test-report.json").toFile());
    double reported = report.path("metrics").path("petal_width.within_tolerance").asDouble(Double.NaN);
    assertThat(reported).isCloseTo(shareWithin(run.resolve("test-predictions.csv"), 0.25), within(1e-9));
    assertThat(report.path("loss").path("width").asDouble(Double.NaN))
        .isCloseTo(meanLogCosh(run.resolve("test-predictions.csv")), within(2e-5));
    // trained: most test flowers' petal width is predicted within a quarter centimetre
    assertThat(reported).isGreaterThan(0.5);
    assertThat(Files.readAllLines(run.resolve("metrics.csv")).get(0)).contains("petal_width.within_tolerance");

    // the callback saw every epoch and the test: its lines carry metrics.csv's figures
    JsonNode[] logged = Files.readAllLines(run.resolve(EpochLog.FILE)).stream().map(PluginExampleTest::json)
        .toArray(JsonNode[]::new);
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> columns = Arrays.asList(csv.get(0).split(",", -1));
    List<String[]> val = csv.stream().skip(1).map(l -> l.split(",", -1)).filter(v -> v[1].equals("val")).toList();
    assertThat(logged).hasSize(15 + 1);
    for (int e = 0; e < 15; e++) {
      assertThat(logged[e].path("epoch").asInt()).isEqualTo(e + 1);
      for (String[] pair : new String[][] {{"val_total", "total"}, {"petal_width.within_tolerance",
          "petal_width.within_tolerance"}}) {
        double expected = Double.parseDouble(val.get(e)[columns.indexOf(pair[1])]);
        assertThat(logged[e].path(pair[0]).asDouble(Double.NaN)).as("epoch %d %s", e + 1, pair[0])
            .isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
      }
    }
    assertThat(logged[15].path("split").asText()).isEqualTo("test");
    assertThat(logged[15].path("petal_width.within_tolerance").asDouble()).isCloseTo(reported, within(1e-8));

    // the same weights evaluated on every engine: the plugin's loss compiled by each gives the same figure
    JsonNode own = evaluate(run, "pytorch");
    assertThat(own.path("loss").path("width").asDouble(Double.NaN))
        .isCloseTo(meanLogCosh(run.resolve("eval-test-pytorch-predictions.csv")), within(2e-5));
    for (String engine : List.of("tensorflow", "onnx")) {
      JsonNode other = evaluate(run, engine);
      for (String key : List.of("total", "width", "classification")) {
        double x = own.path("loss").path(key).asDouble(Double.NaN);
        assertThat(other.path("loss").path(key).asDouble(Double.NaN)).as("%s loss %s", engine, key)
            .isCloseTo(x, within(1e-5 * Math.max(1e-3, Math.abs(x))));
      }
      assertThat(other.path("metrics").path("petal_width.within_tolerance").asDouble(Double.NaN))
          .isEqualTo(own.path("metrics").path("petal_width.within_tolerance").asDouble());
    }
  }

  static JsonNode json(String line) {
    try {
      return new ObjectMapper().readTree(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code holdout evaluate RUN --backend ENGINE} on the test split, its report read back. */
  static JsonNode evaluate(Path run, String engine) throws Exception {
    Result r = cli("evaluate", run.toString(), "--backend", engine);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("width");
    return new ObjectMapper().readTree(run.resolve("eval-test-" + engine + ".json").toFile());
  }

  @Test
  void theLibraryRunsTheSameConfigWithThePluginMetric() throws Exception {
    LoadedConfig loaded = ConfigLoader.load(config(METRICS), List.of());
    StringWriter out = new StringWriter();
    Experiment.Outcome o = Experiment.run(loaded, new PrintWriter(out, true));
    double measured = o.result().test().metrics().get("petal_width.within_tolerance");
    assertThat(measured).isCloseTo(shareWithin(o.runFolder().resolve("test-predictions.csv"), 0.25), within(1e-9));
    assertThat(o.result().lastEpoch().valMetrics()).containsKey("petal_width.within_tolerance");
    assertThat(o.result().test().loss().raw("width"))
        .isCloseTo(meanLogCosh(o.runFolder().resolve("test-predictions.csv")), within(2e-5));
    // trained: the log-cosh loss fell
    assertThat(o.result().lastEpoch().train().raw("width")).isLessThan(o.result().epochs().get(0).train().raw("width"));
  }

  @Test
  void anUnknownNameFailsBeforeTrainingListingTheRegisteredOnes() throws Exception {
    Result loss = cli("train", config(METRICS).toString(), "--set", "loss.0.type=log_cosj");
    assertThat(loss.code()).isEqualTo(2);
    assertThat(loss.err().lines().count()).as(loss.err()).isEqualTo(1);
    assertThat(loss.err()).contains("exp.yaml", "unknown loss type 'log_cosj' (known: mse, mae,", ", log_cosh)")
        .doesNotContain("\tat ");
    assertThat(dir.resolve("runs")).doesNotExist();

    Result r = cli("train", config("[{type: within_tolerence, output: petal_width}]").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("holdout: error: " + dir.resolve("exp.yaml") + ": 'metrics.0.type'"
        + " 'within_tolerence' is not a registered metric (registered: accuracy, confusion_matrix, f1, mae, map, mse,"
        + " pr_auc, precision, r2, recall, rmse, roc_auc, top_k_accuracy, within_tolerance)");
    assertThat(dir.resolve("runs")).doesNotExist();

    Result callback = cli("train", config(METRICS).toString(), "--set", "trainer.callbacks=[epoch_log, slack]");
    assertThat(callback.code()).isEqualTo(2);
    assertThat(callback.err().strip()).isEqualTo("holdout: error: " + dir.resolve("exp.yaml") + ": 'trainer.callbacks.1'"
        + " 'slack' is not a registered callback (registered: checkpoints, console, curves, epoch_log, metrics_csv,"
        + " progress, report, tensorboard, test_predictions)");
    assertThat(dir.resolve("runs")).doesNotExist();

    Result bad = cli("train", config("[{type: within_tolerance, output: petal_width, params: {tolerance: -1}}]")
        .toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().strip()).isEqualTo("holdout: error: " + dir.resolve("exp.yaml") + ": metrics: metric"
        + " 'within_tolerance': parameter 'tolerance' must be a number >= 0 (in the target's units), got -1");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  /**
   * The loss's parameter from YAML, through the CLI: with {@code scale: 2} every test row's width
   * loss is {@code log(cosh(2·(prediction - target)))} as computed here, and the report's figure is
   * their mean; the same run's loss read at scale 1 would be about a quarter of it.
   */
  @Test
  void theLossTakesItsParameterFromYaml() throws Exception {
    Result r = cli("train", config(METRICS, ", params: {scale: 2.0}", "", 3).toString());
    assertThat(r.code()).as(r.err()).isZero();
    String last = r.out().lines().reduce((a, b) -> b).orElseThrow();
    Path run = Path.of(last.substring("run folder: ".length()));
    Path predictions = run.resolve("test-predictions.csv");
    double width = new ObjectMapper().readTree(run.resolve("test-report.json").toFile()).path("loss").path("width")
        .asDouble(Double.NaN);
    assertThat(width).isCloseTo(meanLogCosh(predictions, 2, true), within(2e-5));
    // not the loss at the default scale: log(cosh(2d)) is about 4 times log(cosh(d)) for small d
    assertThat(width).isGreaterThan(2 * meanLogCosh(predictions, 1, false));
    assertThat(Files.readString(run.resolve("config.yaml"))).contains("scale: 2.0");
  }

  @Test
  void aBadLossParameterIsNamedInOneLine() throws Exception {
    Result negative = cli("train", config(METRICS, ", params: {scale: -1}", "", 3).toString());
    assertThat(negative.code()).isEqualTo(2);
    assertThat(negative.err().strip()).isEqualTo("holdout: error: " + dir.resolve("exp.yaml") + ": loss 'width'"
        + " (log_cosh): parameter 'scale' must be a number > 0, got -1");
    Result unknown = cli("train", config(METRICS, ", params: {scal: 2}", "", 3).toString());
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err().strip()).isEqualTo("holdout: error: " + dir.resolve("exp.yaml") + ": loss 'width'"
        + " (log_cosh) has no parameter 'scal' (known: reduction, scale)");
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  /** The inputs of every batch of one pass, concatenated. */
  static float[] inputs(io.holdout.api.data.BatchSource source, int epoch) {
    java.util.List<float[]> parts = new java.util.ArrayList<>();
    source.epoch(epoch).forEachRemaining(b -> parts.add(b.get(io.holdout.api.tensor.Batch.INPUT).toFloatArray()));
    int n = parts.stream().mapToInt(a -> a.length).sum();
    float[] all = new float[n];
    int o = 0;
    for (float[] a : parts) {
      System.arraycopy(a, 0, all, o, a.length);
      o += a.length;
    }
    return all;
  }

  /**
   * The augmentation named in {@code data.transforms} runs on the training batches only: each input
   * moves by {@code std·z}, {@code z} drawn from the loader's seeded generator, so with {@code std}
   * doubled every move doubles; the same epoch twice gives the same noise, the next epoch new noise;
   * validation batches are untouched.
   */
  @Test
  void theAugmentationIsAppliedToTrainingBatchesOnly() throws Exception {
    String noise = "transforms: [{type: gaussian_noise, params: {std: %s}}]";
    float[][] train = new float[4][];
    float[] val;
    float[] plainVal;
    try (io.holdout.run.DataSetup plain = io.holdout.run.DataSetup.build(ConfigLoader.load(config(METRICS, "", "", 1),
        List.of()))) {
      train[0] = inputs(plain.train(), 0);
      plainVal = inputs(plain.val(), 0);
    }
    try (io.holdout.run.DataSetup small = io.holdout.run.DataSetup.build(ConfigLoader.load(config(METRICS, "",
        noise.formatted("0.25"), 1), List.of()))) {
      train[1] = inputs(small.train(), 0);
      assertThat(inputs(small.train(), 0)).containsExactly(train[1]);
      train[3] = inputs(small.train(), 1);
      val = inputs(small.val(), 0);
    }
    try (io.holdout.run.DataSetup large = io.holdout.run.DataSetup.build(ConfigLoader.load(config(METRICS, "",
        noise.formatted("0.5"), 1), List.of()))) {
      train[2] = inputs(large.train(), 0);
    }
    assertThat(val).containsExactly(plainVal);
    assertThat(train[1]).hasSameSizeAs(train[0]);
    double sumSquares = 0;
    for (int i = 0; i < train[0].length; i++) {
      double small = train[1][i] - train[0][i];
      double large = train[2][i] - train[0][i];
      assertThat(large).as("value %d", i).isCloseTo(2 * small, within(1e-5));
      sumSquares += small * small;
    }
    // the moves are the noise: their spread is std = 0.25 (over 105 rows x 3 features)
    assertThat(Math.sqrt(sumSquares / train[0].length)).isBetween(0.2, 0.3);
    // epoch 1 has other noise (and another order): not the inputs of epoch 0
    assertThat(train[3]).isNotEqualTo(train[1]);
  }
}
