package io.holdout.testbackend;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.engine.pytorch.PyTorchBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately wrong backend, in test scope only: PyTorch, except that the update of every
 * multi-scale head's convolution on its second tap is scaled by {@value #FACTOR}, as if the engine's
 * convolution backward lost part of that gradient (the failure seen on one machine with oneDNN).
 * Forward passes are exact, so only gradient checks can see it.
 */
public final class PerturbedBackend implements Backend {
  public static final String NAME = "perturbed";

  static final double FACTOR = 0.7;

  private final PyTorchBackend engine = new PyTorchBackend();

  /** Its ServiceLoader entry. */
  public static final class Provider implements BackendProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public String artifact() {
      return "holdout-cli (test scope)";
    }

    @Override
    public Module module() {
      return new AbstractModule() {
        @Override
        protected void configure() {
          bind(Backend.class).toInstance(new PerturbedBackend());
        }
      };
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>(engine.versions());
    v.put("perturbation", "second-tap head gradients x" + FACTOR);
    return v;
  }

  @Override
  public Capabilities capabilities() {
    return engine.capabilities();
  }

  @Override
  public TrainingSession open(SessionSpec spec) {
    capabilities().check(NAME, spec);
    List<String> targets = spec.model().heads().stream().filter(h -> h.isMultiScale() && h.taps().size() > 1
        && h.predictor() == HeadSpec.Predictor.CONV)
        .map(HeadSpec::name).map(h -> "heads." + h + ".1.weight").toList();
    TrainingSession s = engine.open(spec);
    return new TrainingSession() {
      @Override
      public LossBreakdown trainStep(Batch batch) {
        Weights before = targets.isEmpty() ? null : s.weights();
        LossBreakdown lb = s.trainStep(batch);
        if (before != null) {
          Map<String, Tensor> w = new LinkedHashMap<>(s.weights().tensors());
          for (String t : targets) {
            float[] a = before.get(t).toFloatArray();
            float[] b = w.get(t).toFloatArray();
            for (int i = 0; i < a.length; i++) {
              b[i] = (float) (a[i] + FACTOR * (b[i] - a[i]));
            }
            w.put(t, Tensor.ofFloats(w.get(t).shape(), b));
          }
          s.loadWeights(new Weights(w));
        }
        return lb;
      }

      @Override
      public EvalResult evalStep(Batch batch) {
        return s.evalStep(batch);
      }

      @Override
      public Weights weights() {
        return s.weights();
      }

      @Override
      public void loadWeights(Weights weights) {
        s.loadWeights(weights);
      }

      @Override
      public Map<String, Tensor> trainingState() {
        return s.trainingState();
      }

      @Override
      public void loadTrainingState(Map<String, Tensor> state) {
        s.loadTrainingState(state);
      }

      @Override
      public double learningRate() {
        return s.learningRate();
      }

      @Override
      public void setLearningRate(double lr) {
        s.setLearningRate(lr);
      }

      @Override
      public String device() {
        return s.device();
      }

      @Override
      public void close() {
        s.close();
      }
    };
  }
}
