package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.DataConfig;
import io.holdout.api.config.DetectionConfig;
import io.holdout.api.detection.BoxPredictions;
import io.holdout.datasets.detection.Nms;
import io.holdout.datasets.image.Images;
import io.holdout.datasets.image.ShapesSource;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run folder stands alone (issue #15): copied away from its training data, {@code evaluate},
 * {@code predict} and {@code export} work from the folder, and the three agree. The iris run's
 * exported ONNX model, fed raw rows in plain ONNX Runtime, scores the accuracy {@code evaluate}
 * measures; the shapes SSD's export, fed decoded pixels, finds the boxes {@code predict} finds.
 */
class StandaloneRunFolderTest {
  @TempDir Path dir;

  static final List<String> FEATURES = List.of("sepal_length", "sepal_width", "petal_length");
  static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");

  /** Copies the folder {@code from} (recursively) to {@code to}. */
  static Path copy(Path from, Path to) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }

  /** The CSV as header names and rows of cells. */
  static List<Map<String, String>> readCsv(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file);
    String[] header = lines.get(0).split(",", -1);
    List<Map<String, String>> rows = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      String[] cells = l.split(",", -1);
      Map<String, String> row = new HashMap<>();
      for (int j = 0; j < header.length; j++) {
        row.put(header[j], cells[j]);
      }
      rows.add(row);
    }
    return rows;
  }

  static JsonNode json(Path file) throws Exception {
    return OnnxCliTest.JSON.readTree(file.toFile());
  }

  /** Trains the iris example for a few epochs on a copy of the data in {@code dir/data}; the run folder. */
  Path trainIris() throws Exception {
    Path csv = Files.createDirectories(dir.resolve("data")).resolve("iris.csv");
    Files.copy(CliFixture.IRIS, csv);
    CliFixture.Result r = CliFixture.run("train", ExamplesTest.EXAMPLES.resolve("iris-multitask.yaml").toString(),
        "--set", "data.path=" + csv, "--set", "trainer.epochs=25", "--set", "trainer.progress=none",
        "--set", "runs=" + dir.resolve("runs"));
    assertThat(r.code()).as(r.err()).isZero();
    return TrainCommandTest.runFolder(r);
  }

  /**
   * The test rows of the run's split, raw from the data file, with the columns in another order and
   * an extra column (features are found by name; other columns are ignored).
   */
  static Path testRows(Path run, Path csv, Path out) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    List<String> header = Arrays.asList(lines.get(0).split(","));
    StringBuilder sb = new StringBuilder("note,species,petal_length,petal_width,sepal_width,sepal_length\n");
    for (JsonNode id : json(run.resolve("split.json")).get("parts").get("test").get("ids")) {
      int line = Integer.parseInt(id.asText().substring("iris.csv:".length()));
      String[] cells = lines.get(line - 1).split(",");
      java.util.function.Function<String, String> c = name -> cells[header.indexOf(name)];
      sb.append("row ").append(line).append(',').append(c.apply("species")).append(',')
          .append(c.apply("petal_length")).append(',').append(c.apply("petal_width")).append(',')
          .append(c.apply("sepal_width")).append(',').append(c.apply("sepal_length")).append('\n');
    }
    return Files.writeString(out, sb.toString());
  }

  @Test
  void irisFolderCopiedAwayFromItsDataEvaluatesPredictsAndExportsTheSameAccuracy() throws Exception {
    Path trained = trainIris();
    // the folder holds the model and the preprocessing
    JsonNode prep = json(trained.resolve("preprocessing.json"));
    assertThat(prep.get("input").get("features")).extracting(JsonNode::asText).containsExactlyElementsOf(FEATURES);
    assertThat(prep.get("targets").get("species").get("classes")).extracting(JsonNode::asText)
        .containsExactlyElementsOf(SPECIES);
    assertThat(prep.get("input").get("standardize").get("mean"))
        .isEqualTo(json(trained.resolve("standardizer.json")).get("mean"));
    assertThat(json(trained.resolve("model.json")).get("heads")).hasSize(2);
    JsonNode report = json(trained.resolve("test-report.json"));

    Path rows = testRows(trained, dir.resolve("data/iris.csv"), Files.createDirectories(dir.resolve("elsewhere"))
        .resolve("test-rows.csv"));
    Path run = copy(trained, dir.resolve("fresh").resolve(trained.getFileName().toString()));
    Files.move(dir.resolve("data"), dir.resolve("moved-away"));

    // the config's data is gone: one line naming it and the way out
    CliFixture.Result gone = CliFixture.run("evaluate", run.toString());
    assertThat(gone.code()).isEqualTo(2);
    assertThat(gone.err().strip()).contains(dir.resolve("data/iris.csv").toString()).contains("--data")
        .doesNotContain("\n").doesNotContain("Exception");

    // evaluate on the raw test rows: the folder's standardisation and classes, not refitted ones
    CliFixture.Result ev = CliFixture.run("evaluate", run.toString(), "--data", rows.toString());
    assertThat(ev.code()).as(ev.err()).isZero();
    JsonNode eval = json(run.resolve("eval-data-test-rows-pytorch.json"));
    OnnxCliTest.assertSame(report, eval, 1e-6);
    double accuracy = eval.get("metrics").get("species.accuracy").asDouble();
    assertThat(accuracy).as("the model learned (chance is 1/3)").isGreaterThan(0.8);
    Map<String, Double> evalWidth = new HashMap<>();
    for (Map<String, String> r : readCsv(run.resolve("eval-data-test-rows-pytorch-predictions.csv"))) {
      evalWidth.put(r.get("id").substring("test-rows.csv:".length()), Double.parseDouble(r.get("pred_petal_width")));
    }

    // predict on the same raw rows: the same accuracy, the same petal widths
    Path out = dir.resolve("predicted");
    CliFixture.Result pr = CliFixture.run("predict", run.toString(), rows.toString(), "--out", out.toString());
    assertThat(pr.code()).as(pr.err()).isZero();
    assertThat(pr.out()).contains("test-rows.csv:2:  species ").contains("petal_width [");
    List<Map<String, String>> truth = readCsv(rows);
    List<Map<String, String>> predicted = readCsv(out.resolve("predictions.csv"));
    assertThat(predicted).hasSameSizeAs(truth).hasSize(22);
    int right = 0;
    float[] raw = new float[truth.size() * 3];
    for (int i = 0; i < truth.size(); i++) {
      Map<String, String> p = predicted.get(i);
      assertThat(p.get("line")).isEqualTo(String.valueOf(i + 2));
      right += p.get("species").equals(truth.get(i).get("species")) ? 1 : 0;
      double width = Double.parseDouble(p.get("petal_width"));
      assertThat(width).as("row %d", i).isCloseTo(evalWidth.get(p.get("line")), within(5e-6 * Math.abs(width)));
      double sum = 0;
      for (String s : SPECIES) {
        sum += Double.parseDouble(p.get("p_species_" + s));
      }
      assertThat(sum).isCloseTo(1, within(1e-6));
      for (int j = 0; j < 3; j++) {
        raw[3 * i + j] = Float.parseFloat(truth.get(i).get(FEATURES.get(j)));
      }
    }
    double predictAccuracy = right / (double) truth.size();
    assertThat(predictAccuracy).isCloseTo(accuracy, within(1e-6));

    // export from the folder alone; plain ONNX Runtime on the raw rows
    Path onnx = dir.resolve("iris.onnx");
    CliFixture.Result ex = CliFixture.run("export", run.toString(), "--out", onnx.toString());
    assertThat(ex.code()).as(ex.err()).isZero();
    assertThat(ex.out()).contains("input  input    [batch, 3] raw sepal_length, sepal_width, petal_length")
        .contains("output species_probabilities [batch, 3]  (softmax)");
    List<String> ops = ModelProto.parseFrom(Files.readAllBytes(onnx)).getGraph().getNodeList().stream()
        .map(NodeProto::getOpType).toList();
    assertThat(ops.subList(0, 2)).containsExactly("Sub", "Div");
    assertThat(ops).contains("Softmax");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(raw), new long[] {truth.size(), 3});
        OrtSession.Result r = s.run(Map.of("input", x))) {
      Map<String, String> meta = s.getMetadata().getCustomMetadata();
      assertThat(meta).containsEntry("input_format", "features")
          .containsEntry("input_features", String.join(",", FEATURES))
          .containsEntry("classes.species", String.join(",", SPECIES))
          .containsEntry("units.petal_width", "the units of column petal_width");
      assertThat(OnnxCliTest.JSON.readTree(meta.get("preprocessing"))).isEqualTo(prep);
      float[][] p = (float[][]) r.get("species_probabilities").orElseThrow().getValue();
      float[][] width = (float[][]) r.get("petal_width").orElseThrow().getValue();
      int onnxRight = 0;
      double maxDiff = 0;
      for (int i = 0; i < truth.size(); i++) {
        int arg = 0;
        for (int c = 1; c < 3; c++) {
          arg = p[i][c] > p[i][arg] ? c : arg;
        }
        onnxRight += SPECIES.get(arg).equals(truth.get(i).get("species")) ? 1 : 0;
        for (int c = 0; c < 3; c++) {
          assertThat((double) p[i][c]).isCloseTo(Double.parseDouble(predicted.get(i).get("p_species_" + SPECIES.get(c))),
              within(1e-5));
        }
        assertThat((double) width[i][0]).as("row %d", i)
            .isCloseTo(Double.parseDouble(predicted.get(i).get("petal_width")), within(1e-5));
        maxDiff = Math.max(maxDiff, Math.abs(width[i][0] - Double.parseDouble(predicted.get(i).get("petal_width"))));
      }
      assertThat(onnxRight / (double) truth.size()).isCloseTo(accuracy, within(1e-6));
      System.out.printf(java.util.Locale.ROOT, "iris, %d raw test rows: accuracy evaluate %.6f, predict %.6f,"
          + " exported ONNX %.6f; petal width predict vs ONNX max |diff| %.2e%n", truth.size(), accuracy,
          predictAccuracy, onnxRight / (double) truth.size(), maxDiff);
    }
    // predict --onnx with the export: fed the raw rows too
    CliFixture.Result viaOnnx = CliFixture.run("predict", run.toString(), rows.toString(), "--onnx", onnx.toString(),
        "--out", dir.resolve("via-onnx").toString());
    assertThat(viaOnnx.code()).as(viaOnnx.err()).isZero();
    List<Map<String, String>> viaRows = readCsv(dir.resolve("via-onnx/predictions.csv"));
    for (int i = 0; i < truth.size(); i++) {
      assertThat(viaRows.get(i).get("species")).isEqualTo(predicted.get(i).get("species"));
    }

    // the data back where the config says: the test split by split.json, the test report's figures
    Files.move(dir.resolve("moved-away"), dir.resolve("data"));
    CliFixture.Result back = CliFixture.run("evaluate", run.toString());
    assertThat(back.code()).as(back.err()).isZero();
    OnnxCliTest.assertSame(report, json(run.resolve("eval-test-pytorch.json")), 1e-6);
  }

  /** The score from which detections are compared. */
  static final double SCORE = 0.2;

  @Test
  void shapesSsdFolderCopiedAwayPredictsTheBoxesItsExportFindsFromPixels() throws Exception {
    Path cfg = DetectionCommandTest.config(dir, DetectionCommandTest.SHAPES, "pytorch", 6);
    CliFixture.Result t = CliFixture.run("train", cfg.toString());
    assertThat(t.code()).as(t.err()).isZero();
    Path trained = TrainCommandTest.runFolder(t);
    JsonNode report = json(trained.resolve("test-report.json"));
    Path run = copy(trained, dir.resolve("fresh").resolve(trained.getFileName().toString()));
    Files.delete(cfg);

    // test images of the split, regenerated as the run's config generates them, written as PNG
    var c = ConfigLoader.load(run.resolve("config.yaml"), List.of()).config();
    DataConfig d = c.data();
    ShapesSource shapes = ShapesSource.builder(d.count(), d.imageSize(), d.imageSize()).optSeed(c.seed())
        .optObjects(d.minObjects(), d.maxObjects()).optNoise(d.noise().floatValue()).build();
    List<Path> images = new ArrayList<>();
    JsonNode test = json(run.resolve("split.json")).get("parts").get("test").get("indices");
    Path imageDir = Files.createDirectories(dir.resolve("images"));
    for (int k = 0; k < 8; k++) {
      Path png = imageDir.resolve("test-" + test.get(k).asInt() + ".png");
      Images.write(shapes.get(test.get(k).asInt()).input(), png);
      images.add(png);
    }
    // and one at twice the size: the engine resizes it in Java, the export in the graph
    BufferedImage small = Images.read(images.get(0));
    BufferedImage large = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    large.createGraphics().drawImage(small, 0, 0, 96, 96, null);
    Path largeFile = imageDir.resolve("large.png");
    javax.imageio.ImageIO.write(large, "png", largeFile.toFile());
    images.add(largeFile);

    List<String> args = new ArrayList<>(List.of("predict", run.toString()));
    images.forEach(p -> args.add(p.toString()));
    args.addAll(List.of("--json", "--score", String.valueOf(SCORE), "--out", dir.resolve("pred").toString()));
    CliFixture.Result p = CliFixture.run(args.toArray(new String[0]));
    assertThat(p.code()).as(p.err()).isZero();
    JsonNode predicted = OnnxCliTest.JSON.readTree(p.out()).get("images");

    Path onnx = dir.resolve("ssd.onnx");
    CliFixture.Result e = CliFixture.run("export", run.toString(), "--out", onnx.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("input  input    [batch, height, width, 3] uint8 RGB pixels 0-255")
        .contains("output boxes    [batch, 720, 4]  (decoded)");
    DetectionConfig.NmsConfig nms = c.detection().nms();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int found = 0;
    double maxDiff = 0;
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
      assertThat(s.getMetadata().getCustomMetadata()).containsEntry("input_format", "image")
          .containsEntry("classes", "rectangle,ellipse,triangle").containsEntry("image_size", "48x48");
      for (int i = 0; i < images.size(); i++) {
        BufferedImage img = Images.read(images.get(i));
        int h = img.getHeight();
        int w = img.getWidth();
        ByteBuffer pixels = ByteBuffer.allocateDirect(h * w * 3).order(ByteOrder.nativeOrder());
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int rgb = img.getRGB(x, y);
            pixels.put((byte) (rgb >> 16)).put((byte) (rgb >> 8)).put((byte) rgb);
          }
        }
        pixels.flip();
        try (OnnxTensor in = OnnxTensor.createTensor(env, pixels, new long[] {1, h, w, 3}, OnnxJavaType.UINT8);
            OrtSession.Result r = s.run(Map.of("input", in))) {
          float[][][] boxes = (float[][][]) r.get("boxes").orElseThrow().getValue();
          float[][][] scores = (float[][][]) r.get("scores").orElseThrow().getValue();
          int anchors = boxes[0].length;
          float[] b = new float[anchors * 4];
          float[] sc = new float[anchors * 4];
          for (int a = 0; a < anchors; a++) {
            System.arraycopy(boxes[0][a], 0, b, 4 * a, 4);
            System.arraycopy(scores[0][a], 0, sc, 4 * a, 4);
          }
          BoxPredictions onnxBoxes = new Nms(nms.iou(), SCORE, nms.preTopK(), nms.topK()).apply(b, sc, 4);
          JsonNode expected = predicted.get(i).get("detections");
          assertThat(onnxBoxes.size()).as(images.get(i).toString()).isEqualTo(expected.size());
          // each detection predict listed is one the export found: same class, score and box (predict
          // rounds to 1e-4; detections of nearly equal scores may come in another order)
          boolean[] used = new boolean[onnxBoxes.size()];
          for (JsonNode dk : expected) {
            int match = -1;
            for (int k = 0; k < onnxBoxes.size() && match < 0; k++) {
              boolean same = !used[k] && onnxBoxes.classes()[k] == dk.get("label").asInt()
                  && Math.abs(onnxBoxes.scores()[k] - dk.get("score").asDouble()) <= 2e-4;
              for (int j = 0; same && j < 4; j++) {
                same = Math.abs(onnxBoxes.boxes()[4 * k + j] - dk.get("box_normalised").get(j).asDouble()) <= 2e-4;
              }
              match = same ? k : -1;
            }
            if (match >= 0) {
              maxDiff = Math.max(maxDiff, Math.abs(onnxBoxes.scores()[match] - dk.get("score").asDouble()));
              for (int j = 0; j < 4; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(onnxBoxes.boxes()[4 * match + j]
                    - dk.get("box_normalised").get(j).asDouble()));
              }
            }
            assertThat(match).as("%s: %s among the export's %d detections", images.get(i), dk, onnxBoxes.size())
                .isNotNegative();
            used[match] = true;
          }
          found += onnxBoxes.size();
        }
      }
    }
    assertThat(found).as("detections over the test images").isGreaterThanOrEqualTo(images.size() - 1);
    System.out.printf(java.util.Locale.ROOT, "shapes SSD, %d images: %d detections with score >= %.1f, the same"
        + " from predict and the exported ONNX model (max |diff| of scores and box corners %.2e)%n", images.size(),
        found, SCORE, maxDiff);

    // the config's generated data, split by split.json: the test report's figures
    CliFixture.Result ev = CliFixture.run("evaluate", run.toString());
    assertThat(ev.code()).as(ev.err()).isZero();
    OnnxCliTest.assertSame(report, json(run.resolve("eval-test-pytorch.json")), 1e-6);
  }

  @Test
  void standardisedImageClassifierPredictsTheSameOnItsEngineAndFromItsExport() throws Exception {
    // resnet_small from the architecture builder, inputs standardised: model.json and the statistics
    // of 768 pixel values travel with the folder
    CliFixture.Result t = CliFixture.run("train", ExamplesTest.EXAMPLES.resolve("shapes-resnet.yaml").toString(),
        "--set", "data.count=600", "--set", "data.imageSize=16", "--set", "data.standardize=true",
        "--set", "trainer.epochs=2", "--set", "trainer.progress=none", "--set", "engine.intraOpThreads=1",
        "--set", "runs=" + dir.resolve("runs"));
    assertThat(t.code()).as(t.err()).isZero();
    Path trained = TrainCommandTest.runFolder(t);
    Path run = copy(trained, dir.resolve("fresh").resolve(trained.getFileName().toString()));
    JsonNode prep = json(run.resolve("preprocessing.json"));
    assertThat(prep.get("input").get("type").asText()).isEqualTo("image");
    assertThat(prep.get("input").get("standardize").get("mean")).hasSize(3 * 16 * 16);
    assertThat(json(run.resolve("model.json")).has("nodes")).isTrue();

    var c = ConfigLoader.load(run.resolve("config.yaml"), List.of()).config();
    var source = io.holdout.datasets.image.ShapeClassesSource.builder(c.data().count(), 16, 16).optSeed(c.seed())
        .optNoise(c.data().noise().floatValue()).build();
    JsonNode test = json(run.resolve("split.json")).get("parts").get("test").get("indices");
    List<String> args = new ArrayList<>(List.of("predict", run.toString()));
    for (int k = 0; k < 6; k++) {
      Path png = Files.createDirectories(dir.resolve("images")).resolve("test-" + test.get(k).asInt() + ".png");
      Images.write(source.get(test.get(k).asInt()).input(), png);
      args.add(png.toString());
    }
    BufferedImage large = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
    large.createGraphics().drawImage(Images.read(Path.of(args.get(2))), 0, 0, 40, 24, null);
    Path largeFile = dir.resolve("images/large.png");
    javax.imageio.ImageIO.write(large, "png", largeFile.toFile());
    args.add(largeFile.toString());
    args.add("--json");
    CliFixture.Result onEngine = CliFixture.run(args.toArray(new String[0]));
    assertThat(onEngine.code()).as(onEngine.err()).isZero();

    Path onnx = dir.resolve("classifier.onnx");
    CliFixture.Result e = CliFixture.run("export", run.toString(), "--out", onnx.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("uint8 RGB pixels 0-255 (scaled, resized, standardised in the graph)")
        .contains("output label_probabilities [batch, 3]  (softmax)");
    args.addAll(List.of("--onnx", onnx.toString()));
    CliFixture.Result fromExport = CliFixture.run(args.toArray(new String[0]));
    assertThat(fromExport.code()).as(fromExport.err()).isZero();
    JsonNode a = OnnxCliTest.JSON.readTree(onEngine.out()).get("images");
    JsonNode b = OnnxCliTest.JSON.readTree(fromExport.out()).get("images");
    assertThat(b).hasSize(7);
    double maxDiff = 0;
    for (int i = 0; i < a.size(); i++) {
      JsonNode x = a.get(i).get("outputs").get("label");
      JsonNode y = b.get(i).get("outputs").get("label");
      assertThat(y.get("class").asText()).as(a.get(i).get("file").asText()).isEqualTo(x.get("class").asText());
      for (String cls : List.of("rectangle", "ellipse", "triangle")) {
        double px = x.get("probabilities").get(cls).asDouble();
        double py = y.get("probabilities").get(cls).asDouble();
        assertThat(py).as("%s %s", a.get(i).get("file").asText(), cls).isCloseTo(px, within(2e-4));
        maxDiff = Math.max(maxDiff, Math.abs(px - py));
      }
    }
    System.out.printf(java.util.Locale.ROOT, "standardised resnet_small, %d images: the same classes on pytorch and"
        + " from the export fed pixels (max |diff| of probabilities %.2e, predict rounds to 1e-4)%n", a.size(),
        maxDiff);
  }

  /** {@code args} fail with exit code 2 and one line that contains each of {@code parts}. */
  static void failsNaming(List<String> parts, String... args) {
    CliFixture.Result r = CliFixture.run(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isEqualTo(2);
    assertThat(r.err().strip()).as(String.join(" ", args)).doesNotContain("\n").doesNotContain("Exception");
    for (String p : parts) {
      assertThat(r.err()).as(String.join(" ", args)).contains(p);
    }
  }

  @Test
  void badTablesAndDamagedFolderFilesFailWithOneLineNamingThem() throws Exception {
    Path run = trainIris();
    JsonNode report = json(run.resolve("test-report.json"));
    Path never = dir.resolve("never");
    Path missing = Files.writeString(dir.resolve("missing.csv"), "sepal_length,sepal_width,species\n5.1,3.5,setosa\n");
    failsNaming(List.of(missing.toString(), "no column 'petal_length'"), "predict", run.toString(), missing.toString(),
        "--out", never.toString());
    Path bad = Files.writeString(dir.resolve("bad.csv"),
        "sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n4.9,abc,1.4\n");
    failsNaming(List.of(bad + ":3", "column 'sepal_width'", "'abc' is not a number"), "predict", run.toString(),
        bad.toString(), "--out", never.toString());
    failsNaming(List.of("one CSV table per call", "got 2 files"), "predict", run.toString(), bad.toString(),
        missing.toString(), "--out", never.toString());
    failsNaming(List.of("x.png", "reads table rows"), "predict", run.toString(), dir.resolve("x.png").toString(),
        "--out", never.toString());
    assertThat(never).doesNotExist();
    Path daisy = Files.writeString(dir.resolve("daisy.csv"),
        "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n5.0,3.1,1.2,0.3,daisy\n");
    failsNaming(List.of(daisy + ":3", "unknown class 'daisy'", "setosa, versicolor, virginica"), "evaluate",
        run.toString(), "--data", daisy.toString());
    failsNaming(List.of("--split and --data"), "evaluate", run.toString(), "--split", "val", "--data",
        daisy.toString());

    // a damaged model.json or preprocessing.json: named, for every command
    Path damaged = copy(run, dir.resolve("damaged"));
    Path model = damaged.resolve("model.json");
    Files.writeString(model, Files.readString(model).replace("\"units\" : 32", "\"units\" : \"32\""));
    for (String[] cmd : List.of(new String[] {"evaluate"}, new String[] {"export"}, new String[] {"predict", bad.toString()})) {
      List<String> args = new ArrayList<>(List.of(cmd[0], damaged.toString()));
      args.addAll(Arrays.asList(cmd).subList(1, cmd.length));
      failsNaming(List.of(model.toString(), "layers[0] (dense): 'units' must be an integer"), args.toArray(new String[0]));
    }
    Files.copy(run.resolve("model.json"), model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path prep = damaged.resolve("preprocessing.json");
    Files.writeString(prep, Files.readString(prep).replaceFirst("\"mean\" : \\[ ([-0-9.E]+),", "\"mean\" : [ "));
    failsNaming(List.of(prep.toString(), "input.standardize", "2 means", "3 std"), "export", damaged.toString());
    assertThat(damaged.resolve("model.onnx")).doesNotExist();

    // a folder from before model.json: rebuilt from the config and the data, the same figures
    Path older = copy(run, dir.resolve("older"));
    Files.delete(older.resolve("model.json"));
    Files.delete(older.resolve("preprocessing.json"));
    CliFixture.Result ev = CliFixture.run("evaluate", older.toString());
    assertThat(ev.code()).as(ev.err()).isZero();
    OnnxCliTest.assertSame(report, json(older.resolve("eval-test-pytorch.json")), 1e-6);
  }
}
