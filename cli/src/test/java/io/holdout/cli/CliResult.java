package io.holdout.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** What an in-process CLI call printed and returned, for tests outside this package. */
public record CliResult(int code, String out, String err) {
  public static CliResult of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliResult(code, out.toString(), err.toString());
  }
}
