package io.holdout.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetKind;
import io.holdout.api.detection.BoxPredictions;
import io.holdout.api.export.ModelFile;
import io.holdout.api.export.ModelFiles;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.datasets.Detection;
import io.holdout.datasets.csv.CsvDataset;
import io.holdout.datasets.csv.CsvSource;
import io.holdout.datasets.detection.BoxDecoder;
import io.holdout.datasets.image.Images;
import io.holdout.datasets.loader.Collator;
import io.holdout.datasets.transform.Resize;
import io.holdout.datasets.transform.Standardizer;
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
 * {@code predictions.json} for programs. The model runs on a backend found on the class path, or,
 * with {@code --onnx FILE}, as an exported file through the model-file runner found there ({@link
 * ModelFiles}; holdout-engine-onnx provides {@code onnx}).
 */
public final class Predict {
  /** Box colours by class (label 1 first), chosen to stay apart from each other. */
  public static final int[] PALETTE = {0xE6194B, 0x3CB44B, 0x4363D8, 0xF58231, 0x911EB4, 0x42D4F4, 0xF032E6,
      0xBFEF45, 0x469990, 0x9A6324};

  /** Pictures smaller than this (longest side, pixels) are enlarged so boxes and labels stay legible. */
  static final int MIN_PICTURE_SIDE = 384;

  /** The format of {@code --onnx} files, run by the model-file runner found on the class path. */
  static final String ONNX = "onnx";

  private Predict() {}

  /**
   * Options of one prediction run.
   *
   * @param onnx run this exported ONNX file instead of the run's weights (null: the weights on
   *     {@code backend})
   */
  public record Options(String backend, String weights, double score, Path outDir, boolean json, Path onnx) {}

