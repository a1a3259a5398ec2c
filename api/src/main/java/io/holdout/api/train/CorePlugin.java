package io.holdout.api.train;

import io.holdout.api.HoldoutException;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Backends;
import io.holdout.api.export.ExporterProvider;
import io.holdout.api.export.Exporters;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;

/**
 * The api's own parts, registered like any user's: the learning-rate schedules {@code constant},
 * {@code step}, {@code multistep} and {@code cosine}; and every engine ({@link BackendProvider}) and
 * export format ({@link ExporterProvider}) whose module is on the class path, found by
 * ServiceLoader.
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

  private static double gamma(Double g) {
    if (g == null || !(g > 0)) {
      throw new HoldoutException("'trainer.schedule.gamma' must be > 0, got " + g);
    }
    return g;
  }
}
