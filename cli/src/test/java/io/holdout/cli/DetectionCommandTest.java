package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdout.datasets.image.ImageFixtures;
import io.holdout.datasets.image.Images;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.run.Predict;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small SSD through the CLI: config keys for heads with taps and the detection section, mAP on
 * val every epoch and on test, VOC and COCO folders through the same pipeline, cross-engine
 * evaluation, and {@code holdout predict} pictures checked pixel by pixel.
 */
class DetectionCommandTest {
  @TempDir Path dir;

  /** A 48 px SSD with feature maps of 12x12 and 6x6; {@code data} is the data section's YAML. */
  static Path config(Path dir, String data, String backend, int epochs) throws Exception {
    String yaml = """
        name: tiny-ssd
        seed: 3
        backend: %s
        runs: %s
        data:
        %s
        split: {ratios: {train: 0.7, val: 0.15, test: 0.15}}
        loader: {batchSize: 16}
        engine: {intraOpThreads: 2, interOpThreads: 1}
        model:
          layers:
            - {type: conv2d, filters: 8, kernel: 3, padding: 1}
            - {type: batchnorm}
            - {type: relu}
            - {type: maxpool, kernel: 2}
            - {type: conv2d, filters: 16, kernel: 3, padding: 1}
            - {type: batchnorm}
            - {type: relu}
            - {type: maxpool, kernel: 2}
            - {type: conv2d, filters: 32, kernel: 3, padding: 1}
            - {type: batchnorm}
            - {type: relu}
            - {type: conv2d, filters: 32, kernel: 3, stride: 2, padding: 1}
            - {type: batchnorm}
            - {type: relu}
          heads:
            loc: {type: regression, target: boxes, taps: [10, 13]}
            conf: {type: classification, target: labels, taps: [10, 13]}
        detection:
          anchors: {sizes: [0.25, 0.5, 0.8], ratios: [2]}
          flip: 0.5
        loss:
          - {name: regression, type: multibox_loc, output: loc, params: {labels: labels}}
          - {name: classification, type: multibox_conf, output: conf, params: {neg_pos_ratio: 3}}
        optimizer: {type: adam, lr: 0.005}
        trainer: {epochs: %d, monitor: val.mAP@0.5, progress: none}
        """.formatted(backend, dir.resolve("runs"), data.indent(2).stripTrailing(), epochs);
    return Files.writeString(dir.resolve("ssd.yaml"), yaml);
  }

  static final String SHAPES = "source: shapes\ncount: 240\nimageSize: 48";

  static List<String> column(Path run, String name, String split) throws Exception {
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> header = Arrays.asList(csv.get(0).split(",", -1));
    int c = header.indexOf(name);
    assertThat(c).as("column %s in %s", name, header).isNotNegative();
    return csv.subList(1, csv.size()).stream().map(r -> r.split(",", -1))
        .filter(r -> r[1].equals(split)).map(r -> r[c]).toList();
  }

