package io.holdout.run;

import com.google.inject.Injector;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.config.ExperimentConfig;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.config.MetricConfig;
import io.holdout.api.config.Specs;
import io.holdout.api.data.Split;
import io.holdout.api.inject.Bootstrap;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.io.Safetensors;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.metrics.Metric;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.train.RunResult;
import io.holdout.api.train.Trainer;
import io.holdout.losses.LossCatalog;
import io.holdout.losses.metrics.MetricCatalog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one experiment from a loaded config: everything is built and checked first (backend, data,
 * model, loss, metrics, capabilities), and only then is the run folder created and training
 * started, so a bad config leaves nothing behind.
 */
public final class Experiment {
  private Experiment() {}

  /** Where the run was written and what it measured. */
  public record Outcome(Path runFolder, RunResult result) {}

  public static Outcome run(LoadedConfig loaded, PrintWriter out) {
    ExperimentConfig c = loaded.config();
    String file = loaded.source().toString();
    Injector injector = Bootstrap.injector(loaded);
    Backend backend = injector.getInstance(Backend.class);
    try (DataSetup data = DataSetup.build(loaded)) {
      ModelSpec model = Specs.model(c.model(), data.dataset().schema(), file);
      LossSpec loss = Specs.loss(c.loss());
      LossCatalog.validate(loss, file);
      Supplier<List<Metric>> metrics = metrics(c.metrics(), file);
      metrics.get();
      Weights init = Weights.initialize(model, c.seed());
      SessionSpec spec = new SessionSpec(model, init, loss, Specs.optimizer(c.optimizer()), Device.parse(c.device()),
          c.seed(), c.engine().intraOpThreads(), c.engine().interOpThreads());
      backend.capabilities().check(backend.name(), spec);

      RunFolder run = RunFolder.create(Path.of(c.runs()), c.name());
      AtomicFiles.writeString(run.file(RunFolder.CONFIG), loaded.resolvedYaml());
      writeSplit(run, data.split());
      if (data.standardizer() != null) {
        data.standardizer().write(run.file("standardizer.json"));
      }
      out.printf(Locale.ROOT, "data    %s: %d samples, input %s, targets %s%n", c.data().path(),
          data.dataset().size(), java.util.Arrays.toString(model.inputShape()), data.dataset().schema().targets().keySet());
      try (TrainingSession session = backend.open(spec);
          MetricsCsv csv = new MetricsCsv(run.file(RunFolder.METRICS_CSV), loss.names(), metricNames(metrics))) {
        out.printf(Locale.ROOT, "backend %s %s on %s%n", backend.name(), backend.versions(), session.device());
        out.flush();
        PrintStream console = new PrintStream(new WriterOutputStream(out), true, StandardCharsets.UTF_8);
        Trainer trainer = Trainer.builder()
            .setEpochs(c.trainer().epochs())
            .optMetrics(metrics)
            .addListener(new ConsoleReporter(console, name -> null))
            .addListener(csv)
            .build();
        RunResult result = trainer.fit(session, data.train(), data.val(), data.test());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "holdout");
        meta.put("config_hash", loaded.hash());
        meta.put("split_hash", data.split().hash());
        meta.put("backend", backend.name());
        Safetensors.write(run.file(RunFolder.WEIGHTS), session.weights().tensors(), meta);
        writeReport(run, result);
        console.flush();
        return new Outcome(run.dir(), result);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Supplier<List<Metric>> metrics(List<MetricConfig> configs, String file) {
    return () -> {
      List<Metric> out = new ArrayList<>();
      for (MetricConfig m : configs) {
        try {
          out.add(MetricCatalog.create(m.type(), m.output(), m.target(), m.params()));
        } catch (HoldoutException e) {
          throw new HoldoutException(file + ": metrics: " + e.getMessage());
        }
      }
      return out;
    };
  }

  private static List<String> metricNames(Supplier<List<Metric>> metrics) {
    return metrics.get().stream().map(Metric::name).toList();
  }

  private static void writeSplit(RunFolder run, Split split) {
    StringBuilder sb = new StringBuilder("{\n  \"method\": \"" + split.method() + "\",\n  \"seed\": " + split.seed()
        + ",\n  \"hash\": \"" + split.hash() + "\",\n  \"parts\": {");
    boolean first = true;
    for (Map.Entry<String, int[]> e : split.parts().entrySet()) {
      sb.append(first ? "\n" : ",\n").append("    \"").append(e.getKey()).append("\": ")
          .append(java.util.Arrays.toString(e.getValue()));
      first = false;
    }
    sb.append("\n  }\n}\n");
    AtomicFiles.writeString(run.file(RunFolder.SPLIT), sb.toString());
  }

  private static void writeReport(RunFolder run, RunResult r) {
    if (r.test() == null) {
      return;
    }
    StringBuilder sb = new StringBuilder("{\n  \"split\": \"test\",\n  \"evaluated\": \"once, after training\",\n");
    sb.append("  \"epochs\": ").append(r.epochs().size()).append(",\n");
    sb.append("  \"loss\": {\"total\": ").append(num(r.test().loss().total()));
    r.test().loss().raw().forEach((k, v) -> sb.append(", \"").append(k).append("\": ").append(num(v)));
    sb.append("},\n  \"metrics\": {");
    boolean first = true;
    for (Map.Entry<String, Double> e : r.test().metrics().entrySet()) {
      sb.append(first ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(num(e.getValue()));
      first = false;
    }
    sb.append("}\n}\n");
    AtomicFiles.writeString(run.file(RunFolder.TEST_REPORT), sb.toString());
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.9g", v) : "null";
  }

  /** Bridges the reporter's PrintStream onto the command's writer. */
  private static final class WriterOutputStream extends java.io.OutputStream {
    private final Writer writer;
    private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

    WriterOutputStream(Writer writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
      buf.write(b);
      if (b == '\n') {
        flush();
      }
    }

    @Override
    public void flush() throws IOException {
      writer.write(buf.toString(StandardCharsets.UTF_8));
      writer.flush();
      buf.reset();
    }
  }
}
