package io.holdout.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.backend.EvalResult;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.tensor.Batch;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.RunResult;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import io.holdout.losses.Baseline;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code report} callback: writes {@code baselines.json} when the run starts (what trivial
 * models score per loss component on val and test, so the report needs no data), collects a
 * detector's test detections for {@code test-detection-curves.json}, and once the run has finished
 * (its {@code test-report.json} written) builds {@code report.html} from the run folder. A report
 * that cannot be built is one console line, not a failed run; {@code holdout report RUN} retries.
 */
final class ReportWriter implements TrainingListener, AutoCloseable {
  private final Path runFolder;
  private final PrintStream console;
  private final Detection.Collector detections;
  private boolean ended;

  ReportWriter(Path runFolder, PrintStream console, Map<String, List<Baseline>> val, Map<String, List<Baseline>> test,
      Detection.Collector detections) {
    this.runFolder = runFolder;
    this.console = console;
    this.detections = detections;
    Path file = runFolder.resolve(RunFiles.BASELINES);
    if (!Files.exists(file)) {
      ObjectNode o = RunFiles.JSON.createObjectNode();
      put(o.putObject("val"), val);
      put(o.putObject("test"), test);
      AtomicFiles.writeString(file, o.toPrettyString());
    }
  }

  private static void put(ObjectNode o, Map<String, List<Baseline>> baselines) {
    baselines.forEach((component, list) -> {
      ArrayNode a = o.putArray(component);
      for (Baseline b : list) {
        ObjectNode e = a.addObject();
        e.put("label", b.label());
        if (Double.isFinite(b.value())) {
          e.put("value", b.value());
        } else {
          e.putNull("value");
        }
        e.put("detail", b.detail());
      }
    });
  }

  @Override
  public void onEvalBatch(TrainingContext ctx, String split, Batch batch, EvalResult result) {
    if (detections != null) {
      detections.onEvalBatch(ctx, split, batch, result);
    }
  }

  @Override
  public void onTestEnd(TrainingContext ctx, EvalSummary summary) {
    if (detections != null) {
      detections.onTestEnd(ctx, summary);
    }
  }

  @Override
  public void onEnd(TrainingContext ctx, RunResult result) {
    ended = true;
  }

  /** After the run's last file: builds the page when the run finished. */
  @Override
  public void close() {
    if (!ended || !Files.exists(runFolder.resolve(RunFolder.TEST_REPORT))) {
      return;
    }
    try {
      Report.write(runFolder);
    } catch (RuntimeException e) {
      console.println("report  " + Report.FILE + " not written (" + e.getMessage() + "); `holdout report " + runFolder
          + "` tries again");
    }
  }
}
