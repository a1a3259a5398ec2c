package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.detection.BoxPredictions;
import io.holdout.datasets.detection.Nms;
import io.holdout.datasets.image.Images;
import io.holdout.datasets.image.ShapesSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime through the CLI: checkpoints trained on PyTorch and on TensorFlow evaluate on ONNX
 * Runtime with the same loss components and metrics; an exported file runs in a plain ONNX Runtime
 * session and reproduces holdout's predictions; training on ONNX and bad files fail with exit 2.
 */
class OnnxCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static JsonNode evaluate(Path run, String backend) throws Exception {
    CliFixture.Result r = backend == null ? CliFixture.run("evaluate", run.toString())
        : CliFixture.run("evaluate", run.toString(), "--backend", backend);
    assertThat(r.code()).as(r.err()).isZero();
    String engine = backend != null ? backend : JSON.readTree(run.resolve("provenance.json").toFile())
        .path("backend").asText();
    Path report = run.resolve("eval-test-" + engine + ".json");
    assertThat(report).as(r.out()).exists();
    return JSON.readTree(report.toFile());
  }

  /** Every loss component and metric of {@code b} equals {@code a}'s within {@code rel} relative. */
  static void assertSame(JsonNode a, JsonNode b, double rel) {
    for (String section : List.of("loss", "metrics")) {
      Iterator<Map.Entry<String, JsonNode>> it = a.get(section).fields();
      assertThat(it.hasNext()).isTrue();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        double x = e.getValue().asDouble();
        double y = b.get(section).get(e.getKey()).asDouble();
        assertThat(y).as("%s %s: %s vs %s", section, e.getKey(), a, b).isCloseTo(x, within(rel * Math.max(1e-3, Math.abs(x))));
      }
    }
  }

  @Test
  void irisCheckpointsFromPyTorchAndTensorFlowEvaluateTheSameOnOnnx() throws Exception {
    for (String engine : List.of("pytorch", "tensorflow")) {
      Path sub = Files.createDirectories(dir.resolve(engine));
      CliFixture.Result r = CliFixture.run("train", CliFixture.irisConfig(sub, CliFixture.IRIS, engine, 15).toString());
      assertThat(r.code()).as(r.err()).isZero();
      Path run = TrainCommandTest.runFolder(r);
      JsonNode own = evaluate(run, null);
      JsonNode onnx = evaluate(run, "onnx");
      assertThat(onnx.get("backend").asText()).isEqualTo("onnx");
      assertSame(own, onnx, 1e-5);
      assertThat(own.get("metrics").has("species.accuracy")).isTrue();
    }
  }

  @Test
  void ssdCheckpointsFromPyTorchAndTensorFlowEvaluateTheSameOnOnnx() throws Exception {
    for (String engine : List.of("pytorch", "tensorflow")) {
      Path sub = Files.createDirectories(dir.resolve(engine));
      Path cfg = DetectionCommandTest.config(sub, DetectionCommandTest.SHAPES, engine, 2);
      CliFixture.Result r = CliFixture.run("train", cfg.toString());
      assertThat(r.code()).as(r.err()).isZero();
      Path run = TrainCommandTest.runFolder(r);
      JsonNode own = evaluate(run, null);
      JsonNode onnx = evaluate(run, "onnx");
      assertThat(own.get("metrics").has("mAP@0.5")).isTrue();
      assertSame(own, onnx, 1e-5);
    }
  }

  @Test
  void anExportedSsdRunsInAPlainOnnxRuntimeSessionAndReproducesPredictions() throws Exception {
    Path cfg = DetectionCommandTest.config(dir, DetectionCommandTest.SHAPES, "pytorch", 3);
    CliFixture.Result r = CliFixture.run("train", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    Path file = dir.resolve("ssd.onnx");
    CliFixture.Result e = CliFixture.run("export", run.toString(), "--format", "onnx", "--out", file.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("input  input    [batch, height, width, 3] uint8 RGB pixels 0-255")
        .contains("output boxes    [batch, 720, 4]");

    ShapesSource shapes = ShapesSource.builder(2, 48, 48).optSeed(123).build();
    Path image = dir.resolve("x.png");
    Images.write(shapes.get(0).input(), image);
    CliFixture.Result p = CliFixture.run("predict", run.toString(), image.toString(), "--json", "--score", "0.2",
        "--out", dir.resolve("pred").toString());
    assertThat(p.code()).as(p.err()).isZero();
    JsonNode expected = JSON.readTree(p.out()).get("images").get(0).get("detections");

    // a plain ONNX Runtime session, no holdout code between the file and the numbers: the decoded
    // pixels, uint8 [1, height, width, 3] RGB, go in as they are
    java.awt.image.BufferedImage img = Images.read(image);
    java.nio.ByteBuffer pixels = java.nio.ByteBuffer.allocateDirect(48 * 48 * 3);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 48; x++) {
        int rgb = img.getRGB(x, y);
        pixels.put((byte) (rgb >> 16)).put((byte) (rgb >> 8)).put((byte) rgb);
      }
    }
    pixels.flip();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
        OnnxTensor x = OnnxTensor.createTensor(env, pixels, new long[] {1, 48, 48, 3},
            ai.onnxruntime.OnnxJavaType.UINT8);
        OrtSession.Result out = s.run(Map.of("input", x))) {
      Map<String, String> meta = s.getMetadata().getCustomMetadata();
      assertThat(meta).containsEntry("holdout_version", "0.1.0-SNAPSHOT")
          .containsEntry("config_hash", ConfigLoader.load(run.resolve("config.yaml"), List.of()).hash())
          .containsEntry("classes", "rectangle,ellipse,triangle");
      assertThat(s.getInputInfo().keySet()).containsExactly("input");
      assertThat(s.getOutputInfo().keySet()).containsExactly("loc", "conf", "boxes", "scores");
      float[][][] boxes = (float[][][]) out.get("boxes").orElseThrow().getValue();
      float[][][] scores = (float[][][]) out.get("scores").orElseThrow().getValue();
      int anchors = boxes[0].length;
      float[] b = new float[anchors * 4];
      float[] sc = new float[anchors * 4];
      for (int a = 0; a < anchors; a++) {
        System.arraycopy(boxes[0][a], 0, b, 4 * a, 4);
        System.arraycopy(scores[0][a], 0, sc, 4 * a, 4);
      }
      // NMS is the caller's: the config's settings, the score threshold predict used
      BoxPredictions found = new Nms(0.45, 0.2, 200, 100).apply(b, sc, 4);
      assertThat(found.size()).isEqualTo(expected.size()).isPositive();
      for (int k = 0; k < found.size(); k++) {
        JsonNode d = expected.get(k);
        assertThat(found.classes()[k]).isEqualTo(d.get("label").asInt());
        assertThat((double) found.scores()[k]).isCloseTo(d.get("score").asDouble(), within(2e-4));
        for (int j = 0; j < 4; j++) {
          assertThat((double) found.boxes()[4 * k + j]).isCloseTo(d.get("box_normalised").get(j).asDouble(),
              within(2e-4));
        }
      }
    }
    // the same file through holdout predict --onnx: the same detections
    CliFixture.Result viaFile = CliFixture.run("predict", run.toString(), image.toString(), "--json", "--score",
        "0.2", "--onnx", file.toString(), "--out", dir.resolve("pred2").toString());
    assertThat(viaFile.code()).as(viaFile.err()).isZero();
    assertThat(JSON.readTree(viaFile.out()).get("images").get(0).get("detections")).isEqualTo(expected);
  }

  @Test
  void trainingOnOnnxMatchesPyTorchAndBadFilesFailWithOneLineAndExitCode2()
      throws Exception {
    // the iris MLP trains on a stock ONNX Runtime: every epoch's losses as on PyTorch
    Path cfg = CliFixture.irisConfig(dir, CliFixture.IRIS, "pytorch", 2);
    Path onnxDir = Files.createDirectories(dir.resolve("onnx-run"));
    CliFixture.Result onnxTrain = CliFixture.run("train", cfg.toString(), "--set", "backend=onnx",
        "--set", "runs=" + onnxDir);
    assertThat(onnxTrain.code()).as(onnxTrain.err()).isZero();
    Path onnxRun = TrainCommandTest.runFolder(onnxTrain);
    assertThat(Files.readString(onnxRun.resolve("provenance.json"))).contains("\"backend\" : \"onnx\"");
    CliFixture.Result r = CliFixture.run("train", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Path iris = TrainCommandTest.runFolder(r);
    OnnxTrainingTest.assertSameLosses(onnxRun, iris, 1e-5);
    byte[] weights = Files.readAllBytes(iris.resolve("weights.safetensors"));
    Files.write(iris.resolve("truncated.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
    CliFixture.Result t = CliFixture.run("evaluate", iris.toString(), "--backend", "onnx", "--weights",
        "truncated.safetensors");
    assertThat(t.code()).isEqualTo(2);
    assertThat(t.err()).contains("truncated.safetensors").doesNotContain("Exception");

    // an ONNX file: truncated, or of another model
    Path ssdDir = Files.createDirectories(dir.resolve("ssd"));
    CliFixture.Result s = CliFixture.run("train", DetectionCommandTest.config(ssdDir, DetectionCommandTest.SHAPES,
        "pytorch", 1).toString());
    assertThat(s.code()).as(s.err()).isZero();
    Path ssd = TrainCommandTest.runFolder(s);
    assertThat(CliFixture.run("export", iris.toString()).code()).isZero();
    Path irisOnnx = iris.resolve("model.onnx");
    byte[] model = Files.readAllBytes(irisOnnx);
    Path cut = Files.write(dir.resolve("cut.onnx"), java.util.Arrays.copyOf(model, model.length - 100));
    Path image = dir.resolve("x.png");
    Images.write(ShapesSource.builder(1, 48, 48).optSeed(1).build().get(0).input(), image);
    for (Path bad : List.of(cut, irisOnnx)) {
      CliFixture.Result p = CliFixture.run("predict", ssd.toString(), image.toString(), "--onnx", bad.toString(),
          "--out", dir.resolve("never").toString());
      assertThat(p.code()).as(bad.toString()).isEqualTo(2);
      assertThat(p.err().strip()).as(bad.toString()).contains(bad.toString()).doesNotContain("\n")
          .doesNotContain("Exception");
      assertThat(dir.resolve("never")).doesNotExist();
    }
    // a checkpoint whose shapes do not fit the run's model
    Files.copy(iris.resolve("weights.safetensors"), ssd.resolve("iris.safetensors"));
    CliFixture.Result m = CliFixture.run("evaluate", ssd.toString(), "--backend", "onnx", "--weights", "iris.safetensors");
    assertThat(m.code()).isEqualTo(2);
    assertThat(m.err()).contains("iris.safetensors").doesNotContain("Exception");
  }
}
