package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every run's report.html, opened in headless Chromium (Debian's {@code chromium}; {@code .ci/run}
 * installs it): from the rendered DOM the curves (drawn by the browser: their bounding boxes are
 * wider than 0), the confusion matrix or the PR curves and the test figures are there and equal
 * the run's test-report.json and metrics.csv; a screenshot is not blank; and the browser's network
 * log shows no request from the page (a control page with one remote image shows that the check
 * catches one). Without Chromium the test is skipped, saying so.
 */
class ReportHtmlTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static String chromium;

  @TempDir Path dir;

  @BeforeAll
  static void findChromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(p, name))) {
          chromium = Path.of(p, name).toString();
          return;
        }
      }
    }
  }

  private static void requireChromium() {
    Assumptions.assumeTrue(chromium != null, "headless Chromium is not installed (apt-get install -y chromium, as "
        + ".ci/run does): report.html is not checked in a browser here");
  }

  @Test
  void irisReportRendersWithItsFigures() throws Exception {
    requireChromium();
    CliFixture.Result r = CliFixture.run("train", ExamplesTest.EXAMPLES.resolve("iris-multitask.yaml").toString(),
        "--set", "runs=" + dir, "--set", "trainer.progress=none", "--set", "trainer.epochs=12");
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    JsonNode report = JSON.readTree(run.resolve("test-report.json").toFile());
    String dom = openInBrowser(run.resolve("report.html"));
    commonChecks(dom, run, report);

    // confusion matrix: every test sample once, its diagonal the reported accuracy
    List<Map<String, String>> cells = elements(dom, "td", "cm ");
    assertThat(cells).hasSize(9);
    int total = 0;
    int diagonal = 0;
    for (Map<String, String> c : cells) {
      int n = Integer.parseInt(c.get("data-count"));
      total += n;
      diagonal += c.get("data-actual").equals(c.get("data-predicted")) ? n : 0;
    }
    assertThat(total).isEqualTo(22);
    assertThat((double) diagonal / total).isCloseTo(report.path("metrics").path("species.accuracy").asDouble(),
        within(1e-12));
    List<Map<String, String>> classes = elements(dom, "tr", "class-row");
    assertThat(classes).extracting(m -> m.get("data-class")).containsExactly("setosa", "versicolor", "virginica");
    double f1 = classes.stream().mapToDouble(m -> Double.parseDouble(m.get("data-f1"))).average().orElseThrow();
    assertThat(f1).isCloseTo(report.path("metrics").path("species.f1").asDouble(), within(1e-9));
    // ROC curves: one per class, their mean area the reported ROC-AUC
    String roc = svg(dom, "roc-species");
    List<Map<String, String>> curves = elements(roc, "path", "series line").stream()
        .filter(m -> m.containsKey("data-auc")).toList();
    assertThat(curves).hasSize(3);
    assertThat(curves.stream().mapToDouble(m -> Double.parseDouble(m.get("data-auc"))).average().orElseThrow())
        .isCloseTo(report.path("metrics").path("species.roc_auc").asDouble(), within(1e-9));
    assertThat(drawnWidth(roc)).isGreaterThan(50);
    // regression: residual plot with a point per sample, figures equal to the report's
    String residuals = svg(dom, "residuals-petal_width");
    assertThat(count(residuals, "<circle")).isEqualTo(22);
    Map<String, String> reg = elements(dom, "table", "regression-figures").get(0);
    assertThat(Double.parseDouble(reg.get("data-r2"))).isCloseTo(report.path("metrics").path("petal_width.r2").asDouble(),
        within(1e-9));
    assertThat(Double.parseDouble(reg.get("data-mae")))
        .isCloseTo(report.path("metrics").path("petal_width.mae").asDouble(), within(1e-9));
    double rmse = Double.parseDouble(reg.get("data-rmse"));
    assertThat(rmse * rmse).isCloseTo(report.path("metrics").path("petal_width.mse").asDouble(), within(1e-9));
    screenshotIsNotBlank(run.resolve("report.html"));
  }

  @Test
  void shapesSsdReportRendersPrCurvesAndTheWorstImages() throws Exception {
    requireChromium();
    CliFixture.Result r = CliFixture.run("train", ExamplesTest.EXAMPLES.resolve("shapes-ssd.yaml").toString(),
        "--set", "data.count=130", "--set", "trainer.epochs=1", "--set", "trainer.progress=none",
        "--set", "runs=" + dir);
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    JsonNode report = JSON.readTree(run.resolve("test-report.json").toFile());
    String dom = openInBrowser(run.resolve("report.html"));
    commonChecks(dom, run, report);
    String pr = svg(dom, "pr-curves");
    List<Map<String, String>> curves = elements(pr, "path", "series line");
    assertThat(curves).extracting(m -> m.get("data-class")).containsExactly("rectangle", "ellipse", "triangle");
    Map<String, String> map = elements(dom, "tr", "map").get(0);
    assertThat(Double.parseDouble(map.get("data-map")))
        .as("the per-class APs' mean is the reported mAP").isCloseTo(report.path("metrics").path("mAP@0.5").asDouble(),
            within(1e-9));
    int testImages = report.path("loss").isMissingNode() ? 0 : Files.readAllLines(run.resolve("test-predictions.csv"))
        .size() - 1;
    List<Map<String, String>> images = elements(dom, "figure", "test-image");
    assertThat(images).hasSize(Math.min(12, testImages));
    double prev = Double.MAX_VALUE;
    for (Map<String, String> img : images) {
      double loss = Double.parseDouble(img.get("data-loss"));
      assertThat(loss).as("worst first").isLessThanOrEqualTo(prev);
      prev = loss;
    }
    assertThat(dom).contains("id=\"images-note\"").contains("not in the run folder");
    screenshotIsNotBlank(run.resolve("report.html"));
  }

  /**
   * The other examples, cut down: their reports render with the common figures, a classifier's
   * confusion matrix counting every test sample once, a detector's PR curve per class.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"iris-from-onnx.yaml", "shapes-resnet.yaml",
      "shapes-mb2-ssd-lite.yaml"})
  void everyOtherExampleReportRenders(String example) throws Exception {
    requireChromium();
    List<String> args = new java.util.ArrayList<>(List.of("train", ExamplesTest.EXAMPLES.resolve(example).toString(),
        "--set", "trainer.epochs=1", "--set", "trainer.progress=none", "--set", "runs=" + dir));
    if (example.startsWith("shapes")) {
      args.addAll(List.of("--set", "data.count=" + (example.contains("ssd") ? 130 : 400)));
    }
    CliFixture.Result r = CliFixture.run(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    Path run = TrainCommandTest.runFolder(r);
    JsonNode report = JSON.readTree(run.resolve("test-report.json").toFile());
    String dom = openInBrowser(run.resolve("report.html"));
    commonChecks(dom, run, report);
    int testRows = Files.readAllLines(run.resolve("test-predictions.csv")).size() - 1;
    if (example.contains("ssd")) {
      assertThat(elements(svg(dom, "pr-curves"), "path", "series line")).extracting(m -> m.get("data-class"))
          .containsExactly("rectangle", "ellipse", "triangle");
    } else {
      List<Map<String, String>> cells = elements(dom, "td", "cm ");
      assertThat(cells).hasSize(9);
      assertThat(cells.stream().mapToInt(c -> Integer.parseInt(c.get("data-count"))).sum()).isEqualTo(testRows);
    }
    screenshotIsNotBlank(run.resolve("report.html"));
  }

  @Test
  void theNetworkCheckCatchesARemoteImage() throws Exception {
    requireChromium();
    Path page = Files.writeString(dir.resolve("control.html"),
        "<!DOCTYPE html><html><body><img src=\"http://holdout-control.invalid/x.png\"><p>control</p></body></html>");
    Path netlog = dir.resolve("control-netlog.json");
    chromium(dir, List.of("--log-net-log=" + netlog, "--dump-dom", page.toUri().toString()));
    assertThat(pageRequests(netlog)).anyMatch(u -> u.contains("holdout-control.invalid"));
  }

  /** The plan, test figures, best epoch and loss curves, equal to the run's files; no network request. */
  private void commonChecks(String dom, Path run, JsonNode report) throws Exception {
    assertThat(dom).contains("data-rendered=\"yes\"");
    Map<String, String> plan = elements(dom, "dl", "plan").get(0);
    JsonNode split = JSON.readTree(run.resolve("split.json").toFile()).path("parts");
    assertThat(plan.get("data-train")).isEqualTo(String.valueOf(split.path("train").path("indices").size()));
    assertThat(plan.get("data-test")).isEqualTo(String.valueOf(split.path("test").path("indices").size()));
    // test figures: every metric of the report with its interval
    List<Map<String, String>> rows = elements(dom, "tr", "test-metric");
    List<String> names = new ArrayList<>();
    report.path("metrics").fieldNames().forEachRemaining(names::add);
    assertThat(rows).extracting(m -> m.get("data-metric")).containsExactlyElementsOf(names);
    for (Map<String, String> row : rows) {
      String m = row.get("data-metric");
      assertThat(Double.parseDouble(row.get("data-value"))).as(m).isEqualTo(report.path("metrics").path(m).asDouble());
      assertThat(Double.parseDouble(row.get("data-low"))).as(m)
          .isEqualTo(report.path("intervals").path(m).path("low").asDouble());
      assertThat(Double.parseDouble(row.get("data-high"))).as(m)
          .isEqualTo(report.path("intervals").path(m).path("high").asDouble());
    }
    Map<String, String> best = elements(dom, "p", null).stream().filter(m -> "best".equals(m.get("id"))).findFirst()
        .orElseThrow();
    assertThat(report.path("weights").asText()).contains("epoch " + best.get("data-epoch"));
    assertThat(best.get("data-stop-reason")).isEqualTo(report.path("stop_reason").asText());
    // loss curves: train and val totals per epoch as in metrics.csv, drawn, beside the baseline
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    List<String> cols = Arrays.asList(csv.get(0).split(",", -1));
    List<String> components = new ArrayList<>(List.of("total"));
    report.path("loss").fieldNames().forEachRemaining(c -> {
      if (!c.equals("total")) {
        components.add(c);
      }
    });
    for (String c : components) {
      String chart = svg(dom, "loss-" + c);
      assertThat(drawnWidth(chart)).as("loss-" + c + " drawn").isGreaterThan(0);
      for (String s : List.of("train", "val")) {
        Map<String, String> series = elements(chart, "path", "series").stream()
            .filter(m -> s.equals(m.get("data-series"))).findFirst().orElseThrow();
        double[] drawn = Arrays.stream(series.get("data-y").split(" ")).mapToDouble(Double::parseDouble).toArray();
        double[] expected = csv.stream().skip(1).map(l -> l.split(",", -1)).filter(v -> v[1].equals(s))
            .mapToDouble(v -> Double.parseDouble(v[cols.indexOf(c)])).toArray();
        assertThat(drawn).as("%s %s", s, c).containsExactly(expected);
      }
      if (!c.equals("total")) {
        assertThat(elements(chart, "path", "series dashed")).as("baseline of " + c).isNotEmpty();
      }
    }
    assertThat(drawnWidth(svg(dom, "lr"))).isGreaterThan(0);
    String html = Files.readString(run.resolve("report.html"));
    assertThat(html).doesNotContainPattern("(?i)https?://").doesNotContainPattern("(?i)<link|<img|@import|url\\(");
    assertThat(pageRequests(dir.resolve("netlog.json"))).as("requests made by the page").isEmpty();
  }

  /** Opens the page headless, with every host name unresolvable and a network log; returns the rendered DOM. */
  private String openInBrowser(Path page) throws Exception {
    return chromium(dir, List.of("--log-net-log=" + dir.resolve("netlog.json"), "--dump-dom", page.toUri().toString()));
  }

  private void screenshotIsNotBlank(Path page) throws Exception {
    Path png = dir.resolve("shot.png");
    chromium(dir, List.of("--window-size=1200,1800", "--screenshot=" + png, page.toUri().toString()));
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img).isNotNull();
    Set<Integer> colours = new HashSet<>();
    long ink = 0;
    boolean trainBlue = false;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        ink += rgb != 0xffffff ? 1 : 0;
        trainBlue |= rgb == 0x1f77b4;
      }
    }
    assertThat(colours.size()).as("distinct colours").isGreaterThan(20);
    assertThat((double) ink / ((long) img.getWidth() * img.getHeight())).as("non-white share").isGreaterThan(0.02);
    assertThat(trainBlue).as("a train curve in the picture").isTrue();
  }

  static String chromium(Path dir, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--disable-gpu", "--no-sandbox",
        "--hide-scrollbars", "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--user-data-dir=" + dir.resolve("chromium-profile")));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(p.exitValue()).as("chromium exit code; " + Files.readString(dir.resolve("chromium.err"))).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  /**
   * The URLs the page itself asked for, from Chromium's network log: requests whose network
   * isolation key is the page's (file://) origin, which the browser's own background requests never
   * have.
   */
  static List<String> pageRequests(Path netlog) throws Exception {
    String text = Files.readString(netlog).strip();
    if (!text.endsWith("}")) {
      text = text.replaceAll(",\\s*$", "") + "]}"; // a log cut at exit lacks its closing brackets
    }
    JsonNode log = JSON.readTree(text);
    List<String> out = new ArrayList<>();
    for (JsonNode e : log.path("events")) {
      JsonNode params = e.path("params");
      String url = params.path("url").asText("");
      if (!url.isEmpty() && !url.startsWith("file:") && !url.startsWith("data:")
          && params.path("network_isolation_key").asText("").contains("file://")) {
        out.add(url);
      }
    }
    return out;
  }

  /** The attributes of each {@code <tag ...>} whose class attribute contains {@code cls} (any, when null). */
  static List<Map<String, String>> elements(String dom, String tag, String cls) {
    List<Map<String, String>> out = new ArrayList<>();
    Matcher m = Pattern.compile("<" + tag + "(\\s[^>]*)?>").matcher(dom);
    while (m.find()) {
      Map<String, String> attrs = new LinkedHashMap<>();
      Matcher a = Pattern.compile("([\\w-]+)=\"([^\"]*)\"").matcher(m.group(1) == null ? "" : m.group(1));
      while (a.find()) {
        attrs.put(a.group(1), a.group(2).replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&#39;", "'"));
      }
      if (cls == null || (" " + attrs.getOrDefault("class", "") + " ").contains(" " + cls.strip() + " ")
          || attrs.getOrDefault("class", "").contains(cls)) {
        out.add(attrs);
      }
    }
    return out;
  }

  /** The markup of {@code <svg ... id="id">...</svg>}. */
  static String svg(String dom, String id) {
    int at = dom.indexOf("id=\"" + id + "\"");
    assertThat(at).as("svg#" + id).isGreaterThanOrEqualTo(0);
    int start = dom.lastIndexOf("<svg", at);
    int end = dom.indexOf("</svg>", at);
    return dom.substring(start, end + 6);
  }

  private static double drawnWidth(String svg) {
    Matcher m = Pattern.compile("data-drawn-width=\"([0-9.]+)\"").matcher(svg.substring(0, svg.indexOf('>')));
    assertThat(m.find()).as("the browser measured the chart").isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
