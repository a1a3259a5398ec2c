package io.holdout.engine.onnx;

import static io.holdout.checks.Fixtures.floats;
import static io.holdout.checks.Fixtures.longs;
import static io.holdout.engine.onnx.OnnxExportTest.close;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports with their preprocessing and postprocessing in the graph: raw features standardised by
 * the graph, decoded uint8 pixels scaled, resized and standardised by the graph, and softmax
 * probabilities next to the logits, each against the network run by the ONNX backend on inputs
 * prepared in Java by the hand computation.
 */
class OnnxPipelineTest {
  @TempDir Path dir;

  @Test
  void rawFeaturesAreStandardisedInTheGraphAndClassificationHeadsAddProbabilities() throws Exception {
    ModelSpec spec = Models.iris();
    Weights w = Weights.initialize(spec, 42);
    float[] mean = {5.8f, 3.05f, 3.76f};
    float[] std = {0.83f, 0.43f, 1.76f};
    int n = 6;
    SplittableRandom r = new SplittableRandom(3);
    float[] raw = new float[n * 3];
    float[] z = new float[n * 3];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (float) (mean[i % 3] + 2 * std[i % 3] * (r.nextDouble() - 0.5));
      z[i] = (raw[i] - mean[i % 3]) / std[i % 3];
    }
    Batch standardised = Fixtures.batch("input", floats(z, n, 3), "species", longs(Fixtures.labels(r, n, 3), n),
        "petal_width", floats(Fixtures.normal(r, n, 1), n, 1));
    EvalResult expected = OnnxExportTest.eval(TestBackends.ONNX, spec, w, standardised);

