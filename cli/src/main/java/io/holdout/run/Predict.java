package io.holdout.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.datasets.Detection;
import io.holdout.datasets.detection.BoxDecoder;
import io.holdout.datasets.image.Images;
import io.holdout.datasets.loader.Collator;
import io.holdout.datasets.transform.Resize;
import io.holdout.engine.onnx.OnnxModelFile;
import io.holdout.losses.metrics.BoxPredictions;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * {@code holdout predict}: runs a finished run's model on image files. A detector's boxes (after
 * decoding and NMS, score at least the threshold) are drawn on a copy of each image, written as PNG
 * and listed as text; other image models list each head's prediction. Everything also goes to
 * {@code predictions.json} for programs.
 */
public final class Predict {
  /** Box colours by class (label 1 first), chosen to stay apart from each other. */
  public static final int[] PALETTE = {0xE6194B, 0x3CB44B, 0x4363D8, 0xF58231, 0x911EB4, 0x42D4F4, 0xF032E6,
      0xBFEF45, 0x469990, 0x9A6324};

  /** Pictures smaller than this (longest side, pixels) are enlarged so boxes and labels stay legible. */
  static final int MIN_PICTURE_SIDE = 384;

  private Predict() {}

  /** Options of one prediction run. */
  /**
   * @param onnx run this exported ONNX file instead of the run's weights (null: the weights on
   *     {@code backend})
   */
  public record Options(String backend, String weights, double score, Path outDir, boolean json, Path onnx) {}

