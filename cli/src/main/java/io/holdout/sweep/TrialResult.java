package io.holdout.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdout.run.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one trial's folder says: its verdict ({@code trial.json}), its epochs ({@code metrics.csv}:
 * val figures, throughput, time, data wait) and its test report. Read the same way whichever
 * executor ran the trial, and after a resume.
 */
record TrialResult(
    SweepSpec.Trial trial,
    String status,
    String error,
    /** per epoch: the val row's columns (total, components, metrics) */
    List<Map<String, Double>> valEpochs,
    double samplesPerSecond,
    double secondsPerEpoch,
    double dataWaitShare,
    double heapPeakMb,
    double rssPeakMb,
    double seconds,
    Map<String, Double> test,
    Map<String, double[]> testIntervals,
    boolean finished) {

  static final ObjectMapper JSON = new ObjectMapper();

  boolean ok() {
    return status.equals("ok");
  }

  /** The best epoch (1-based) by the rank figure and goal; 0 when no epoch has it. */
  int bestEpoch(String key, boolean maximise) {
    int best = 0;
    double bestValue = Double.NaN;
    for (int i = 0; i < valEpochs.size(); i++) {
      Double v = valEpochs.get(i).get(key);
      if (v == null || v.isNaN()) {
        continue;
      }
      if (best == 0 || (maximise ? v > bestValue : v < bestValue)) {
        best = i + 1;
        bestValue = v;
      }
    }
    return best;
  }

  /** The val figure {@code key} at the best epoch by {@code rankKey}; NaN when absent. */
  double valAtBest(String key, String rankKey, boolean maximise) {
    int e = bestEpoch(rankKey, maximise);
    if (e == 0) {
      return Double.NaN;
    }
    Double v = valEpochs.get(e - 1).get(key);
    return v == null ? Double.NaN : v;
  }

  static TrialResult read(SweepSpec.Trial trial, Path dir) {
    String status = "missing";
    String error = "not run";
    double heap = Double.NaN;
    double rss = Double.NaN;
    double seconds = Double.NaN;
    Path trialJson = dir.resolve(TrialRun.TRIAL_JSON);
    if (Files.isRegularFile(trialJson)) {
      try {
        JsonNode j = JSON.readTree(trialJson.toFile());
        status = j.path("status").asText("failed");
        error = j.path("error").asText("");
        heap = num(j.path("heap_peak_mb"));
        rss = num(j.path("rss_peak_mb"));
        seconds = num(j.path("seconds"));
      } catch (IOException e) {
        status = "failed";
        error = trialJson + ": unreadable (" + e.getMessage() + ")";
      }
    } else if (Files.isDirectory(dir)) {
      status = "failed";
      error = "unfinished: the trial stopped before recording a verdict (run the sweep with --resume)";
    }
    List<Map<String, Double>> val = new ArrayList<>();
    double sps = 0;
    double secs = 0;
    double wait = 0;
    int trainRows = 0;
    Path csv = dir.resolve(RunFolder.METRICS_CSV);
    if (Files.isRegularFile(csv)) {
      try {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
          String[] v = line.split(",", -1);
          Map<String, Double> row = new LinkedHashMap<>();
          for (int i = 2; i < Math.min(v.length, header.length); i++) {
            row.put(header[i], v[i].isEmpty() ? Double.NaN : Double.parseDouble(v[i]));
          }
          if (v[1].equals("train")) {
            trainRows++;
            sps += row.getOrDefault("samples_per_s", Double.NaN);
            secs += row.getOrDefault("seconds", Double.NaN);
            wait += row.getOrDefault("data_wait_s", Double.NaN);
          } else if (v[1].equals("val")) {
            int epoch = Integer.parseInt(v[0]);
            while (val.size() < epoch) {
              val.add(Map.of());
            }
            val.set(epoch - 1, row);
          }
        }
      } catch (IOException | RuntimeException e) {
        // a half-written file of an interrupted trial: the figures stay empty
      }
    }
    Map<String, Double> test = new LinkedHashMap<>();
    Map<String, double[]> intervals = new LinkedHashMap<>();
    Path report = dir.resolve(RunFolder.TEST_REPORT);
    boolean finished = Files.isRegularFile(report);
    if (finished) {
      try {
        JsonNode r = JSON.readTree(report.toFile());
        if (r.path("loss").has("total")) {
          test.put("loss", num(r.path("loss").path("total")));
        }
        r.path("metrics").fields().forEachRemaining(e -> test.put(e.getKey(), num(e.getValue())));
        r.path("intervals").fields().forEachRemaining(e -> intervals.put(e.getKey(),
            new double[] {num(e.getValue().path("low")), num(e.getValue().path("high")),
                num(e.getValue().path("level"))}));
      } catch (IOException e) {
        finished = false;
      }
    }
    return new TrialResult(trial, status, error, val, trainRows == 0 ? Double.NaN : sps / trainRows,
        trainRows == 0 ? Double.NaN : secs / trainRows, secs > 0 ? wait / secs : Double.NaN, heap, rss, seconds,
        test, intervals, finished);
  }

  private static double num(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }
}