  @Test
  void trainsAnSsdOnShapesReportingMapAndPredictsPictures() throws Exception {
    Path cfg = config(dir, SHAPES, "pytorch", 4);
    CliFixture.Result r = CliFixture.run("train", cfg.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("split   train 168 | val 36 | test 36 samples")
        .contains("batch   16 -> 11 steps per epoch (ceil(168 / 16))")
        .containsPattern("epoch 4/4  train loss [0-9.]+ \\(regression [0-9.]+ \\+ classification [0-9.]+\\)"
            + " \\| val loss [0-9.]+ \\(regression [0-9.]+ \\[untrained detector [0-9.]+\\] \\+ classification"
            + " [0-9.]+ \\[untrained detector [0-9.]+\\]\\) \\| val mAP@0.5 [0-9.]+ \\| lr ")
        .containsPattern("test    loss [0-9.]+ .* \\| test mAP@0.5 [0-9.]+");
    Path run = TrainCommandTest.runFolder(r);
    List<Double> valLoss = column(run, "total", "val").stream().map(Double::parseDouble).toList();
    assertThat(valLoss.get(valLoss.size() - 1)).isLessThan(valLoss.get(0));
    List<Double> map = column(run, "mAP@0.5", "val").stream().map(Double::parseDouble).toList();
    assertThat(map).hasSize(4).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
    assertThat(Files.readString(run.resolve("test-report.json"))).contains("\"mAP@0.5\"");
    // test predictions list each image's objects and detections, worst first
    List<String> preds = Files.readAllLines(run.resolve("test-predictions.csv"));
    assertThat(preds.get(0)).isEqualTo("id,loss_total,objects,detections,loss_regression,loss_classification");
    assertThat(preds).hasSize(1 + 36);
    assertThat(preds.get(1)).containsAnyOf("rectangle", "ellipse", "triangle");

    // predict: pictures with boxes in class colours, text and JSON
    ShapesSource shapes = ShapesSource.builder(3, 48, 48).optSeed(77).build();
    Path a = dir.resolve("a.png");
    Path b = dir.resolve("b.png");
    Images.write(shapes.get(0).input(), a);
    Images.write(shapes.get(1).input(), b);
    Path out = dir.resolve("pictures");
    CliFixture.Result p = CliFixture.run("predict", run.toString(), a.toString(), b.toString(), "--score", "0.05",
        "--out", out.toString());
    assertThat(p.code()).as(p.err()).isZero();
    assertThat(p.out()).contains(a + ": ").containsPattern("detection\\(s\\) with score >= 0.05");
    JsonNode doc = new ObjectMapper().readTree(out.resolve("predictions.json").toFile());
    assertThat(doc.get("images")).hasSize(2);
    int checked = 0;
    for (JsonNode img : doc.get("images")) {
      BufferedImage pic = ImageIO.read(Path.of(img.get("picture").asText()).toFile());
      assertThat(pic.getWidth()).isGreaterThanOrEqualTo(384); // 48 px pictures are enlarged 8x
      double scale = pic.getWidth() / 48.0;
      JsonNode dets = img.get("detections");
      if (dets.isEmpty()) {
        continue;
      }
      // the best detection is drawn last: its bottom edge shows its class colour
      JsonNode best = dets.get(0);
      int colour = Predict.colour(best.get("label").asInt());
      JsonNode box = best.get("box");
      int x = (int) Math.round((box.get("xmin").asDouble() + box.get("xmax").asDouble()) / 2 * scale);
      int y = (int) Math.round(box.get("ymax").asDouble() * scale);
      boolean found = false;
      for (int dy = -2; dy <= 2 && !found; dy++) {
        int yy = Math.max(0, Math.min(pic.getHeight() - 1, y + dy));
        found = (pic.getRGB(x, yy) & 0xFFFFFF) == colour;
      }
      assertThat(found).as("class colour %06x on the bottom edge at (%d, %d) of %s", colour, x, y, img).isTrue();
      assertThat(best.get("score").asDouble()).isBetween(0.05, 1.0);
      checked++;
    }
    assertThat(checked).as("at least one picture with a detection").isPositive();
    // the original images are untouched, and --json prints the same document
    assertThat(ImageIO.read(a.toFile()).getWidth()).isEqualTo(48);
    CliFixture.Result j = CliFixture.run("predict", run.toString(), a.toString(), "--json", "--score", "0.05",
        "--out", dir.resolve("j").toString());
    assertThat(j.code()).as(j.err()).isZero();
    assertThat(new ObjectMapper().readTree(j.out()).get("images").get(0).get("detections"))
        .isEqualTo(doc.get("images").get(0).get("detections"));

    // a file that is not an image: exit 2, one line naming it, nothing written
    Path bad = Files.writeString(dir.resolve("bad.png"), "not a picture");
    CliFixture.Result e = CliFixture.run("predict", run.toString(), bad.toString(), "--out", dir.resolve("e").toString());
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err()).contains("bad.png").doesNotContain("Exception");
    assertThat(dir.resolve("e")).doesNotExist();
  }