  /**
   * Predicts every image of {@code images} with the weights of {@code runDir}.
   *
   * @return the JSON document also written to {@code predictions.json}
   */
  public static ObjectNode run(Path runDir, List<Path> images, Options o, PrintWriter out) {
    if (images.isEmpty()) {
      throw new HoldoutException("predict needs at least one image file");
    }
    if (!(o.score() >= 0 && o.score() < 1)) {
      throw new HoldoutException("--score must be in [0, 1), got " + o.score());
    }
    RunFolder run = RunFolder.open(runDir);
    LoadedConfig loaded = ConfigLoader.load(run.file(RunFolder.CONFIG), List.of());
    Path weightsFile = run.dir().resolve(o.weights());
    try (Experiment.Prepared p = new Experiment.Prepared(loaded, o.backend())) {
      long[] in = p.model.inputShape();
      if (in.length != 3) {
        throw new HoldoutException(runDir + ": predict reads images, but this model's input is "
            + java.util.Arrays.toString(in) + " (use holdout evaluate for tables)");
      }
      SessionSpec spec = null;
      if (o.onnx() == null) {
        Weights w = Experiment.readWeights(weightsFile);
        w.checkFits(p.model, weightsFile.toString());
        spec = p.sessionSpec(w, false);
        p.checkCapabilities(spec);
      }
      DetectionSetup det = p.data.detection();
      Path outDir = o.outDir() != null ? o.outDir() : run.dir().resolve("predictions");
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode doc = mapper.createObjectNode();
      doc.put("run", run.dir().toString());
      if (o.onnx() != null) {
        doc.put("onnx", o.onnx().toString());
      } else {
        doc.put("backend", p.backend.name());
        doc.put("weights", o.weights());
      }
      if (det != null) {
        doc.put("score_threshold", o.score());
      }
      ArrayNode list = doc.putArray("images");
      List<String> classes = p.classNames();
      BoxDecoder decoder = det == null ? null : det.decoder(o.score());
      int batchSize = p.loaded.config().loader().batchSize();
      // read every image first: a bad file fails before anything is written
      List<BufferedImage> originals = new ArrayList<>();
      List<Sample> samples = new ArrayList<>();
      for (Path image : images) {
        BufferedImage img = Images.read(image);
        originals.add(img);
        samples.add(sample(image, img, p, det));
      }
      Collator collator = new Collator(det == null ? java.util.Set.of()
          : java.util.Set.of(det.paddedFields()));
      try (Forward forward = o.onnx() != null ? Forward.of(OnnxModelFile.open(o.onnx()), p)
          : Forward.of(p.backend.open(spec))) {
        try {
          Files.createDirectories(outDir);
        } catch (IOException e) {
          throw new HoldoutException(outDir + ": cannot create the output folder: " + e.getMessage(), e);
        }
        for (int start = 0; start < samples.size(); start += batchSize) {
          int end = Math.min(samples.size(), start + batchSize);
          List<Sample> chunk = samples.subList(start, end);
          Batch batch = collator.collate(chunk, chunk.stream().map(Sample::id).toList());
          Map<String, Tensor> r = forward.outputs(batch);
          List<BoxPredictions> boxes = det == null ? null
              : decoder.decode(r.get(det.config().loc()), r.get(det.config().conf()));
          for (int i = start; i < end; i++) {
            Path image = images.get(i);
            BufferedImage img = originals.get(i);
            ObjectNode node = list.addObject();
            node.put("file", image.toString());
            node.put("width", img.getWidth());
            node.put("height", img.getHeight());
            if (det != null) {
              BoxPredictions b = boxes.get(i - start);
              Path png = picture(outDir, image, images);
              describeBoxes(node, b, classes, img.getWidth(), img.getHeight());
              AtomicFiles.writeBytes(png, png(draw(img, b, classes)));
              node.put("picture", png.toString());
            } else {
              describeHeads(node, r, i - start, p.model.heads(), p.data.dataset().schema().targets());
            }
          }
        }
      }
      String text = mapper.writeValueAsString(doc);
      AtomicFiles.writeString(outDir.resolve("predictions.json"), text + "\n");
      if (o.json()) {
        out.println(text);
      } else {
        printText(doc, det != null, out);
        out.println("wrote " + outDir.resolve("predictions.json") + (det != null ? " and " + images.size()
            + " picture(s) in " + outDir : ""));
      }
      out.flush();
      return doc;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Head outputs of a batch, from an engine session or an exported ONNX file. */
  private interface Forward extends AutoCloseable {
    Map<String, Tensor> outputs(Batch batch);

    @Override
    void close();

    static Forward of(TrainingSession session) {
      return new Forward() {
        @Override
        public Map<String, Tensor> outputs(Batch batch) {
          EvalResult r = session.evalStep(batch);
          return r.outputs();
        }

        @Override
        public void close() {
          session.close();
        }
      };
    }

    /** The file must fit the run's model (input and head shapes), else a one-line error naming it. */
    static Forward of(OnnxModelFile file, Experiment.Prepared p) {
      try {
        file.info().checkFits(p.model);
      } catch (RuntimeException e) {
        file.close();
        throw e;
      }
      return new Forward() {
        @Override
        public Map<String, Tensor> outputs(Batch batch) {
          return file.run(batch.input());
        }

        @Override
        public void close() {
          file.close();
        }
      };
    }
  }

  /** The image as the model reads it, with empty targets (a detector's: no objects). */
  private static Sample sample(Path file, BufferedImage img, Experiment.Prepared p, DetectionSetup det) {
    long[] in = p.model.inputShape();
    Field field;
    try {
      field = Images.toField(img, (int) in[0]);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(file + ": " + e.getMessage());
    }
    String id = file.getFileName().toString();
    SplittableRandom rng = new SplittableRandom(0);
    Sample s;
    if (det != null) {
      s = Detection.sample(id, field, new float[0], new long[0]);
      s = new Resize((int) in[1], (int) in[2]).apply(s, rng);
      return det.evalTransform().apply(s, rng);
    }
    Map<String, Field> fields = new LinkedHashMap<>();
    fields.put(Batch.INPUT, field);
    for (Map.Entry<String, TargetInfo> t : p.data.dataset().schema().targets().entrySet()) {
      fields.put(t.getKey(), t.getValue().kind() == TargetKind.CLASS ? Field.longs(new long[0], new long[] {0})
          : Field.floats(t.getValue().shape(), new float[t.getValue().units()]));
    }
    return new Resize((int) in[1], (int) in[2]).apply(new Sample(id, fields), rng);
  }

  /**
   * {@code outDir/name.png}; {@code name-<i>.png} when two inputs share a file name; never an input
   * file itself ({@code name-detections.png} then), so no image given to predict is overwritten.
   */
  private static Path picture(Path outDir, Path image, List<Path> all) {
    String n = image.getFileName().toString();
    String stem = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
    long same = all.stream().filter(x -> x.getFileName().toString().equals(n)).count();
    Path p = outDir.resolve(same > 1 ? stem + "-" + all.indexOf(image) + ".png" : stem + ".png");
    Path abs = p.toAbsolutePath().normalize();
    if (all.stream().anyMatch(x -> x.toAbsolutePath().normalize().equals(abs))) {
      p = outDir.resolve(stem + "-detections.png");
    }
    return p;
  }

  private static void describeBoxes(ObjectNode node, BoxPredictions b, List<String> classes, int w, int h) {
    ArrayNode dets = node.putArray("detections");
    for (int k = 0; k < b.size(); k++) {
      ObjectNode d = dets.addObject();
      int c = b.classes()[k];
      d.put("class", className(classes, c));
      d.put("label", c);
      d.put("score", round(b.scores()[k]));
      float[] x = b.boxes();
      ObjectNode px = d.putObject("box");
      px.put("xmin", round(x[4 * k] * w));
      px.put("ymin", round(x[4 * k + 1] * h));
      px.put("xmax", round(x[4 * k + 2] * w));
      px.put("ymax", round(x[4 * k + 3] * h));
      ArrayNode norm = d.putArray("box_normalised");
      for (int j = 0; j < 4; j++) {
        norm.add(round(x[4 * k + j]));
      }
    }
  }

  private static void describeHeads(ObjectNode node, Map<String, Tensor> r, int row, List<HeadSpec> heads,
      Map<String, TargetInfo> targets) {
    ObjectNode outs = node.putObject("outputs");
    for (HeadSpec h : heads) {
      Tensor t = r.get(h.name());
      int w = (int) (t.elementCount() / t.dim(0));
      float[] v = java.util.Arrays.copyOfRange(t.toFloatArray(), row * w, (row + 1) * w);
      ObjectNode o = outs.putObject(h.name());
      if (h.kind() == HeadKind.CLASSIFICATION) {
        double[] p = Predictions.softmax(v, 0, w);
        int arg = Predictions.argmax(p);
        TargetInfo ti = targets.get(h.name());
        List<String> names = ti == null ? List.of() : ti.classes();
        o.put("class", arg < names.size() ? names.get(arg) : String.valueOf(arg));
        o.put("probability", round(p[arg]));
        ObjectNode probs = o.putObject("probabilities");
        for (int j = 0; j < w; j++) {
          probs.put(j < names.size() ? names.get(j) : String.valueOf(j), round(p[j]));
        }
      } else {
        ArrayNode vals = o.putArray("values");
        for (float x : v) {
          vals.add(round(x));
        }
      }
    }
  }

  private static void printText(ObjectNode doc, boolean detection, PrintWriter out) {
    for (var node : doc.get("images")) {
      String file = node.get("file").asText();
      if (detection) {
        var dets = node.get("detections");
        out.printf(Locale.ROOT, "%s: %d detection(s) with score >= %s%n", file, dets.size(),
            doc.get("score_threshold").asText());
        for (var d : dets) {
          var b = d.get("box");
          out.printf(Locale.ROOT, "  %-10s %.2f  box (%.0f, %.0f)-(%.0f, %.0f) px%n", d.get("class").asText(),
              d.get("score").asDouble(), b.get("xmin").asDouble(), b.get("ymin").asDouble(), b.get("xmax").asDouble(),
              b.get("ymax").asDouble());
        }
      } else {
        StringBuilder sb = new StringBuilder(file).append(':');
        node.get("outputs").fields().forEachRemaining(e -> {
          var o = e.getValue();
          sb.append("  ").append(e.getKey()).append(' ');
          sb.append(o.has("class") ? o.get("class").asText() + String.format(Locale.ROOT, " (%.2f)",
              o.get("probability").asDouble()) : o.get("values").toString());
        });
        out.println(sb);
      }
    }
  }

  /**
   * A copy of {@code img} (enlarged when small) with each detection drawn: a 2-pixel rectangle in
   * its class colour and a filled label with the class name and score above it.
   */
  public static BufferedImage draw(BufferedImage img, BoxPredictions b, List<String> classes) {
    int side = Math.max(img.getWidth(), img.getHeight());
    double scale = side >= MIN_PICTURE_SIDE ? 1 : Math.ceil((double) MIN_PICTURE_SIDE / side);
    int w = (int) Math.round(img.getWidth() * scale);
    int h = (int) Math.round(img.getHeight() * scale);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img, 0, 0, w, h, null);
      g.setStroke(new BasicStroke(2f));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      FontMetrics fm = g.getFontMetrics();
      float[] x = b.boxes();
      for (int k = b.size() - 1; k >= 0; k--) { // highest score drawn last, on top
        Color colour = new Color(colour(b.classes()[k]));
        int x0 = clamp(Math.round(x[4 * k] * w), w);
        int y0 = clamp(Math.round(x[4 * k + 1] * h), h);
        int x1 = clamp(Math.round(x[4 * k + 2] * w), w);
        int y1 = clamp(Math.round(x[4 * k + 3] * h), h);
        g.setColor(colour);
        g.drawRect(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0));
        String label = String.format(Locale.ROOT, "%s %.2f", className(classes, b.classes()[k]), b.scores()[k]);
        int tw = fm.stringWidth(label) + 6;
        int th = fm.getHeight();
        int ty = y0 - th >= 0 ? y0 - th : y0;
        int tx = Math.max(0, Math.min(x0, w - tw)); // keep the label inside the picture
        g.fillRect(tx, ty, tw, th);
        g.setColor(Color.WHITE);
        g.drawString(label, tx + 3, ty + fm.getAscent());
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** The drawing colour of class {@code label} (1-based) as 0xRRGGBB. */
  public static int colour(int label) {
    return PALETTE[Math.floorMod(label - 1, PALETTE.length)];
  }

  private static int clamp(int v, int size) {
    return Math.max(0, Math.min(size - 1, v));
  }

  private static String className(List<String> classes, int label) {
    return label >= 1 && label <= classes.size() ? classes.get(label - 1) : "class " + label;
  }

  private static byte[] png(BufferedImage img) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
