package io.holdout.engine.onnx;

import static io.holdout.checks.Fixtures.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.GeneratedMessageV3;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported files opened directly with ONNX Runtime's Java API (not through {@link OnnxSession}):
 * input and output names, the dynamic batch dimension, the metadata, predictions equal to the
 * backend's and PyTorch's, and SSD box decoding against a hand computation.
 */
class OnnxExportTest {
  static final Map<String, String> META = Map.of("holdout.version", "0.1.0-SNAPSHOT", "holdout.config_sha256", "ab12cd");

  @TempDir
  Path dir;

  @Test
  void anExportedMlpRunsStandaloneWithADynamicBatchAndMetadata() throws Exception {
    ModelSpec spec = Models.iris();
    Weights w = Weights.initialize(spec, 42);
    Path file = dir.resolve("iris.onnx");
    OnnxExport.write(file, spec, w, META);

    // the file parses with the compiled ONNX classes on this build's protobuf-java
    ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(file));
    assertThat(proto).isInstanceOf(GeneratedMessageV3.class);
    assertThat(proto.getOpsetImport(0).getVersion()).isEqualTo(18);
    assertThat(proto.getIrVersion()).isEqualTo(8);
    assertThat(proto.getProducerName()).isEqualTo("holdout");
    assertThat(proto.getGraph().getInitializerList()).extracting(t -> t.getName())
        .containsExactlyElementsOf(spec.parameters().stream().map(p -> p.name()).toList());

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession s = env.createSession(file.toString(), o)) {
      assertThat(s.getInputNames()).containsExactly(Batch.INPUT);
      assertThat(s.getOutputNames()).containsExactly("species", "petal_width");
      TensorInfo in = (TensorInfo) s.getInputInfo().get(Batch.INPUT).getInfo();
      assertThat(in.getShape()).containsExactly(-1, 3);
      assertThat(in.getDimensionNames()[0]).isEqualTo("batch");
      assertThat(((TensorInfo) s.getOutputInfo().get("species").getInfo()).getShape()).containsExactly(-1, 3);
      assertThat(s.getMetadata().getProducerName()).isEqualTo("holdout");
      assertThat(s.getMetadata().getCustomMetadata()).containsExactlyInAnyOrderEntriesOf(META);

      for (int n : new int[] {1, 5}) {
        Batch b = Models.irisBatch(n, 10 + n);
        Map<String, float[]> direct = run(env, s, b.input());
        EvalResult onnx = eval(TestBackends.ONNX, spec, w, b);
        EvalResult torch = eval(TestBackends.PYTORCH, spec, w, b);
        for (String head : List.of("species", "petal_width")) {
          assertThat(direct.get(head)).as("batch %d, %s", n, head).hasSize(n * spec.head(head).units());
          close(direct.get(head), onnx.outputs().get(head).toFloatArray(), 1e-6, "onnx session " + head);
          close(direct.get(head), torch.outputs().get(head).toFloatArray(), 1e-5, "pytorch " + head);
        }
      }
    }
  }

  @Test
  void modelFileValidatesAndRunsWhatItDeclares() {
    ModelSpec spec = Models.iris();
    Weights w = Weights.initialize(spec, 1);
    Path file = dir.resolve("m.onnx");
    OnnxExport.write(file, spec, w, META);
    ModelFileInfo info = OnnxModelFile.validate(file);
    assertThat(info.source()).isEqualTo(file.toString());
    assertThat(info.producer()).isEqualTo("holdout");
    assertThat(info.metadata()).containsExactlyInAnyOrderEntriesOf(META);
    assertThat(info.inputs().get(Batch.INPUT)).containsExactly(-1, 3);
    assertThat(info.outputs().keySet()).containsExactly("species", "petal_width");
    info.checkFits(spec);
    Batch b = Models.irisBatch(4, 2);
    try (OnnxModelFile f = OnnxModelFile.open(file)) {
      Map<String, Tensor> out = f.run(b.input());
      assertThat(out.get("species").shape()).containsExactly(4, 3);
      close(out.get("species").toFloatArray(), eval(TestBackends.ONNX, spec, w, b).outputs().get("species").toFloatArray(),
          1e-6, "species");
    }
  }

  @Test
  void anSsdExportDecodesBoxesAsTheHandComputationAndLeavesNmsToJava() throws Exception {
    ModelSpec spec = Models.detector();
    float[] anchors = anchors();
    Weights w = Models.withBatchNormStatistics(spec, 3);
    Path file = dir.resolve("ssd.onnx");
    OnnxExport.write(file, spec, w, META, SsdDecoding.ssd(anchors));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
      assertThat(s.getOutputNames()).containsExactly("loc", "conf", "boxes", "scores");
      assertThat(((TensorInfo) s.getOutputInfo().get("boxes").getInfo()).getShape())
          .containsExactly(-1, Models.ANCHORS, 4);
      assertThat(((TensorInfo) s.getOutputInfo().get("scores").getInfo()).getShape())
          .containsExactly(-1, Models.ANCHORS, 3);
      Batch b = Models.detections(2, 8);
      Map<String, float[]> out = run(env, s, b.input());
      EvalResult torch = eval(TestBackends.PYTORCH, spec, w, b);
      close(out.get("loc"), torch.outputs().get("loc").toFloatArray(), 1e-5, "loc");
      close(out.get("conf"), torch.outputs().get("conf").toFloatArray(), 1e-5, "conf");
      // every anchor of both images, decoded in double precision from the raw offsets
      float[] loc = out.get("loc");
      float[] conf = out.get("conf");
      float[] boxes = out.get("boxes");
      float[] scores = out.get("scores");
      for (int i = 0; i < 2 * Models.ANCHORS; i++) {
        int a = i % Models.ANCHORS;
        double[] e = decode(Arrays.copyOfRange(loc, 4 * i, 4 * i + 4), Arrays.copyOfRange(anchors, 4 * a, 4 * a + 4));
        for (int j = 0; j < 4; j++) {
          assertThat((double) boxes[4 * i + j]).as("box %d coordinate %d", i, j).isCloseTo(e[j], within(1e-5));
        }
        double max = Math.max(conf[3 * i], Math.max(conf[3 * i + 1], conf[3 * i + 2]));
        double sum = 0;
        for (int c = 0; c < 3; c++) {
          sum += Math.exp(conf[3 * i + c] - max);
        }
        for (int c = 0; c < 3; c++) {
          assertThat((double) scores[3 * i + c]).isCloseTo(Math.exp(conf[3 * i + c] - max) / sum, within(1e-6));
        }
      }
    }
  }

  @Test
  void decodedBoxOfKnownOffsetsIsTheHandComputedOne() throws Exception {
    ModelSpec spec = Models.detector();
    // box head: zero kernels, biases holding the offsets, so every cell predicts the same per slot
    Map<String, Tensor> t = new LinkedHashMap<>(Weights.initialize(spec, 1).tensors());
    float[] offsets = {0.5f, -1f, 0.2f, 0.1f, /* slot 1 */ -0.3f, 0.4f, -0.5f, 1.5f};
    float[] logits = {1f, 0f, -1f, /* slot 1 */ 0f, 2f, 0f};
    for (int tap = 0; tap < 2; tap++) {
      t.put("heads.loc." + tap + ".weight", Tensor.zeros(io.holdout.api.tensor.DType.FLOAT32, 8, 8, 3, 3));
      t.put("heads.loc." + tap + ".bias", floats(offsets, 8));
      t.put("heads.conf." + tap + ".weight", Tensor.zeros(io.holdout.api.tensor.DType.FLOAT32, 6, 8, 3, 3));
      t.put("heads.conf." + tap + ".bias", floats(logits, 6));
    }
    float[] anchors = anchors();
    byte[] bytes = OnnxExport.toBytes(spec, new Weights(t), Map.of(), SsdDecoding.ssd(anchors));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(bytes, new OrtSession.SessionOptions())) {
      Map<String, float[]> out = run(env, s, Models.detections(1, 1).input());
      // anchor 0: cell (0, 0) of the 8×8 map, slot 0, (cx, cy, w, h) = (1/16, 1/16, 0.3, 0.3)
      assertThat(Arrays.copyOfRange(anchors, 0, 4)).containsExactly(0.0625f, 0.0625f, 0.3f, 0.3f);
      double cx = 0.0625 + 0.5 * 0.1 * 0.3;
      double cy = 0.0625 - 1.0 * 0.1 * 0.3;
      double w = 0.3 * Math.exp(0.2 * 0.2);
      double h = 0.3 * Math.exp(0.1 * 0.2);
      assertThat(cx - w / 2).isNegative(); // clipped to 0
      assertThat(Arrays.copyOfRange(out.get("boxes"), 0, 4)).containsExactly(
          new float[] {0f, 0f, (float) (cx + w / 2), (float) (cy + h / 2)}, org.assertj.core.data.Offset.offset(1e-6f));
      // anchor 1: the same cell, slot 1 (cx, cy, w, h) = (1/16, 1/16, 0.3·√2, 0.3/√2)
      double aw = 0.3 * Math.sqrt(2);
      double ah = 0.3 / Math.sqrt(2);
      double cx1 = 0.0625 - 0.3 * 0.1 * aw;
      double cy1 = 0.0625 + 0.4 * 0.1 * ah;
      double w1 = aw * Math.exp(-0.5 * 0.2);
      double h1 = ah * Math.exp(1.5 * 0.2);
      assertThat(Arrays.copyOfRange(out.get("boxes"), 4, 8)).containsExactly(
          new float[] {0f, 0f, (float) (cx1 + w1 / 2), (float) (cy1 + h1 / 2)}, org.assertj.core.data.Offset.offset(1e-6f));
      double z = Math.E + 1 + 1 / Math.E;
      assertThat(Arrays.copyOfRange(out.get("scores"), 0, 3)).containsExactly(
          new float[] {(float) (Math.E / z), (float) (1 / z), (float) (1 / Math.E / z)},
          org.assertj.core.data.Offset.offset(1e-6f));
      // the last anchor: cell (3, 3) of the 4×4 map, slot 1, centre (7/8, 7/8), size 0.6·√2 × 0.6/√2
      int last = Models.ANCHORS - 1;
      double lw = 0.6 * Math.sqrt(2);
      double lh = 0.6 / Math.sqrt(2);
      double lcx = 0.875 - 0.3 * 0.1 * lw;
      double lcy = 0.875 + 0.4 * 0.1 * lh;
      double ww = lw * Math.exp(-0.5 * 0.2);
      double hh = lh * Math.exp(1.5 * 0.2);
      assertThat(Arrays.copyOfRange(out.get("boxes"), 4 * last, 4 * last + 4)).containsExactly(
          new float[] {(float) (lcx - ww / 2), (float) Math.max(0, lcy - hh / 2), 1f, 1f},
          org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void exportsThatCannotBeWrittenFailNamingWhy() {
    ModelSpec spec = Models.iris();
    Map<String, Tensor> bad = new LinkedHashMap<>(Weights.initialize(spec, 1).tensors());
    bad.put("trunk.3.weight", floats(new float[32 * 31], 32, 31));
    assertThatThrownBy(() -> OnnxExport.toBytes(spec, new Weights(bad), META))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("trunk.3.weight")
        .hasMessageContaining("[32, 31]")
        .hasMessageContaining("[32, 32]");
    ModelSpec named = new ModelSpec(new long[] {2}, List.of(), List.of(HeadSpec.dense("input", HeadKind.REGRESSION, 1)));
    assertThatThrownBy(() -> OnnxExport.toBytes(named, Weights.initialize(named, 1), META))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("head 'input'");
    ModelSpec ssd = Models.detector();
    Weights w = Weights.initialize(ssd, 1);
    assertThatThrownBy(() -> OnnxExport.toBytes(ssd, w, META, SsdDecoding.ssd(new float[] {0.5f, 0.5f, 0.1f, 0.1f})))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("1 anchors given")
        .hasMessageContaining(String.valueOf(Models.ANCHORS));
    assertThatThrownBy(() -> OnnxExport.toBytes(ssd, w, META, new SsdDecoding("conf", "loc", anchors(), 0.1, 0.2)))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("head 'conf'")
        .hasMessageContaining("not 4 box offsets");
    ModelSpec flat = new ModelSpec(new long[] {1, 4, 4}, List.of(new LayerSpec.Flatten()),
        List.of(HeadSpec.dense("loc", HeadKind.REGRESSION, 4), HeadSpec.dense("conf", HeadKind.CLASSIFICATION, 3)));
    assertThatThrownBy(() -> OnnxExport.toBytes(flat, Weights.initialize(flat, 1), META, SsdDecoding.ssd(anchors())))
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining("not a multi-scale head");
  }

  /**
   * Anchors in {@link Models#detector()}'s row order: per feature map (8×8 with size 0.3, 4×4 with
   * size 0.6), row, column, then two slots: a square and a box of aspect ratio 2.
   */
  static float[] anchors() {
    float[] out = new float[Models.ANCHORS * 4];
    int o = 0;
    int[] maps = {8, 4};
    double[] sizes = {0.3, 0.6};
    for (int m = 0; m < 2; m++) {
      for (int y = 0; y < maps[m]; y++) {
        for (int x = 0; x < maps[m]; x++) {
          float cx = (float) ((x + 0.5) / maps[m]);
          float cy = (float) ((y + 0.5) / maps[m]);
          float[][] slots = {{(float) sizes[m], (float) sizes[m]},
              {(float) (sizes[m] * Math.sqrt(2)), (float) (sizes[m] / Math.sqrt(2))}};
          for (float[] wh : slots) {
            out[o++] = cx;
            out[o++] = cy;
            out[o++] = wh[0];
            out[o++] = wh[1];
          }
        }
      }
    }
    return out;
  }

  /** SSD decoding of one anchor in double precision: corners, clipped to [0, 1]. */
  static double[] decode(float[] t, float[] a) {
    double cx = a[0] + t[0] * 0.1 * a[2];
    double cy = a[1] + t[1] * 0.1 * a[3];
    double w = a[2] * Math.exp(Math.min(t[2] * 0.2, Math.log(1000.0 / 16)));
    double h = a[3] * Math.exp(Math.min(t[3] * 0.2, Math.log(1000.0 / 16)));
    double[] box = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
    for (int i = 0; i < 4; i++) {
      box[i] = Math.min(1, Math.max(0, box[i]));
    }
    return box;
  }

  /** Runs {@code s} on {@code input} fed as "input"; every output's values. */
  static Map<String, float[]> run(OrtEnvironment env, OrtSession s, Tensor input) throws Exception {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.toFloatArray()), input.shape());
        OrtSession.Result r = s.run(Map.of(Batch.INPUT, x))) {
      for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
        FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  static EvalResult eval(io.holdout.api.backend.Backend backend, ModelSpec spec, Weights w, Batch b) {
    io.holdout.api.loss.LossSpec loss = spec.heads().get(0).isMultiScale() ? Models.detectorLoss() : Models.irisLoss();
    try (TrainingSession s = backend.open(Fixtures.spec(spec, w, loss, null))) {
      return s.evalStep(b);
    }
  }

  static void close(float[] actual, float[] expected, double tol, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i]).as("%s[%d]", what, i).isCloseTo(expected[i], within(tol));
    }
  }
}
