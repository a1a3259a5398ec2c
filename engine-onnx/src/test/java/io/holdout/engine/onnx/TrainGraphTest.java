package io.holdout.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.Fixtures;
import io.holdout.engine.pytorch.PyTorchBackend;
import io.holdout.losses.ResolvedLoss;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A whole training step as one ONNX graph on a stock ONNX Runtime, against the PyTorch backend from
 * the same initial weights on the same batches: an iris-shaped multi-task MLP (3 features, a
 * 3-class head with class-weighted cross-entropy, a regression head with MSE), SGD with momentum
 * and weight decay. The first step's loss components agree to 1e-5 relative and the weights after
 * 50 steps to 1e-4; parameters and optimizer state stay in ONNX Runtime between steps.
 */
class TrainGraphTest {
  @Test
  void fiftySgdStepsMatchPyTorch() throws Exception {
    ModelSpec model = new ModelSpec(new long[] {3},
        List.of(new LayerSpec.Dense(16), new LayerSpec.Relu(), new LayerSpec.Dense(16),
            new LayerSpec.Activation(LayerSpec.Activation.Fn.TANH)),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3),
            HeadSpec.dense("petal_width", HeadKind.REGRESSION, 1)));
    LossSpec loss = new LossSpec(List.of(
        new LossComponentSpec("regression", "mse", 0.5, "petal_width", "petal_width", Map.of()),
        new LossComponentSpec("classification", "cross_entropy", 1.0, "species", "species",
            Map.of("class_weights", List.of(1.0, 2.0, 0.5)))));
    OptimizerSpec sgd = new OptimizerSpec("sgd", 0.05, 0.9, false, 1e-3, 0.9, 0.999, 1e-8, 0);
    Weights w0 = Weights.initialize(model, 21);
    List<Batch> batches = batches(8, 16);

    Map<String, float[]> torchWeights = new LinkedHashMap<>();
    LossBreakdown torchFirst;
    try (TrainingSession s = new PyTorchBackend().open(Fixtures.spec(model, w0, loss, sgd))) {
      torchFirst = s.trainStep(batches.get(0));
      for (int step = 1; step < 50; step++) {
        s.trainStep(batches.get(step % batches.size()));
      }
      s.weights().tensors().forEach((k, v) -> torchWeights.put(k, v.toFloatArray()));
    }

    ResolvedLoss resolved = ResolvedLoss.resolve(loss, model);
    TrainGraph tg = TrainGraph.build(model, resolved, sgd, "test");
    assertThat(tg.trainable).hasSize(8);
    OrtEnvironment env = OrtRuntime.environment();
    Map<String, OnnxTensor> carried = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> p : tg.params.entrySet()) {
      carried.put(p.getKey(), tensor(env, w0.get(p.getKey()).toFloatArray(), p.getValue()));
    }
    for (Map.Entry<String, long[]> e : tg.state.entrySet()) {
      carried.put(e.getKey(), tensor(env, new float[(int) Tensor.elementCount(e.getValue())], e.getValue()));
    }
    float[] firstValues = null;
    OrtSession.Result previous = null;
    try (OrtSession s = OrtRuntime.session(tg.model, 1, 1)) {
      for (int step = 0; step < 50; step++) {
        Batch b = batches.get(step % batches.size());
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>(carried);
        List<OnnxTensor> owned = new ArrayList<>();
        owned.add(Feeds.floats(env, b.input()));
        feeds.put(Batch.INPUT, owned.get(owned.size() - 1));
        for (Map.Entry<String, String> e : tg.targets.floatInputs().entrySet()) {
          owned.add(Feeds.floats(env, b.get(e.getKey())));
          feeds.put(e.getValue(), owned.get(owned.size() - 1));
        }
        for (Map.Entry<String, String> e : tg.targets.labelInputs().entrySet()) {
          owned.add(Feeds.labels(env, b.get(e.getKey()), e.getKey()));
          feeds.put(e.getValue(), owned.get(owned.size() - 1));
        }
        for (Map.Entry<String, Double> e : OptimizerGraph.scalars(sgd, sgd.lr(), step + 1).entrySet()) {
          owned.add(tensor(env, new float[] {e.getValue().floatValue()}, new long[0]));
          feeds.put(e.getKey(), owned.get(owned.size() - 1));
        }
        OrtSession.Result r = s.run(feeds);
        owned.forEach(OnnxTensor::close);
        if (previous != null) {
          previous.close();
        } else {
          carried.values().forEach(OnnxTensor::close);
        }
        previous = r;
        if (step == 0) {
          firstValues = flat((OnnxTensor) r.get(TrainGraph.VALUES).orElseThrow());
        }
        Map<String, OnnxTensor> next = new LinkedHashMap<>();
        for (String p : tg.params.keySet()) {
          next.put(p, (OnnxTensor) r.get(TrainGraph.NEW + p).orElseThrow());
        }
        for (String st : tg.state.keySet()) {
          next.put(st, (OnnxTensor) r.get(TrainGraph.NEW + st).orElseThrow());
        }
        carried = next;
      }
      assertThat((double) firstValues[0]).isCloseTo(torchFirst.raw("regression"),
          org.assertj.core.api.Assertions.withinPercentage(1e-3));
      assertThat((double) firstValues[1]).isCloseTo(torchFirst.raw("classification"),
          org.assertj.core.api.Assertions.withinPercentage(1e-3));
      double worst = 0;
      for (String p : tg.params.keySet()) {
        float[] got = flat(carried.get(p));
        float[] want = torchWeights.get(p);
        for (int i = 0; i < want.length; i++) {
          worst = Math.max(worst, Math.abs(got[i] - want[i]));
        }
      }
      System.out.println("onnx vs pytorch after 50 SGD steps: largest weight difference " + worst);
      assertThat(worst).isLessThan(1e-4);
    } finally {
      if (previous != null) {
        previous.close();
      }
    }
  }

  /** Seeded batches: 3 features, a class label in [0, 3) and a number. */
  private static List<Batch> batches(int count, int size) {
    SplittableRandom r = new SplittableRandom(17);
    List<Batch> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      float[] x = Fixtures.normal(r, size * 3, 1);
      long[] y = new long[size];
      float[] t = new float[size];
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        y[i] = r.nextInt(3);
        t[i] = (float) (0.5 * x[3 * i] - 0.3 * y[i] + 0.1 * r.nextGaussian());
        ids.add("s" + k + "_" + i);
      }
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      tensors.put(Batch.INPUT, Tensor.ofFloats(new long[] {size, 3}, x));
      tensors.put("species", Tensor.ofLongs(new long[] {size}, y));
      tensors.put("petal_width", Tensor.ofFloats(new long[] {size, 1}, t));
      out.add(new Batch(ids, tensors));
    }
    return out;
  }

  private static OnnxTensor tensor(OrtEnvironment env, float[] v, long[] shape) throws Exception {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
  }

  private static float[] flat(OnnxTensor t) {
    FloatBuffer b = t.getFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }
}
