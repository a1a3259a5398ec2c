package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.TrainerConfig;
import io.holdout.api.data.Split;
import io.holdout.api.extension.CallbackContext;
import io.holdout.api.extension.MetricFactory;
import io.holdout.api.extension.Plugin;
import io.holdout.api.extension.Registry;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run's own parts, registered like a user's: the default callbacks that write a run's outputs,
 * in the order they run,
 *
 * <ul>
 *   <li>{@code console}: the plan, one line per epoch with baselines, decisions and the test;
 *   <li>{@code metrics_csv}: {@code metrics.csv} (rewritten from the checkpoint on resume);
 *   <li>{@code curves}: {@code curves.png} at the end;
 *   <li>{@code tensorboard}: TensorBoard scalars per epoch in {@code tensorboard/events.out.tfevents.*};
 *   <li>{@code test_predictions}: {@code test-predictions.csv}, per sample, worst first;
 *   <li>{@code progress}: progress within an epoch, as {@code trainer.progress} says ({@code none}:
 *       nothing);
 *   <li>{@code checkpoints}: {@code checkpoints/last} and {@code best}, when {@code
 *       trainer.checkpoints} is on;
 *   <li>{@code report}: {@code baselines.json} at the start, {@code report.html} once the run has
 *       finished (and a detector's {@code test-detection-curves.json});
 * </ul>
 *
 * <p>and the detection metric {@code map}, which reads the run's {@code detection} section.
 */
public final class RunPlugin implements Plugin {
  /** The default callbacks, in the order they run. */
  public static final List<String> CALLBACKS =
      List.of("console", "metrics_csv", "curves", "tensorboard", "test_predictions", "progress",
          "checkpoints", "report");

  @Override
  public String name() {
    return "cli";
  }

  @Override
  public void register(Registry r) {
    r.defaultCallback("console", c -> {
      inRun(c);
      Baselines b = baselines(c);
      return new ConsoleReporter(c.console(), b.val(), b.test()).unit(c.unit());
    });
    r.defaultCallback("metrics_csv", c -> {
      java.nio.file.Path file = c.runFolder().resolve(RunFolder.METRICS_CSV);
      if (!c.resumed()) {
        return new MetricsCsv(file, c.lossComponents(), c.metrics());
      }
      try {
        return MetricsCsv.resume(file, c.lossComponents(), c.metrics(), c.history());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot rewrite " + file, e);
      }
    });
    r.defaultCallback("curves", c -> new Curves(c.runFolder().resolve("curves.png"), c.lossComponents(),
        c.history()));
    r.defaultCallback("tensorboard", c -> new TensorBoard(c.runFolder(), c.lossComponents(), c.unit(),
        c.history().isEmpty() ? 0 : c.history().get(c.history().size() - 1).epoch()));
    r.defaultCallback("test_predictions", c -> {
      inRun(c);
      return predictions(c, Split.TEST);
    });
    r.defaultCallback("progress", c -> {
      TrainerConfig t = c.config().config().trainer();
      // YAML reads an unquoted off/no as false
      if (Set.of("none", "off", "false").contains(t.progress())) {
        return off();
      }
      return new Progress(Progress.wantsBar(t.progress()), c.console(), t.progressSeconds());
    });
    r.defaultCallback("checkpoints", c -> {
      if (!c.config().config().trainer().checkpoints()) {
        return off();
      }
      CallbackContext.Identity i = c.identity();
      if (i == null) {
        throw new HoldoutException("checkpoints need the run's identity (config, split and data hashes)");
      }
      return new Checkpoints(c.runFolder(), new RunIdentity(i.configHash(), i.configYaml(), i.splitHash(),
          i.dataHash()), c.monitorKey() == null ? "none" : c.monitorKey());
    });
    r.defaultCallback("report", c -> {
      inRun(c);
      Baselines b = baselines(c);
      var detection = c.config().config().detection();
      Detection.Collector collector = detection == null ? null : new Detection.Collector(c.runFolder(),
          DetectionSetup.of(detection, c.model(), c.config().source().toString()), classNames(c));
      return new ReportWriter(c.runFolder(), c.console(), b.val(), b.test(), collector);
    });
    r.metric("map", MetricFactory.inContext((m, run) -> {
      if (run.config().config().detection() == null) {
        throw new HoldoutException("map needs a 'detection' section (anchors, box encoding, NMS)");
      }
      String file = run.config().source().toString();
      return DetectionSetup.of(run.config().config().detection(), run.model(), file).metric(m);
    }));
  }

  /** What trivial models score per component on val and test. */
  private record Baselines(Map<String, List<io.holdout.losses.Baseline>> val,
      Map<String, List<io.holdout.losses.Baseline>> test) {}

  private CallbackContext baselinesFor;
  private Baselines baselines;

  /** The run's baselines, computed once per run for the console and the report (a pass over val and test). */
  private synchronized Baselines baselines(CallbackContext c) {
    if (baselinesFor != c) {
      baselines = new Baselines(SplitTargets.baselines(c.loss(), c.model(), c.train(), c.val()),
          SplitTargets.baselines(c.loss(), c.model(), c.train(), c.test()));
      baselinesFor = c;
    }
    return baselines;
  }

  private static List<String> classNames(CallbackContext c) {
    return c.schema().targets().values().stream().filter(t -> !t.classes().isEmpty()).findFirst()
        .map(t -> t.classes()).orElse(List.of());
  }

  /** A callback the config switched off by its own key ({@code trainer.progress: none}, ...). */
  private static TrainingListener off() {
    return new TrainingListener() {};
  }

  private static void inRun(CallbackContext c) {
    if (c.loss() == null || c.model() == null || c.schema() == null || c.train() == null) {
      throw new HoldoutException("this callback needs a run's loss, model and data (a context with them)");
    }
  }

  /** The per-sample results of {@code split}, as the run's loss, model and detection section give them. */
  private static Predictions predictions(CallbackContext c, String split) {
    Map<String, Boolean> classification = new LinkedHashMap<>();
    for (HeadSpec h : c.model().heads()) {
      classification.put(h.name(), h.kind() == HeadKind.CLASSIFICATION);
    }
    java.nio.file.Path file = c.runFolder().resolve(split + "-predictions.csv");
    var detection = c.config().config().detection();
    if (detection == null) {
      return new Predictions(split, file, c.loss(), classification);
    }
    List<String> classes = c.schema().targets().values().stream().filter(t -> !t.classes().isEmpty()).findFirst()
        .map(t -> t.classes()).orElse(List.of());
    return new Predictions(split, file, c.loss(), classification,
        DetectionSetup.of(detection, c.model(), c.config().source().toString()), classes);
  }
}