  /**
   * Predicts with the model of {@code runDir}, from its folder alone: every image of {@code files}
   * (an image model), or every row of the one CSV table in {@code files} (a tabular model; see
   * {@link #table}).
   *
   * @return the JSON document also written to {@code predictions.json}
   */
  public static ObjectNode run(Path runDir, List<Path> files, Options o, PrintWriter out) {
    if (files.isEmpty()) {
      throw new HoldoutException("predict needs at least one file (images, or a CSV table for a tabular model)");
    }
    if (!(o.score() >= 0 && o.score() < 1)) {
      throw new HoldoutException("--score must be in [0, 1), got " + o.score());
    }
    SavedRun saved = SavedRun.open(runDir);
    if (!saved.prep.input().isImage()) {
      return table(saved, files, o, out);
    }
    List<Path> images = files;
    ModelSpec model = saved.model;
    Backend backend = o.onnx() == null ? saved.backend(o.backend()) : null;
    SessionSpec spec = o.onnx() == null ? saved.sessionSpec(backend, saved.weights(o.weights())) : null;
    DetectionSetup det = saved.detection;
    Path outDir = o.outDir() != null ? o.outDir() : saved.run.dir().resolve("predictions");
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode doc = header(mapper, saved, o, backend);
    if (det != null) {
      doc.put("score_threshold", o.score());
    }
    ArrayNode list = doc.putArray("images");
    List<String> classes = saved.prep.detectionClasses();
    BoxDecoder decoder = det == null ? null : det.decoder(o.score());
    int batchSize = saved.loaded.config().loader().batchSize();
    // read every image first: a bad file fails before anything is written
    List<BufferedImage> originals = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    for (Path image : images) {
      BufferedImage img = Images.read(image);
      originals.add(img);
      samples.add(sample(image, img, saved));
    }
    Collator collator = new Collator(det == null ? java.util.Set.of() : java.util.Set.of(det.paddedFields()));
    try (Forward forward = o.onnx() != null ? Forward.of(ModelFiles.open(ONNX, o.onnx()), model)
        : Forward.of(backend.open(spec))) {
      // an export that takes decoded pixels reads each image at its own size
      int step = forward.takesPixels() ? 1 : batchSize;
      try {
        Files.createDirectories(outDir);
      } catch (IOException e) {
        throw new HoldoutException(outDir + ": cannot create the output folder: " + e.getMessage(), e);
      }
      for (int start = 0; start < samples.size(); start += step) {
        int end = Math.min(samples.size(), start + step);
        List<Sample> chunk = samples.subList(start, end);
        Batch batch = collator.collate(chunk, chunk.stream().map(Sample::id).toList());
        Map<String, Tensor> r = forward.outputs(batch, originals.subList(start, end));
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
            describeHeads(node.putObject("outputs"), r, i - start, model.heads(), saved.prep, false);
          }
        }
      }
    }
    try {
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

  /** Rows printed as text before the rest is left to the files. */
  static final int TEXT_ROWS = 20;

  /**
   * A tabular model on the rows of one CSV file: the feature columns are found by name in its
   * header (other columns are ignored) and read raw, then standardised with the run's statistics.
   * Writes {@code predictions.csv} (per row: its line in the file, and per classification head the
   * predicted class and each class's probability, per regression head its values in the target's
   * units) and {@code predictions.json}. A missing feature column, or a cell that is not a number,
   * is a one-line error naming the file, the line and the column, before anything is written.
   */
  static ObjectNode table(SavedRun saved, List<Path> files, Options o, PrintWriter out) {
    if (files.size() != 1) {
      throw new HoldoutException("predict reads one CSV table per call for the tabular model of " + saved.run.dir()
          + ", got " + files.size() + " files");
    }
    Path csv = files.get(0);
    Preprocessing.Input in = saved.prep.input();
    if (Images.isImage(csv)) {
      throw new HoldoutException(csv + ": the model of " + saved.run.dir() + " reads table rows with the columns "
          + String.join(", ", in.features()) + ", not images");
    }
    CsvDataset rows = CsvSource.builder(csv).optDelimiter(in.delimiter().charAt(0)).features(in.features()).open();
    int n = rows.size();
    int f = in.features().size();
    float[] raw = new float[n * f];
    float[] standardised = new float[n * f];
    Standardizer std = in.standardizer();
    for (int i = 0; i < n; i++) {
      Sample s = rows.get(i);
      System.arraycopy(s.input().floats(), 0, raw, i * f, f);
      System.arraycopy((std == null ? s : std.apply(s, null)).input().floats(), 0, standardised, i * f, f);
    }
    ModelSpec model = saved.model;
    Backend backend = o.onnx() == null ? saved.backend(o.backend()) : null;
    SessionSpec spec = o.onnx() == null ? saved.sessionSpec(backend, saved.weights(o.weights())) : null;
    int batchSize = saved.loaded.config().loader().batchSize();
    Path outDir = o.outDir() != null ? o.outDir() : saved.run.dir().resolve("predictions");
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode doc = header(mapper, saved, o, backend);
    doc.put("table", csv.toString());
    ArrayNode list = doc.putArray("rows");
    StringBuilder table = new StringBuilder(String.join(",", tableHeader(model, saved.prep))).append('\n');
    try (Forward forward = o.onnx() != null ? Forward.of(ModelFiles.open(ONNX, o.onnx()), model)
        : Forward.of(backend.open(spec))) {
      for (int start = 0; start < n; start += batchSize) {
        int end = Math.min(n, start + batchSize);
        int b = end - start;
        float[] x = java.util.Arrays.copyOfRange(forward.takesRawFeatures() ? raw : standardised, start * f, end * f);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put(Batch.INPUT, Tensor.ofFloats(new long[] {b, f}, x));
        // the engine's evaluation step wants targets: placeholders, its loss is not used
        saved.prep.targets().forEach((name, target) -> t.put(name, target.kind() == TargetKind.CLASS
            ? Tensor.ofLongs(new long[] {b}, new long[b])
            : Tensor.ofFloats(batched(b, target.shape()), new float[b * width(target.shape())])));
        List<String> ids = new ArrayList<>();
        for (int i = start; i < end; i++) {
          ids.add(rows.id(i));
        }
        Map<String, Tensor> r = forward.outputs(new Batch(ids, t), List.of());
        for (int i = start; i < end; i++) {
          ObjectNode node = list.addObject();
          node.put("line", rows.line(i));
          ObjectNode outs = node.putObject("outputs");
          describeHeads(outs, r, i - start, model.heads(), saved.prep, true);
          table.append(rows.line(i));
          for (HeadSpec h : model.heads()) {
            JsonNode o2 = outs.get(h.name());
            if (o2.has("class")) {
              table.append(',').append(csvCell(o2.get("class").asText()));
              o2.get("probabilities").forEach(p -> table.append(',').append(num(p.asDouble())));
            } else {
              o2.get("values").forEach(v -> table.append(',').append(num(v.asDouble())));
            }
          }
          table.append('\n');
        }
      }
    }
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new HoldoutException(outDir + ": cannot create the output folder: " + e.getMessage(), e);
    }
    Path csvOut = outDir.resolve("predictions.csv");
    AtomicFiles.writeString(csvOut, table.toString());
    try {
      String text = mapper.writeValueAsString(doc);
      AtomicFiles.writeString(outDir.resolve("predictions.json"), text + "\n");
      if (o.json()) {
        out.println(text);
      } else {
        for (int i = 0; i < Math.min(n, TEXT_ROWS); i++) {
          JsonNode row = list.get(i);
          StringBuilder sb = new StringBuilder(csv.getFileName() + ":" + row.get("line").asInt() + ":");
          row.get("outputs").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            sb.append("  ").append(e.getKey()).append(' ');
            sb.append(v.has("class") ? v.get("class").asText() + String.format(Locale.ROOT, " (%.2f)",
                v.get("probability").asDouble()) : values(v.get("values")));
          });
          out.println(sb);
        }
        if (n > TEXT_ROWS) {
          out.println("... and " + (n - TEXT_ROWS) + " more rows");
        }
        out.println("wrote " + csvOut + " (" + n + " rows) and " + outDir.resolve("predictions.json"));
      }
      out.flush();
      return doc;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The header of {@code predictions.csv}: line, then per head its class and probabilities or its values. */
  static List<String> tableHeader(ModelSpec model, Preprocessing prep) {
    List<String> h = new ArrayList<>(List.of("line"));
    for (HeadSpec head : model.heads()) {
      int w = width(model.outputShape(head.name()));
      if (prep.classifies(head.name())) {
        h.add(csvCell(head.name()));
        List<String> names = prep.heads().get(head.name()).classes();
        for (int j = 0; j < w; j++) {
          h.add(csvCell("p_" + head.name() + "_" + (j < names.size() ? names.get(j) : String.valueOf(j))));
        }
      } else {
        for (int j = 0; j < w; j++) {
          h.add(csvCell(w == 1 ? head.name() : head.name() + "_" + j));
        }
      }
    }
    return h;
  }

  private static long[] batched(int b, long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = b;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  private static int width(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return (int) n;
  }

  private static String values(JsonNode a) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < a.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", a.get(i).asDouble()));
    }
    return sb.append(']').toString();
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.9g", v);
  }

  private static String csvCell(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** Head outputs of a batch, from an engine session or an exported file (run by a {@link ModelFile}). */
  private interface Forward extends AutoCloseable {
    /** The outputs for {@code batch}; {@code images} are its decoded pictures (an image model's). */
    Map<String, Tensor> outputs(Batch batch, List<BufferedImage> images);

    /** Whether this reads decoded pixels (an export with its preprocessing in the graph). */
    default boolean takesPixels() {
      return false;
    }

    /** Whether this reads raw feature values (an export that standardises in the graph). */
    default boolean takesRawFeatures() {
      return false;
    }

    @Override
    void close();

    static Forward of(TrainingSession session) {
      return new Forward() {
        @Override
        public Map<String, Tensor> outputs(Batch batch, List<BufferedImage> images) {
          EvalResult r = session.evalStep(batch);
          return r.outputs();
        }

        @Override
        public void close() {
          session.close();
        }
      };
    }

    /**
     * The file must fit the run's model (input and head shapes), else a one-line error naming it.
     * An export written by holdout with its preprocessing (metadata {@code input_format}) is fed
     * raw inputs; another file, the inputs the model reads.
     */
    static Forward of(ModelFile file, ModelSpec model) {
      String format = file.info().metadata().getOrDefault(Export.INPUT_FORMAT, "");
      boolean pixels = format.equals("image");
      boolean raw = format.equals("features");
      try {
        file.info().checkFits(model, pixels ? new long[] {-1, -1, 3} : model.inputShape());
      } catch (RuntimeException e) {
        file.close();
        throw e;
      }
      return new Forward() {
        @Override
        public Map<String, Tensor> outputs(Batch batch, List<BufferedImage> images) {
          if (!pixels) {
            return file.run(batch.input());
          }
          BufferedImage img = images.get(0);
          return file.runPixels(rgb(img), new long[] {1, img.getHeight(), img.getWidth(), 3});
        }

        @Override
        public boolean takesPixels() {
          return pixels;
        }

        @Override
        public boolean takesRawFeatures() {
          return raw;
        }

        @Override
        public void close() {
          file.close();
        }
      };
    }
  }

  /** The image's pixels as uint8 {@code [height, width, 3]}, RGB interleaved (what the export reads). */
  static byte[] rgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    byte[] out = new byte[3 * argb.length];
    for (int i = 0; i < argb.length; i++) {
      out[3 * i] = (byte) (argb[i] >> 16);
      out[3 * i + 1] = (byte) (argb[i] >> 8);
      out[3 * i + 2] = (byte) argb[i];
    }
    return out;
  }

  /**
   * The image as the model reads it (resized, standardised with the run's statistics), with empty
   * targets (a detector's: no objects).
   */
  private static Sample sample(Path file, BufferedImage img, SavedRun saved) {
    long[] in = saved.model.inputShape();
    Field field;
    try {
      field = Images.toField(img, (int) in[0]);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(file + ": " + e.getMessage());
    }
    String id = file.getFileName().toString();
    SplittableRandom rng = new SplittableRandom(0);
    Standardizer std = saved.prep.input().standardizer();
    DetectionSetup det = saved.detection;
    Sample s;
    if (det != null) {
      s = Detection.sample(id, field, new float[0], new long[0]);
      s = new Resize((int) in[1], (int) in[2]).apply(s, rng);
      return det.evalTransform().apply(std == null ? s : std.apply(s, rng), rng);
    }
    Map<String, Field> fields = new LinkedHashMap<>();
    fields.put(Batch.INPUT, field);
    for (Map.Entry<String, Preprocessing.Target> t : saved.prep.targets().entrySet()) {
      fields.put(t.getKey(), t.getValue().kind() == TargetKind.CLASS ? Field.longs(new long[0], new long[] {0})
          : Field.floats(t.getValue().shape(), new float[width(t.getValue().shape())]));
    }
    s = new Resize((int) in[1], (int) in[2]).apply(new Sample(id, fields), rng);
    return std == null ? s : std.apply(s, rng);
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

  /**
   * Each head's answer for row {@code row}: a classification head's class, its probability and every
   * class's probability (softmax of the logits), a regression head's values; rounded to 4 decimals
   * unless {@code exact}.
   */
  private static void describeHeads(ObjectNode outs, Map<String, Tensor> r, int row, List<HeadSpec> heads,
      Preprocessing prep, boolean exact) {
    for (HeadSpec h : heads) {
      Tensor t = r.get(h.name());
      int w = (int) (t.elementCount() / t.dim(0));
      float[] v = java.util.Arrays.copyOfRange(t.toFloatArray(), row * w, (row + 1) * w);
      ObjectNode o = outs.putObject(h.name());
      if (prep.classifies(h.name())) {
        double[] p = Predictions.softmax(v, 0, w);
        int arg = Predictions.argmax(p);
        List<String> names = prep.heads().get(h.name()).classes();
        o.put("class", arg < names.size() ? names.get(arg) : String.valueOf(arg));
        o.put("probability", exact ? p[arg] : round(p[arg]));
        ObjectNode probs = o.putObject("probabilities");
        for (int j = 0; j < w; j++) {
          probs.put(j < names.size() ? names.get(j) : String.valueOf(j), exact ? p[j] : round(p[j]));
        }
      } else {
        ArrayNode vals = o.putArray("values");
        for (float x : v) {
          vals.add(exact ? x : round(x));
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

  /** The head of {@code predictions.json}: the run, and the engine or the ONNX file that ran it. */
  private static ObjectNode header(ObjectMapper mapper, SavedRun saved, Options o, Backend backend) {
    ObjectNode doc = mapper.createObjectNode();
    doc.put("run", saved.run.dir().toString());
    if (o.onnx() != null) {
      doc.put("onnx", o.onnx().toString());
    } else {
      doc.put("backend", backend.name());
      doc.put("weights", o.weights());
    }
    return doc;
  }
}