    byte[] bytes = OnnxExport.toBytes(spec, w, Map.of("k", "v"), null, OnnxPipeline.features(mean, std));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(bytes, new OrtSession.SessionOptions())) {
      assertThat(s.getInputNames()).containsExactly(Batch.INPUT);
      assertThat(((TensorInfo) s.getInputInfo().get(Batch.INPUT).getInfo()).getShape()).containsExactly(-1, 3);
      assertThat(s.getOutputNames()).containsExactly("species", "petal_width", "species_probabilities");
      Map<String, float[]> out = OnnxExportTest.run(env, s, floats(raw, n, 3));
      float[] logits = expected.outputs().get("species").toFloatArray();
      close(out.get("species"), logits, 1e-6, "species logits");
      close(out.get("petal_width"), expected.outputs().get("petal_width").toFloatArray(), 1e-6, "petal_width");
      float[] p = out.get("species_probabilities");
      for (int i = 0; i < n; i++) {
        double max = Math.max(logits[3 * i], Math.max(logits[3 * i + 1], logits[3 * i + 2]));
        double sum = 0;
        for (int c = 0; c < 3; c++) {
          sum += Math.exp(logits[3 * i + c] - max);
        }
        for (int c = 0; c < 3; c++) {
          assertThat((double) p[3 * i + c]).as("row %d class %d", i, c)
              .isCloseTo(Math.exp(logits[3 * i + c] - max) / sum, org.assertj.core.data.Offset.offset(1e-6));
        }
      }
    }
    // without statistics the features go in as they are: the plain export's numbers
    byte[] plain = OnnxExport.toBytes(spec, w, Map.of(), null, OnnxPipeline.features(null, null));
    try (OrtSession s = env.createSession(plain, new OrtSession.SessionOptions())) {
      Map<String, float[]> out = OnnxExportTest.run(env, s, floats(z, n, 3));
      close(out.get("species"), expected.outputs().get("species").toFloatArray(), 1e-6, "unstandardised export");
    }
  }

  /** A small image classifier over {@code channels x 8 x 8}. */
  static ModelSpec classifier(int channels) {
    return new ModelSpec(new long[] {channels, 8, 8},
        List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("label", HeadKind.CLASSIFICATION, 3)));
  }

  @Test
  void decodedPixelsAreScaledResizedAndStandardisedInTheGraph() throws Exception {
    for (int channels : new int[] {3, 1}) {
      ModelSpec spec = classifier(channels);
      Weights w = Weights.initialize(spec, 5);
      SplittableRandom r = new SplittableRandom(channels);
      int elements = channels * 64;
      float[] mean = new float[elements];
      float[] std = new float[elements];
      for (int i = 0; i < elements; i++) {
        mean[i] = (float) (0.3 + 0.4 * r.nextDouble());
        std[i] = (float) (0.1 + 0.3 * r.nextDouble());
      }
      Path file = dir.resolve("image" + channels + ".onnx");
      OnnxExport.write(file, spec, w, Map.of(), null, OnnxPipeline.image(mean, std));
      ModelFileInfo info = OnnxModelFile.validate(file);
      assertThat(info.inputs().get(Batch.INPUT)).containsExactly(-1, -1, -1, 3);
      info.checkFits(spec, new long[] {-1, -1, 3});
      assertThat(info.outputs().keySet()).containsExactly("label", "label_probabilities");
      for (int[] size : new int[][] {{8, 8}, {13, 10}, {5, 6}}) {
        int n = 2;
        int h = size[0];
        int wd = size[1];
        byte[] pixels = new byte[n * h * wd * 3];
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = (byte) r.nextInt(256);
        }
        // the hand computation: holdout's reading (byte / 255 in float, luma for one channel), a
        // bilinear half-pixel resize, then (x - mean) / std
        float[] x = new float[n * elements];
        for (int b = 0; b < n; b++) {
          float[] chw = new float[channels * h * wd];
          for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < wd; xx++) {
              int o = ((b * h + y) * wd + xx) * 3;
              int red = pixels[o] & 0xFF;
              int green = pixels[o + 1] & 0xFF;
              int blue = pixels[o + 2] & 0xFF;
              if (channels == 3) {
                chw[y * wd + xx] = red * (1f / 255f);
                chw[h * wd + y * wd + xx] = green * (1f / 255f);
                chw[2 * h * wd + y * wd + xx] = blue * (1f / 255f);
              } else {
                chw[y * wd + xx] = (0.299f * red + 0.587f * green + 0.114f * blue) * (1f / 255f);
              }
            }
          }
          float[] resized = bilinear(chw, channels, h, wd, 8, 8);
          for (int i = 0; i < elements; i++) {
            x[b * elements + i] = (resized[i] - mean[i]) / std[i];
          }
        }
        Batch batch = Fixtures.batch("input", floats(x, n, channels, 8, 8), "label", longs(new long[] {0, 2}, n));
        EvalResult expected = eval(spec, w, batch);
        try (OnnxModelFile f = OnnxModelFile.open(file)) {
          Map<String, Tensor> out = f.runPixels(pixels, new long[] {n, h, wd, 3});
          // a resize by another factor than 1 rounds differently in ONNX Runtime's kernel
          double tol = h == 8 && wd == 8 ? 1e-6 : 1e-5;
          close(out.get("label").toFloatArray(), expected.outputs().get("label").toFloatArray(), tol,
              channels + " channel(s), " + h + "x" + wd);
          float[] p = out.get("label_probabilities").toFloatArray();
          for (int b = 0; b < n; b++) {
            assertThat((double) p[3 * b] + p[3 * b + 1] + p[3 * b + 2]).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-6));
          }
        }
      }
    }
  }

  @Test
  void exportsThatCannotCarryThePipelineFailNamingWhy() {
    ModelSpec clash = new ModelSpec(new long[] {2}, List.of(),
        List.of(HeadSpec.dense("a", HeadKind.CLASSIFICATION, 2), HeadSpec.dense("a_probabilities", HeadKind.REGRESSION, 1)));
    assertThatThrownBy(() -> OnnxExport.toBytes(clash, Weights.initialize(clash, 1), Map.of(), null,
        OnnxPipeline.features(null, null)))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("head 'a_probabilities'")
        .hasMessageContaining("rename the head");
    ModelSpec iris = Models.iris();
    assertThatThrownBy(() -> OnnxExport.toBytes(iris, Weights.initialize(iris, 1), Map.of(), null,
        OnnxPipeline.features(new float[] {0, 0}, new float[] {1, 1})))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("2 means but the model's input [3] has 3 values");
    assertThatThrownBy(() -> OnnxExport.toBytes(iris, Weights.initialize(iris, 1), Map.of(), null,
        OnnxPipeline.image(null, null)))
        .isInstanceOf(HoldoutException.class).hasMessageContaining("cannot export an image input");
    assertThatThrownBy(() -> OnnxPipeline.features(new float[] {0}, new float[] {0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("std 0.0");
  }

  static EvalResult eval(ModelSpec spec, Weights w, Batch b) {
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("classification", "cross_entropy", 1.0, "label", "label")));
    try (TrainingSession s = TestBackends.ONNX.open(Fixtures.spec(spec, w, loss, null))) {
      return s.evalStep(b);
    }
  }

  /** Bilinear resize with half-pixel centres, sources below 0 clamped to the edge, in double. */
  static float[] bilinear(float[] src, int c, int h, int w, int oh, int ow) {
    float[] out = new float[c * oh * ow];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < oh; y++) {
        double sy = Math.min(Math.max((y + 0.5) * h / oh - 0.5, 0), h - 1);
        int y0 = (int) Math.floor(sy);
        int y1 = Math.min(y0 + 1, h - 1);
        double fy = sy - y0;
        for (int x = 0; x < ow; x++) {
          double sx = Math.min(Math.max((x + 0.5) * w / ow - 0.5, 0), w - 1);
          int x0 = (int) Math.floor(sx);
          int x1 = Math.min(x0 + 1, w - 1);
          double fx = sx - x0;
          int b = ch * h * w;
          double top = src[b + y0 * w + x0] * (1 - fx) + src[b + y0 * w + x1] * fx;
          double bot = src[b + y1 * w + x0] * (1 - fx) + src[b + y1 * w + x1] * fx;
          out[ch * oh * ow + y * ow + x] = (float) (top * (1 - fy) + bot * fy);
        }
      }
    }
    return out;
  }
}