  @Test
  void vocAndCocoFoldersTrainThroughTheSamePipeline() throws Exception {
    ShapesSource shapes = ShapesSource.builder(40, 48, 48).optSeed(5).build();
    ImageFixtures.writeVoc(dir.resolve("voc"), shapes, 40);
    Path coco = ImageFixtures.writeCoco(dir.resolve("coco"), shapes, 40);
    for (String data : List.of("source: voc\npath: " + dir.resolve("voc") + "\nimageSize: 48",
        "source: coco\npath: " + coco + "\nimageSize: 48")) {
      Path sub = Files.createDirectories(dir.resolve(data.substring(8, 12).trim()));
      CliFixture.Result r = CliFixture.run("train", config(sub, data, "pytorch", 1).toString());
      assertThat(r.code()).as(data + "\n" + r.err()).isZero();
      assertThat(r.out()).contains("split   train 28 | val 6 | test 6 samples").contains("val mAP@0.5");
      Path run = TrainCommandTest.runFolder(r);
      double loss = Double.parseDouble(column(run, "total", "val").get(0));
      assertThat(loss).isFinite().isPositive();
    }
  }

  @Test
  void anSsdTrainedOnTensorFlowEvaluatesOnPyTorchWithTheSameLossAndMap() throws Exception {
    Path cfg = config(dir, SHAPES, "tensorflow", 2);
    CliFixture.Result tf = CliFixture.run("train", cfg.toString());
    assertThat(tf.code()).as(tf.err()).isZero();
    assertThat(tf.out()).contains("backend tensorflow").contains("val mAP@0.5");
    Path run = TrainCommandTest.runFolder(tf);
    CliFixture.Result onTf = CliFixture.run("evaluate", run.toString());
    CliFixture.Result onTorch = CliFixture.run("evaluate", run.toString(), "--backend", "pytorch");
    double lossTf = CrossEngineTest.evaluatedLoss(onTf);
    double lossTorch = CrossEngineTest.evaluatedLoss(onTorch);
    assertThat(lossTorch).isCloseTo(lossTf, within(1e-4 * Math.max(1, lossTf)));
    assertThat(metric(onTorch, "mAP@0.5")).isCloseTo(metric(onTf, "mAP@0.5"), within(1e-3));
  }

  static double metric(CliFixture.Result r, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("  " + java.util.regex.Pattern.quote(name)
        + " ([0-9.]+)").matcher(r.out());
    assertThat(m.find()).as(r.out() + r.err()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void badDetectionConfigsFailAtStartNamingTheKey() throws Exception {
    Path cfg = config(dir, SHAPES, "pytorch", 1);
    String[][] cases = {
      {"detection.anchors.sizes=[0.2,0.5]", "'detection.anchors.sizes' needs 3 sizes for 2 feature maps"},
      {"detection.anchors.ratios=[0.5]", "'detection.anchors.ratios' must each be > 1"},
      {"model.heads.conf.taps=[10]", "must read the same taps"},
      {"model.heads.loc.taps=[99]", "'model.heads.loc.taps' has 99, neither a layer name nor a layer index"},
      {"model.heads.loc.anchorsPerLocation=6", "must read the same taps with the same anchorsPerLocation"},
      {"detection.flip=2", "'detection.flip' must be a probability"},
      {"detection.conf=nope", "'detection.conf' must name a classification head"},
    };
    for (String[] c : cases) {
      CliFixture.Result r = CliFixture.run("train", cfg.toString(), "--set", c[0]);
      assertThat(r.code()).as(c[0]).isEqualTo(2);
      assertThat(r.err()).as(c[0]).contains(cfg.toString()).contains(c[1]).doesNotContain("Exception");
    }
    CliFixture.Result r = CliFixture.run("train", cfg.toString(), "--set", "model.heads.loc.anchorsPerLocation=6",
        "--set", "model.heads.conf.anchorsPerLocation=6");
    assertThat(r.err()).contains("'model.heads.loc.anchorsPerLocation' is 6 but 1 anchor ratios give 4 boxes per cell");
    assertThat(dir.resolve("runs")).doesNotExist();
  }
}
