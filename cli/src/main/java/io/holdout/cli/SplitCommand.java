package io.holdout.cli;

import io.holdout.api.config.ConfigLoader;
import io.holdout.api.config.LoadedConfig;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.datasets.Datasets;
import io.holdout.run.DataSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdout split CONFIG.yaml}: look at the split before training on it. */
@Command(name = "split", mixinStandardHelpOptions = true,
    description = {
      "Show how a config splits its data: samples per split, class distribution per split,",
      "identical samples found on two sides (leaks), and steps per epoch for the batch size.",
      "With --write FILE, also writes the split manifest (feed it back with split.type: manifest)."})
final class SplitCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "The experiment config.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--write", paramLabel = "FILE", description = "Write the split manifest (JSON) here.")
  Path write;

  @Option(names = "--verbose", description = "Show stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    LoadedConfig loaded = ConfigLoader.load(config, overrides);
    try (DataSetup d = DataSetup.build(loaded)) {
      Dataset all = d.dataset();
      Split split = d.split();
      String path = loaded.config().data().path();
      out.printf(Locale.ROOT, "data     %s (%s): %d samples%n", path != null ? path : "generated",
          loaded.config().data().source(), all.size());
      out.printf(Locale.ROOT, "split    %s, seed %d, hash %s%n", split.method(), split.seed(), split.hash());
      for (String part : List.of(Split.TRAIN, Split.VAL, Split.TEST)) {
        out.printf(Locale.ROOT, "  %-5s  %6d samples (%.1f%%)%n", part, split.size(part), 100.0 * split.size(part) / all.size());
      }
      for (Map.Entry<String, TargetInfo> e : all.schema().targets().entrySet()) {
        if (e.getValue().kind() != TargetKind.CLASS) {
          continue;
        }
        List<String> classes = e.getValue().classes();
        long[] labels = Datasets.labels(all, e.getKey());
        out.printf(Locale.ROOT, "classes of '%s' per split:%n", e.getKey());
        out.printf(Locale.ROOT, "  %-16s %8s %8s %8s%n", "", Split.TRAIN, Split.VAL, Split.TEST);
        for (int c = 0; c < classes.size(); c++) {
          StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-16s", classes.get(c)));
          for (String part : List.of(Split.TRAIN, Split.VAL, Split.TEST)) {
            int n = 0;
            int[] idx = split.part(part);
            for (int i : idx) {
              if (labels[i] == c) {
                n++;
              }
            }
            row.append(idx.length == 0 ? String.format(Locale.ROOT, " %8s", "-")
                : String.format(Locale.ROOT, " %4d %2.0f%%", n, 100.0 * n / idx.length));
          }
          out.println(row);
        }
      }
      out.println(d.leakage().summary(10));
      int b = loaded.config().loader().batchSize();
      int n = d.train().size();
      out.printf(Locale.ROOT, "batch    %d -> %d steps per epoch (%s(%d / %d))%n", b, d.train().stepsPerEpoch(),
          loaded.config().loader().dropLast() ? "floor" : "ceil", n, b);
      if (write != null) {
        d.manifest().write(write);
        out.println("manifest written to " + write);
      }
    }
    return 0;
  }
}
