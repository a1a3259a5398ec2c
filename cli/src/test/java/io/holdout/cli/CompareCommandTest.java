package io.holdout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdout compare} on two iris runs that differ in their learning rate: it names that key
 * (and no other) with both values, prints both runs' test figures with intervals and a verdict for
 * each, and writes compare.html with the curves of both.
 */
class CompareCommandTest {
  @TempDir Path dir;

  @Test
  void namesTheDifferingKeyAndBothTestFigures() throws Exception {
    Path a = train("0.01");
    Path b = train("0.05");
    CliFixture.Result r = CliFixture.run("compare", a.toString(), b.toString(), "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    String out = r.out();
    assertThat(out).containsPattern("(?m)^  optimizer\\.lr +0\\.01 +0\\.05$");
    // the run folders' names differ too (their timestamps are not config keys); nothing else does
    List<String> configRows = out.lines().dropWhile(l -> !l.startsWith("config (keys that differ)")).skip(2)
        .takeWhile(l -> !l.isBlank()).toList();
    assertThat(configRows).hasSize(1);
    for (Path run : List.of(a, b)) {
      JsonNode report = ReportHtmlTest.JSON.readTree(run.resolve("test-report.json").toFile());
      for (String m : List.of("species.accuracy", "species.f1", "petal_width.r2")) {
        double v = report.path("metrics").path(m).asDouble();
        JsonNode ci = report.path("intervals").path(m);
        String figure = String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", v, ci.path("low").asDouble(),
            ci.path("high").asDouble());
        assertThat(out).as(m).containsPattern("(?m)^  " + Pattern.quote(m) + " .*" + Pattern.quote(figure));
      }
    }
    assertThat(out).containsPattern("(?m)^  species\\.accuracy .*(within intervals|apart: A vs B)$");
    Path html = dir.resolve("compare.html");
    assertThat(out).contains("compare page: " + html);
    String page = Files.readString(html);
    assertThat(page).contains("data-key=\"optimizer.lr\"").contains("data-value=\"0.01\"").contains("data-value=\"0.05\"")
        .contains("id=\"compare-val-total\"").doesNotContainPattern("(?i)https?://");
    assertThat(page.split("data-run=\"A\"", -1).length - 1).as("run A's curves").isGreaterThan(3);
    assertThat(page.split("data-run=\"B\"", -1).length - 1).as("run B's curves").isGreaterThan(3);

    CliFixture.Result one = CliFixture.run("compare", a.toString());
    assertThat(one.code()).isEqualTo(2);
    CliFixture.Result unfinished = CliFixture.run("compare", a.toString(), dir.toString());
    assertThat(unfinished.code()).isEqualTo(2);
    assertThat(unfinished.err().strip()).startsWith("holdout: error: " + dir).doesNotContain("\n");
  }

  private Path train(String lr) {
    CliFixture.Result r = CliFixture.run("train", ExamplesTest.EXAMPLES.resolve("iris-multitask.yaml").toString(),
        "--set", "runs=" + dir, "--set", "trainer.progress=none", "--set", "trainer.epochs=10",
        "--set", "optimizer.lr=" + lr);
    assertThat(r.code()).as(r.err()).isZero();
    return TrainCommandTest.runFolder(r);
  }
}
