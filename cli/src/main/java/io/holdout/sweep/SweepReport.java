package io.holdout.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import io.holdout.api.io.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The sweep's outputs from its trials' folders: {@code trials.csv} (one row per trial, in plan
 * order), {@code ranking.md} (ranked on the val figure only; the chosen trial's test figure is the
 * sweep's one result) and the plots.
 */
final class SweepReport {
  static final String TRIALS_CSV = "trials.csv";
  static final String RANKING = "ranking.md";

  final SweepSpec spec;
  final List<TrialResult> results;
  final List<String> keys;
  final List<String> valColumns;
  final List<String> testColumns;

  SweepReport(SweepSpec spec, List<TrialResult> results) {
    this.spec = spec;
    this.results = List.copyOf(results);
    Set<String> k = new LinkedHashSet<>();
    results.forEach(r -> k.addAll(r.trial().values().keySet()));
    this.keys = List.copyOf(k);
    Set<String> v = new LinkedHashSet<>();
    v.add(spec.rankKey);
    results.stream().filter(TrialResult::ok).forEach(r -> r.valEpochs().forEach(row -> row.keySet().stream()
        .filter(c -> !List.of("lr", "seconds", "samples_per_s", "data_wait_s").contains(c) && !c.endsWith("_weighted"))
        .forEach(v::add)));
    this.valColumns = List.copyOf(v);
    Set<String> t = new LinkedHashSet<>();
    results.stream().filter(TrialResult::ok).forEach(r -> t.addAll(r.test().keySet()));
    this.testColumns = List.copyOf(t);
  }

  /** The ok trials, best first by the rank figure (ties: plan order). */
  List<TrialResult> ranked() {
    Comparator<TrialResult> byVal = Comparator.comparingDouble(r -> r.valAtBest(spec.rankKey, spec.rankKey,
        spec.maximise));
    if (spec.maximise) {
      byVal = byVal.reversed();
    }
    return results.stream().filter(TrialResult::ok)
        .filter(r -> !Double.isNaN(r.valAtBest(spec.rankKey, spec.rankKey, spec.maximise))).sorted(byVal).toList();
  }

  void writeAll(Path folder) {
    AtomicFiles.writeString(folder.resolve(TRIALS_CSV), csv());
    AtomicFiles.writeString(folder.resolve(RANKING), markdown());
    SweepPlots.write(folder, this);
  }

  String csv() {
    List<String> cols = new ArrayList<>(List.of("trial"));
    cols.addAll(keys);
    cols.addAll(List.of("status", "best_epoch", "epochs"));
    valColumns.forEach(c -> cols.add("val_" + c));
    for (String c : testColumns) {
      cols.add("test_" + c);
      if (results.stream().anyMatch(r -> r.testIntervals().containsKey(c))) {
        cols.add("test_" + c + "_low");
        cols.add("test_" + c + "_high");
      }
    }
    cols.addAll(List.of("samples_per_s", "seconds_per_epoch", "data_wait_share", "heap_peak_mb", "rss_peak_mb",
        "seconds", "error"));
    StringBuilder sb = new StringBuilder(String.join(",", cols.stream().map(SweepReport::csvText).toList()))
        .append('\n');
    for (TrialResult r : results) {
      List<String> v = new ArrayList<>();
      v.add(r.trial().id());
      for (String k : keys) {
        JsonNode n = r.trial().values().get(k);
        v.add(n == null ? "" : SweepSpec.text(n));
      }
      v.add(r.status());
      int best = r.bestEpoch(spec.rankKey, spec.maximise);
      v.add(best == 0 ? "" : String.valueOf(best));
      v.add(r.valEpochs().isEmpty() ? "" : String.valueOf(r.valEpochs().size()));
      valColumns.forEach(c -> v.add(num(r.valAtBest(c, spec.rankKey, spec.maximise))));
      for (String c : testColumns) {
        v.add(num(r.test().getOrDefault(c, Double.NaN)));
        if (results.stream().anyMatch(x -> x.testIntervals().containsKey(c))) {
          double[] ci = r.testIntervals().get(c);
          v.add(ci == null ? "" : num(ci[0]));
          v.add(ci == null ? "" : num(ci[1]));
        }
      }
      v.add(num(r.samplesPerSecond()));
      v.add(num(r.secondsPerEpoch()));
      v.add(num(r.dataWaitShare()));
      v.add(num(r.heapPeakMb()));
      v.add(num(r.rssPeakMb()));
      v.add(num(r.seconds()));
      v.add(r.error());
      sb.append(String.join(",", v.stream().map(SweepReport::csvText).toList())).append('\n');
    }
    return sb.toString();
  }

  /** The sentence that reports the sweep's result: the chosen trial's test figure, and only it. */
  String result() {
    List<TrialResult> ranked = ranked();
    if (ranked.isEmpty()) {
      return "no trial finished with a val." + spec.rankKey + " figure: nothing to choose";
    }
    TrialResult best = ranked.get(0);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "chosen %s by val.%s %s (%s, epoch %d)",
        best.trial().id(), spec.rankKey, fmt(best.valAtBest(spec.rankKey, spec.rankKey, spec.maximise)),
        spec.maximise ? "max" : "min", best.bestEpoch(spec.rankKey, spec.maximise)));
    sb.append("; its test");
    best.test().forEach((k, v) -> {
      sb.append(' ').append(k).append(' ').append(fmt(v));
      double[] ci = best.testIntervals().get(k);
      if (ci != null) {
        sb.append(String.format(Locale.ROOT, " [%s, %s] %.0f%%", fmt(ci[0]), fmt(ci[1]), 100 * ci[2]));
      }
    });
    return sb.append(" is the sweep's result (trials ranked on val only; the other trials' test figures in ")
        .append(TRIALS_CSV).append(" are records, not a choice)").toString();
  }

  String markdown() {
    StringBuilder sb = new StringBuilder("# Sweep ").append(spec.name).append("\n\n");
    sb.append(String.format(Locale.ROOT, "Ranked by **val.%s** (%s is better) at each trial's best epoch. The test "
        + "split stays sealed across the sweep: no test figure takes part in the ranking, and only the chosen "
        + "configuration's test figure is the sweep's result.%n%n", spec.rankKey, spec.maximise ? "higher" : "lower"));
    List<String> head = new ArrayList<>(List.of("rank", "trial"));
    head.addAll(keys);
    head.addAll(List.of("val." + spec.rankKey, "best epoch", "samples/s", "s/epoch", "data-wait", "heap MB"));
    sb.append("| ").append(String.join(" | ", head)).append(" |\n|");
    head.forEach(h -> sb.append(" --- |"));
    sb.append('\n');
    int rank = 1;
    for (TrialResult r : ranked()) {
      List<String> v = new ArrayList<>(List.of(String.valueOf(rank++), r.trial().id()));
      keys.forEach(k -> v.add(r.trial().values().containsKey(k) ? SweepSpec.text(r.trial().values().get(k)) : ""));
      v.add(fmt(r.valAtBest(spec.rankKey, spec.rankKey, spec.maximise)));
      v.add(String.valueOf(r.bestEpoch(spec.rankKey, spec.maximise)));
      v.add(fmt1(r.samplesPerSecond()));
      v.add(fmt1(r.secondsPerEpoch()));
      v.add(Double.isNaN(r.dataWaitShare()) ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * r.dataWaitShare()));
      v.add(fmt1(r.heapPeakMb()));
      sb.append("| ").append(String.join(" | ", v)).append(" |\n");
    }
    List<TrialResult> failed = results.stream().filter(r -> !r.ok()).toList();
    if (!failed.isEmpty()) {
      sb.append("\nFailed trials (not ranked):\n\n");
      failed.forEach(r -> sb.append("- `").append(r.trial().id()).append("`: ").append(r.error()).append('\n'));
    }
    sb.append("\n**Result:** ").append(result()).append(".\n");
    return sb.toString();
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String fmt1(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  static String csvText(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** The value of {@code key} in a trial as a number, or NaN. */
  static double value(TrialResult r, String key) {
    JsonNode n = r.trial().values().get(key);
    if (n == null) {
      n = SweepSpec.get(r.trial().config(), key);
    }
    return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
