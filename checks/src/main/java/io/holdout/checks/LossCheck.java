package io.holdout.checks;

import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import io.holdout.checks.LossCases.LossCase;
import io.holdout.losses.reference.ReferenceLosses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link LossCase} on a backend against the pure-Java reference ({@link ReferenceLosses}): the
 * value, each sample's value, the numerator and count that exact split losses add up (see {@link
 * LossBreakdown}) and the gradient with respect to the prediction, within {@value #REL} relative.
 *
 * <p>The prediction is fed through a probe model whose output is exactly a given tensor: the input
 * is the one-hot id of each sample ({@code [B, B]} identity) and the only layer a dense head whose
 * weight {@code [units, B]} holds the prediction, transposed, with zero bias. The evaluation step
 * gives value and per-sample values; one plain SGD step at learning rate {@value #PROBE_LR} then
 * changes that weight by exactly {@code -lr · dLoss/dPrediction}, element by element.
 */
public final class LossCheck {
  /** Relative tolerance of values and gradients. */
  public static final double REL = 1e-5;

  static final double ABS = 1e-7;

  static final double PROBE_LR = 1000;

  private LossCheck() {}

  /** Runs the case; the gradient is checked where the backend trains with SGD. */
  public static CheckResult run(Backend backend, LossCase c, CheckSettings settings) {
    String title = "losses: " + c.title();
    Capabilities caps = backend.capabilities();
    if (!caps.supportsLoss(c.spec().type())) {
      return CheckResult.unsupported(backend.name(), title, "no loss '" + c.spec().type() + "'");
    }
    if (!caps.layers().contains("dense")) {
      return CheckResult.unsupported(backend.name(), title, "no layer 'dense' for the probe");
    }
    boolean trains = caps.training() && caps.optimizers().contains("sgd") && caps.trainsLayer("dense")
        && caps.trainsLoss(c.spec().type());
    LossSpec loss = new LossSpec(List.of(c.spec()));
    Map<String, Tensor> outputs = Map.of(c.spec().output(), c.prediction());
    double value = ReferenceLosses.value(c.spec(), outputs, c.batch());
    LossBreakdown reference = ReferenceLosses.breakdown(loss, outputs, c.batch());
    float[] perSample = ReferenceLosses.perSample(c.spec(), outputs, c.batch());

    int b = c.batch().size();
    int units = (int) (c.prediction().elementCount() / b);
    ModelSpec model = new ModelSpec(new long[] {b}, List.of(),
        List.of(HeadSpec.dense(c.spec().output(), HeadKind.REGRESSION, units)));
    String weightName = "heads." + c.spec().output() + ".0.weight";
    float[] pred = c.prediction().toFloatArray();
    float[] w = new float[units * b];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < units; j++) {
        w[j * b + i] = pred[i * units + j];
      }
    }
    Map<String, Tensor> weights = new LinkedHashMap<>();
    weights.put(weightName, Fixtures.floats(w, units, b));
    weights.put("heads." + c.spec().output() + ".0.bias", Tensor.zeros(DType.FLOAT32, units));
    float[] eye = new float[b * b];
    for (int i = 0; i < b; i++) {
      eye[i * b + i] = 1;
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>(c.batch().tensors());
    tensors.put(Batch.INPUT, Fixtures.floats(eye, b, b));
    Batch probe = new Batch(c.batch().ids(), tensors);

    String name = c.spec().name();
    Comparison cmp = new Comparison();
    try (TrainingSession s = backend.open(
        settings.spec(model, new Weights(weights), loss, trains ? Fixtures.sgd(PROBE_LR) : null))) {
      EvalResult r = s.evalStep(probe);
      cmp.values("probe output", r.outputs().get(c.spec().output()).toFloatArray(), Fixtures.toDoubles(pred), 0, 0);
      cmp.value("value", r.loss().raw(name), value, LayerCheck.lossRel(settings), LayerCheck.lossFloor(settings));
      cmp.value("numerator", r.loss().numerator(name), reference.numerator(name), LayerCheck.lossRel(settings), LayerCheck.lossFloor(settings));
      cmp.value("count", r.loss().count(name), reference.count(name), REL, 0);
      cmp.values("per-sample value", r.perSampleLosses().get(name), Fixtures.toDoubles(perSample), REL, ABS);
      if (trains) {
        double[] grad = ReferenceLosses.gradient(c.spec(), outputs, c.batch());
        LossBreakdown step = s.trainStep(probe);
        cmp.value("training-step value", step.raw(name), value, LayerCheck.lossRel(settings), LayerCheck.lossFloor(settings));
        cmp.value("training-step count", step.count(name), reference.count(name), REL, 0);
        float[] after = s.weights().get(weightName).toFloatArray();
        float[] g = new float[grad.length];
        for (int i = 0; i < b; i++) {
          for (int j = 0; j < units; j++) {
            g[i * units + j] = (float) (((double) w[j * b + i] - after[j * b + i]) / PROBE_LR);
          }
        }
        cmp.values("gradient", g, grad, REL, ABS);
      }
    }
    return cmp.result(backend.name(), title);
  }
}
