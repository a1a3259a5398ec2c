package io.holdout.api.train;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Backends;
import io.holdout.api.export.ExporterProvider;
import io.holdout.api.export.Exporters;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.api.optim.StandardRules;

/**
 * The api's own parts, registered like any user's: the learning-rate schedules {@code constant},
 * {@code step}, {@code multistep} and {@code cosine}; and every engine ({@link BackendProvider}) and
 * export format ({@link ExporterProvider}) whose module is on the class path, found by
 * ServiceLoader; and the optimizers {@code sgd}, {@code adam} and {@code adamw} ({@link
 * StandardRules}; engines run them natively).
 */
public final class CorePlugin implements Plugin {
  @Override
  public String name() {
    return "core";
  }

  @Override
  public void register(Registry r) {
    Backends.discover().forEach(r::backend);
    Exporters.discover().forEach(r::exporter);
    r.optimizer("sgd", c -> {
      c.requireOnly(java.util.List.of("lr", "momentum", "nesterov", "weightDecay", "clipNorm"));
      decay(c.weightDecay());
      if (!(c.momentum() >= 0)) {
        throw new HoldoutException("'optimizer.momentum' must be >= 0, got " + c.momentum());
      }
      if (c.nesterov() && !(c.momentum() > 0)) {
        throw new HoldoutException("'optimizer.nesterov' needs 'optimizer.momentum' > 0");
      }
      return StandardRules.sgd(c.momentum(), c.nesterov(), c.weightDecay());
    });
    r.optimizer("adam", c -> adam(c, false));
    r.optimizer("adamw", c -> adam(c, true));
    r.schedule("constant", c -> new LrSchedule.Constant());
    r.schedule("step", c -> {
      if (c.stepEpochs() == null || c.stepEpochs() <= 0) {
        throw new HoldoutException("'trainer.schedule.stepEpochs' must be > 0 for a step schedule");
      }
      return new LrSchedule.Step(c.stepEpochs(), gamma(c.gamma()));
    });
    r.schedule("multistep", c -> {
      if (c.milestones() == null || c.milestones().isEmpty()) {
        throw new HoldoutException("'trainer.schedule.milestones' is needed for a multistep schedule");
      }
      return new LrSchedule.MultiStep(c.milestones(), gamma(c.gamma()));
    });
    r.schedule("cosine", c -> new LrSchedule.Cosine(c.warmupEpochs() == null ? 0 : c.warmupEpochs(),
        c.minLr() == null ? 0 : c.minLr()));
  }

  private static io.holdout.api.optim.UpdateRule adam(io.holdout.api.config.OptimizerConfig c, boolean decoupled) {
    c.requireOnly(java.util.List.of("lr", "beta1", "beta2", "eps", "weightDecay", "clipNorm"));
    decay(c.weightDecay());
    for (String k : java.util.List.of("beta1", "beta2")) {
      double b = k.equals("beta1") ? c.beta1() : c.beta2();
      if (!(b >= 0 && b < 1)) {
        throw new HoldoutException("'optimizer." + k + "' must be in [0, 1), got " + b);
      }
    }
    if (!(c.eps() >= 0)) {
      throw new HoldoutException("'optimizer.eps' must be >= 0, got " + c.eps());
    }
    return StandardRules.adam(c.beta1(), c.beta2(), c.eps(), c.weightDecay(), decoupled);
  }

  private static void decay(Double wd) {
    if (!(wd >= 0)) {
      throw new HoldoutException("'optimizer.weightDecay' must be >= 0, got " + wd);
    }
  }

  private static double gamma(Double g) {
    if (g == null || !(g > 0)) {
      throw new HoldoutException("'trainer.schedule.gamma' must be > 0, got " + g);
    }
    return g;
  }
}
