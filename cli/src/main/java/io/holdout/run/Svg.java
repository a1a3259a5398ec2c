package io.holdout.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Inline SVG charts for the HTML reports: lines (curves per epoch, ROC and PR curves) and points
 * (residuals), with axes, ticks and a legend. Every drawn series is a {@code path} or {@code g} of
 * class {@code series} carrying its name and its numbers in data attributes ({@code data-series},
 * {@code data-x}, {@code data-y}, plus any extra ones), so a test can read what was drawn.
 */
final class Svg {
  private Svg() {}

  /** Colours of successive series. */
  static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
      "#7f7f7f", "#bcbd22", "#17becf"};

  /**
   * One series.
   *
   * @param style {@code line}, {@code dashed} or {@code points}
   * @param attrs extra data attributes (name without {@code data-} → value)
   */
  record Series(String name, String color, double[] x, double[] y, String style, Map<String, String> attrs) {
    static Series line(String name, String color, double[] x, double[] y) {
      return new Series(name, color, x, y, "line", Map.of());
    }

    Series with(Map<String, String> extra) {
      return new Series(name, color, x, y, style, extra);
    }
  }

  /** Fixed axis bounds; null for automatic ones. */
  record Bounds(double xMin, double xMax, double yMin, double yMax) {}

  static final int W = 460;
  static final int H = 260;
  private static final int L = 58;
  private static final int R = 12;
  private static final int T = 26;
  private static final int B = 40;

  /**
   * A chart {@code <svg class="chart" id=id>}: the series drawn against shared axes.
   *
   * @param bounds fixed bounds, or null to fit the finite values
   */
  static String chart(String id, String kind, String title, String xLabel, String yLabel, List<Series> series,
      Bounds bounds) {
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
          x0 = Math.min(x0, s.x()[i]);
          x1 = Math.max(x1, s.x()[i]);
          y0 = Math.min(y0, s.y()[i]);
          y1 = Math.max(y1, s.y()[i]);
        }
      }
    }
    if (bounds != null) {
      x0 = bounds.xMin();
      x1 = bounds.xMax();
      y0 = bounds.yMin();
      y1 = bounds.yMax();
    }
    StringBuilder sb = new StringBuilder();
    sb.append("<svg class=\"chart\" id=\"").append(Html.esc(id))
        .append("\" data-kind=\"").append(Html.esc(kind)).append("\" data-title=\"").append(Html.esc(title))
        .append("\" width=\"").append(W).append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W)
        .append(' ').append(H).append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
    sb.append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" fill=\"#ffffff\"/>");
    sb.append("<text class=\"chart-title\" x=\"").append(W / 2).append("\" y=\"16\" text-anchor=\"middle\">")
        .append(Html.esc(title)).append("</text>");
    if (!Double.isFinite(x0) || !Double.isFinite(y0)) {
      sb.append("<text x=\"").append(W / 2).append("\" y=\"").append(H / 2)
          .append("\" text-anchor=\"middle\" class=\"empty\">no finite values</text></svg>");
      return sb.toString();
    }
    if (x1 == x0) {
      x0 -= 0.5;
      x1 += 0.5;
    }
    if (y1 == y0) {
      double pad = y0 == 0 ? 1 : Math.abs(y0) * 0.1;
      y0 -= pad;
      y1 += pad;
    } else if (bounds == null) {
      double pad = (y1 - y0) * 0.05;
      y0 -= pad;
      y1 += pad;
    }
    Scale sx = new Scale(x0, x1, L, W - R);
    Scale sy = new Scale(y0, y1, H - B, T);
    // axes and ticks
    sb.append("<g class=\"axes\" stroke=\"#444\" stroke-width=\"1\">");
    sb.append(line(L, H - B, W - R, H - B)).append(line(L, T, L, H - B)).append("</g>");
    sb.append("<g class=\"ticks\" font-size=\"10\" fill=\"#333\">");
    for (double t : ticks(x0, x1)) {
      double px = sx.at(t);
      sb.append("<line x1=\"").append(f(px)).append("\" y1=\"").append(H - B).append("\" x2=\"").append(f(px))
          .append("\" y2=\"").append(H - B + 4).append("\" stroke=\"#444\"/>");
      sb.append("<text x=\"").append(f(px)).append("\" y=\"").append(H - B + 15).append("\" text-anchor=\"middle\">")
          .append(label(t)).append("</text>");
    }
    for (double t : ticks(y0, y1)) {
      double py = sy.at(t);
      sb.append("<line x1=\"").append(L).append("\" y1=\"").append(f(py)).append("\" x2=\"").append(W - R)
          .append("\" y2=\"").append(f(py)).append("\" stroke=\"#eee\"/>");
      sb.append("<text x=\"").append(L - 4).append("\" y=\"").append(f(py + 3)).append("\" text-anchor=\"end\">")
          .append(label(t)).append("</text>");
    }
    sb.append("</g>");
    sb.append("<text x=\"").append((L + W - R) / 2).append("\" y=\"").append(H - 6)
        .append("\" text-anchor=\"middle\" font-size=\"11\">").append(Html.esc(xLabel)).append("</text>");
    sb.append("<text x=\"12\" y=\"").append((T + H - B) / 2).append("\" text-anchor=\"middle\" font-size=\"11\" "
        + "transform=\"rotate(-90 12 ").append((T + H - B) / 2).append(")\">").append(Html.esc(yLabel)).append("</text>");
    // series
    int legendY = T + 4;
    for (Series s : series) {
      sb.append(s.style().equals("points") ? "<g" : "<path").append(" class=\"series ").append(s.style())
          .append("\" data-series=\"").append(Html.esc(s.name())).append("\" data-x=\"").append(RunFiles.list(s.x()))
          .append("\" data-y=\"").append(RunFiles.list(s.y())).append('"');
      s.attrs().forEach((k, v) -> sb.append(" data-").append(k).append("=\"").append(Html.esc(v)).append('"'));
      if (s.style().equals("points")) {
        sb.append(" fill=\"").append(s.color()).append("\">");
        for (int i = 0; i < s.x().length; i++) {
          if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
            sb.append("<circle cx=\"").append(f(sx.at(s.x()[i]))).append("\" cy=\"").append(f(sy.at(s.y()[i])))
                .append("\" r=\"3\" fill-opacity=\"0.7\"/>");
          }
        }
        sb.append("</g>");
      } else {
        StringBuilder d = new StringBuilder();
        int finite = 0;
        for (int i = 0; i < s.x().length; i++) {
          finite += Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]) ? 1 : 0;
        }
        boolean pen = false;
        for (int i = 0; i < s.x().length; i++) {
          if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) {
            pen = false;
            continue;
          }
          double px = sx.at(s.x()[i]);
          double py = sy.at(s.y()[i]);
          if (finite == 1) {
            // a single epoch: a short tick, so that it shows
            d.append("M").append(f(px - 5)).append(' ').append(f(py)).append(" L").append(f(px + 5)).append(' ')
                .append(f(py));
            continue;
          }
          d.append(pen ? " L" : (d.length() == 0 ? "M" : " M")).append(f(px)).append(' ').append(f(py));
          pen = true;
        }
        sb.append(" d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(s.color())
            .append("\" stroke-width=\"2\"");
        if (s.style().equals("dashed")) {
          sb.append(" stroke-dasharray=\"6 4\"");
        }
        sb.append("/>");
      }
      sb.append("<g class=\"legend\"><rect x=\"").append(W - R - 150).append("\" y=\"").append(legendY - 8)
          .append("\" width=\"10\" height=\"10\" fill=\"").append(s.color()).append("\"/><text x=\"")
          .append(W - R - 136).append("\" y=\"").append(legendY + 1).append("\" font-size=\"10\">")
          .append(Html.esc(shorten(s.name(), 26))).append("</text></g>");
      legendY += 13;
    }
    return sb.append("</svg>").toString();
  }

  private static String shorten(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private static String line(double x1, double y1, double x2, double y2) {
    return "<line x1=\"" + f(x1) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(x2) + "\" y2=\"" + f(y2) + "\"/>";
  }

  static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Tick values: about five round numbers spanning [lo, hi]. */
  static List<Double> ticks(double lo, double hi) {
    double span = hi - lo;
    double step = Math.pow(10, Math.floor(Math.log10(span / 5)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (span / (step * m) <= 6) {
        step *= m;
        break;
      }
    }
    List<Double> out = new ArrayList<>();
    for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9 && out.size() < 12; t += step) {
      out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return out;
  }

  private static String label(double t) {
    if (t != 0 && (Math.abs(t) < 1e-3 || Math.abs(t) >= 1e5)) {
      return String.format(Locale.ROOT, "%.0e", t);
    }
    return String.format(Locale.ROOT, "%.4f", t).replaceAll("\\.?0+$", "");
  }

  private record Scale(double lo, double hi, double from, double to) {
    double at(double v) {
      return from + (v - lo) / (hi - lo) * (to - from);
    }
  }
}
