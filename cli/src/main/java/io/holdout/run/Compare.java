package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares finished runs from their folders: the config keys whose values differ, the test figures
 * with their intervals and whether the differences are within them, and (in {@code compare.html})
 * the curves overlaid.
 *
 * <p>Verdict per figure: <b>within intervals</b> when every pair of the runs' 95% intervals overlaps
 * (the test splits cannot tell them apart), otherwise <b>apart</b> naming the pairs whose intervals
 * do not overlap. A figure without intervals (the loss) gets none.
 */
public final class Compare {
  /** The page's file name. */
  public static final String FILE = "compare.html";

  private Compare() {}

  /** What the comparison found. */
  public record Result(List<String> runs, Map<String, List<String>> differingConfig, Map<String, String> verdicts,
      Path html) {}

  /**
   * Prints the comparison of {@code runDirs} to {@code out} and writes {@code compare.html} into
   * {@code outDir} (null: the first run's parent folder).
   */
  public static Result run(List<Path> runDirs, Path outDir, PrintWriter out) {
    if (runDirs.size() < 2) {
      throw new HoldoutException("compare needs at least two run folders, got " + runDirs.size());
    }
    List<RunFiles> runs = new ArrayList<>();
    for (Path d : runDirs) {
      runs.add(RunFiles.open(d).requireFinished());
    }
    List<String> letters = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      letters.add(letter(i));
    }
    out.println("runs");
    for (int i = 0; i < runs.size(); i++) {
      out.println("  " + letters.get(i) + "  " + runs.get(i).dir);
    }
    // config keys that differ
    List<Map<String, String>> flat = runs.stream().map(RunFiles::flatConfig).toList();
    Set<String> keys = new LinkedHashSet<>();
    flat.forEach(f -> keys.addAll(f.keySet()));
    Map<String, List<String>> differing = new LinkedHashMap<>();
    for (String k : keys) {
      List<String> values = flat.stream().map(f -> f.getOrDefault(k, "(absent)")).toList();
      if (new LinkedHashSet<>(values).size() > 1) {
        differing.put(k, values);
      }
    }
    out.println();
    out.println("config (keys that differ)");
    if (differing.isEmpty()) {
      out.println("  none: the configs are the same");
    } else {
      List<List<String>> rows = new ArrayList<>();
      List<String> header = new ArrayList<>(List.of("key"));
      header.addAll(letters);
      rows.add(header);
      differing.forEach((k, v) -> {
        List<String> row = new ArrayList<>(List.of(k));
        row.addAll(v);
        rows.add(row);
      });
      table(out, rows);
    }
    // test figures
    Set<String> figures = new LinkedHashSet<>();
    runs.forEach(r -> figures.addAll(r.testFigures().keySet()));
    Set<String> losses = new LinkedHashSet<>();
    runs.forEach(r -> losses.addAll(r.testLoss().keySet()));
    out.println();
    out.println("test figures (95% intervals; \"within intervals\": every pair of intervals overlaps)");
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("figure"));
    header.addAll(letters);
    header.add("verdict");
    rows.add(header);
    Map<String, String> verdicts = new LinkedHashMap<>();
    for (String l : losses) {
      List<String> row = new ArrayList<>(List.of("loss " + l));
      runs.forEach(r -> row.add(Html.f4(r.testLoss().getOrDefault(l, Double.NaN))));
      row.add("no interval");
      rows.add(row);
    }
    for (String f : figures) {
      List<String> row = new ArrayList<>(List.of(f));
      List<RunFiles.Figure> fs = runs.stream().map(r -> r.testFigures().get(f)).toList();
      for (RunFiles.Figure x : fs) {
        row.add(x == null ? "-" : Html.f4(x.value()) + (x.hasInterval() ? " " + Html.interval(x) : ""));
      }
      String v = verdict(fs, letters);
      verdicts.put(f, v);
      row.add(v);
      rows.add(row);
    }
    table(out, rows);
    Path dir = outDir != null ? outDir : runs.get(0).dir.toAbsolutePath().getParent();
    Path html = dir.resolve(FILE);
    AtomicFiles.writeString(html, html(runs, letters, differing, figures, losses, verdicts));
    out.println();
    out.println("compare page: " + html);
    out.flush();
    return new Result(runs.stream().map(r -> r.dir.toString()).toList(), differing, verdicts, html);
  }

  /** {@code within intervals}, {@code apart: A vs B, ...}, or why there is no verdict. */
  static String verdict(List<RunFiles.Figure> fs, List<String> letters) {
    for (RunFiles.Figure f : fs) {
      if (f == null || !f.hasInterval()) {
        return "no interval";
      }
    }
    List<String> apart = new ArrayList<>();
    for (int i = 0; i < fs.size(); i++) {
      for (int j = i + 1; j < fs.size(); j++) {
        RunFiles.Figure a = fs.get(i);
        RunFiles.Figure b = fs.get(j);
        if (a.high() < b.low() || b.high() < a.low()) {
          apart.add(letters.get(i) + " vs " + letters.get(j));
        }
      }
    }
    return apart.isEmpty() ? "within intervals" : "apart: " + String.join(", ", apart);
  }

  private static String letter(int i) {
    return i < 26 ? String.valueOf((char) ('A' + i)) : "R" + (i + 1);
  }

  private static void table(PrintWriter out, List<List<String>> rows) {
    int cols = rows.get(0).size();
    int[] w = new int[cols];
    for (List<String> r : rows) {
      for (int c = 0; c < cols; c++) {
        w[c] = Math.max(w[c], r.get(c).length());
      }
    }
    for (List<String> r : rows) {
      StringBuilder sb = new StringBuilder(" ");
      for (int c = 0; c < cols; c++) {
        sb.append(' ').append(c == cols - 1 ? r.get(c) : String.format(Locale.ROOT, "%-" + w[c] + "s ", r.get(c)));
      }
      out.println(sb.toString().stripTrailing());
    }
  }

  private static String html(List<RunFiles> runs, List<String> letters, Map<String, List<String>> differing,
      Set<String> figures, Set<String> losses, Map<String, String> verdicts) {
    StringBuilder sb = new StringBuilder(Html.head("holdout compare"));
    sb.append("<body data-runs=\"").append(runs.size()).append("\">\n<h1>Comparison of ").append(runs.size())
        .append(" runs</h1>\n<table id=\"runs\"><tr><th>run</th><th class=\"l\">folder</th></tr>");
    for (int i = 0; i < runs.size(); i++) {
      sb.append("<tr class=\"run\" data-letter=\"").append(letters.get(i)).append("\" data-name=\"")
          .append(Html.esc(runs.get(i).name())).append("\"><td>").append(letters.get(i)).append("</td><td class=\"l\">")
          .append(Html.esc(runs.get(i).dir.toString())).append("</td></tr>");
    }
    sb.append("</table>\n<h2>Config keys that differ</h2>\n<table id=\"config-diff\"><tr><th class=\"l\">key</th>");
    letters.forEach(l -> sb.append("<th>").append(l).append("</th>"));
    sb.append("</tr>");
    differing.forEach((k, v) -> {
      sb.append("<tr class=\"config-key\" data-key=\"").append(Html.esc(k)).append("\"><td class=\"l\">")
          .append(Html.esc(k)).append("</td>");
      v.forEach(x -> sb.append("<td data-value=\"").append(Html.esc(x)).append("\">").append(Html.esc(x)).append("</td>"));
      sb.append("</tr>");
    });
    sb.append("</table>\n<h2>Test figures</h2>\n<table id=\"test-figures\"><tr><th class=\"l\">figure</th>");
    letters.forEach(l -> sb.append("<th>").append(l).append("</th>"));
    sb.append("<th class=\"l\">verdict</th></tr>");
    for (String l : losses) {
      sb.append("<tr class=\"test-loss\" data-component=\"").append(Html.esc(l)).append("\"><td class=\"l\">loss ")
          .append(Html.esc(l)).append("</td>");
      runs.forEach(r -> {
        double v = r.testLoss().getOrDefault(l, Double.NaN);
        sb.append("<td data-value=\"").append(RunFiles.exact(v)).append("\">").append(Html.f4(v)).append("</td>");
      });
      sb.append("<td class=\"l\">no interval</td></tr>");
    }
    for (String f : figures) {
      String v = verdicts.get(f);
      sb.append("<tr class=\"test-metric\" data-metric=\"").append(Html.esc(f)).append("\" data-verdict=\"")
          .append(Html.esc(v)).append("\"><td class=\"l\">").append(Html.esc(f)).append("</td>");
      for (RunFiles r : runs) {
        RunFiles.Figure x = r.testFigures().get(f);
        if (x == null) {
          sb.append("<td>-</td>");
          continue;
        }
        sb.append("<td data-value=\"").append(RunFiles.exact(x.value())).append("\" data-low=\"")
            .append(RunFiles.exact(x.low())).append("\" data-high=\"").append(RunFiles.exact(x.high())).append("\">")
            .append(Html.f4(x.value())).append(' ').append(Html.interval(x)).append("</td>");
      }
      sb.append("<td class=\"l ").append(v.startsWith("apart") ? "apart" : "within").append("\">").append(Html.esc(v))
          .append("</td></tr>");
    }
    sb.append("</table>\n<h2>Curves</h2>\n<div class=\"charts\">");
    Set<String> components = new LinkedHashSet<>(List.of("total"));
    runs.forEach(r -> components.addAll(r.components()));
    for (String c : components) {
      for (String split : List.of("val", "train")) {
        List<Svg.Series> s = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
          TreeMap<Integer, Double> m = runs.get(i).series(split, c);
          if (!m.isEmpty()) {
            s.add(Svg.Series.line(letters.get(i) + " " + split, Svg.PALETTE[i % Svg.PALETTE.length], Report.xs(m),
                Report.ys(m)).with(Map.of("run", letters.get(i))));
          }
        }
        if (!s.isEmpty()) {
          sb.append(Svg.chart("compare-" + split + "-" + Report.id(c), "loss", split + " " + c + " loss", "epoch",
              "loss", s, null));
        }
      }
    }
    Set<String> metricCols = new LinkedHashSet<>();
    runs.forEach(r -> metricCols.addAll(r.metricColumns()));
    for (String m : metricCols) {
      List<Svg.Series> s = new ArrayList<>();
      for (int i = 0; i < runs.size(); i++) {
        TreeMap<Integer, Double> v = runs.get(i).series("val", m);
        if (!v.isEmpty()) {
          s.add(Svg.Series.line(letters.get(i) + " val", Svg.PALETTE[i % Svg.PALETTE.length], Report.xs(v),
              Report.ys(v)).with(Map.of("run", letters.get(i))));
        }
      }
      sb.append(Svg.chart("compare-val-metric-" + Report.id(m), "val-metric", "val " + m, "epoch", m, s, null));
    }
    sb.append("</div>\n").append(Html.SCRIPT).append("\n</body></html>\n");
    return sb.toString();
  }
}
