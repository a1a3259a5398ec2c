package io.holdout.run;

import java.util.Locale;

/** Small helpers for the self-contained HTML pages (report, compare). */
final class Html {
  private Html() {}

  /** Escapes text and attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A figure to 4 decimals, {@code NaN} as such. */
  static String f4(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** {@code [0.8636, 1.0000]} or empty. */
  static String interval(RunFiles.Figure f) {
    return f.hasInterval() ? "[" + f4(f.low()) + ", " + f4(f.high()) + "]" : "";
  }

  /** The page's head: title, inline style; no external resource of any kind. */
  static String head(String title) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + esc(title) + "</title><style>" + STYLE + "</style></head>\n";
  }

  /**
   * After layout, records on every chart how wide its drawn series are ({@code data-drawn-width},
   * from the browser's own geometry) and marks the page rendered: what a headless browser test reads.
   */
  static final String SCRIPT = "<script>(function(){var n=0;document.querySelectorAll('svg.chart').forEach("
      + "function(s){var w=0;s.querySelectorAll('.series').forEach(function(p){try{var b=p.getBBox();"
      + "w=Math.max(w,b.width);}catch(e){}});s.setAttribute('data-drawn-width',w.toFixed(1));if(w>0){n++;}});"
      + "document.body.setAttribute('data-rendered','yes');document.body.setAttribute('data-charts-drawn',n);})();"
      + "</script>";

  private static final String STYLE = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
      + "margin:24px;color:#222;max-width:1500px}h1{font-size:22px}h2{font-size:18px;margin-top:28px;"
      + "border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px}table{border-collapse:collapse;"
      + "margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-variant-numeric:"
      + "tabular-nums}th{background:#f3f3f3}td.l,th.l{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}"
      + "svg.chart{border:1px solid #ddd}.note{color:#555;font-size:13px}.cm td.diag{background:#d9ead3}"
      + ".cm td.off{background:#f4cccc}.cm td.zero{background:#fff}dl.plan{display:grid;grid-template-columns:"
      + "max-content auto;gap:2px 14px}dl.plan dt{font-weight:600}.grid{display:flex;flex-wrap:wrap;gap:10px}"
      + ".grid figure{margin:0;font-size:11px;width:200px}code{background:#f6f6f6;padding:1px 3px}"
      + ".apart{color:#b00}.within{color:#070}";
}
