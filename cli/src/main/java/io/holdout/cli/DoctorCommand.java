package io.holdout.cli;

import com.google.inject.Guice;
import com.google.inject.Stage;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.backend.Backends;
import io.holdout.api.extension.Extensions;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.Precision;
import io.holdout.checks.CheckResult;
import io.holdout.checks.CheckSettings;
import io.holdout.checks.Doctor;
import io.holdout.checks.Hardware;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code holdout doctor}: checks every installed backend's numerics on this machine against the
 * pure-Java references and exits 0 only when every supported check passes.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = {
      "Check each backend's numerics on this machine, at the kernels its engine picks here: the forward pass "
          + "and gradient of every layer type and head arrangement, and every loss, against pure-Java "
          + "double-precision references, at two sizes each.",
      "Prints the CPU, its instruction sets, caches, kernel settings and engine versions, then one line per "
          + "backend and check (ok / OFF by how much / unsupported). Exits 0 only when every supported check passes."})
final class DoctorCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--backend", paramLabel = "NAME", description = "Check only this backend (repeatable; default: all found).")
  List<String> backends = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N",
      description = "Intra-op threads of the checked sessions, as engine.intraOpThreads in a config (default 0: the engine's default).")
  int threads;

  @Option(names = "--precision", paramLabel = "TYPE",
      description = "float32 (default) or float64: the type the checked sessions compute in, as engine.precision in a config.")
  String precision = "float32";

  @Option(names = "--failures", description = "Print only the checks that failed, and the summaries.")
  boolean failuresOnly;

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (threads < 0) {
      throw new HoldoutException("--threads must be >= 0");
    }
    Precision type = Precision.parse(precision);
    if (type == null) {
      throw new HoldoutException("--precision must be float32 or float64, got '" + precision + "'");
    }
    List<BackendProvider> providers = new ArrayList<>();
    if (backends.isEmpty()) {
      providers.addAll(Extensions.installed().backends().values());
    } else {
      for (String b : backends) {
        BackendProvider found = Extensions.installed().backends().get(b);
        if (found == null) {
          throw Backends.notFound(b, Extensions.installed().backends().keySet());
        }
        providers.add(found);
      }
    }
    if (providers.isEmpty()) {
      throw new HoldoutException("no backends on the class path");
    }
    out.println("holdout  " + Versions.holdout());
    Hardware.detect().describe().forEach(out::println);
    CheckSettings settings = new CheckSettings(Device.CPU, threads, 0, type);
    out.println("sessions " + settings.describe());
    out.flush();
    List<Doctor.Report> reports = new ArrayList<>();
    for (BackendProvider p : providers) {
      Backend b = Guice.createInjector(Stage.PRODUCTION, p.module()).getInstance(Backend.class);
      StringBuilder v = new StringBuilder();
      b.versions().forEach((k, val) -> v.append(v.length() == 0 ? "" : ", ").append(k).append(' ').append(val));
      out.println();
      out.println(b.name() + "  (" + v + ")");
      out.flush();
      if (!b.capabilities().precisions().contains(type)) {
        out.println("  skipped: " + b.name() + " does not compute in " + type.key());
        continue;
      }
      Doctor.Report r = Doctor.all(b, settings, c -> {
        if (!failuresOnly || !c.passed()) {
          out.println(String.format(Locale.ROOT, "  %-72s %s", c.check(), c.verdict()));
          out.flush();
        }
      });
      out.println("  " + r.summary());
      out.flush();
      reports.add(r);
    }
    out.println();
    List<String> failed = new ArrayList<>();
    for (Doctor.Report r : reports) {
      out.println(r.summary());
      if (!r.passed()) {
        failed.add(r.backend());
      }
    }
    out.flush();
    if (!failed.isEmpty()) {
      Doctor.Report first = reports.stream().filter(r -> !r.passed()).findFirst().orElseThrow();
      CheckResult f = first.failures().get(0);
      throw new HoldoutException("backend" + (failed.size() > 1 ? "s " : " ") + String.join(", ", failed)
          + " computed wrong numbers on this machine (first: " + f.backend() + " " + f.check() + ": " + f.verdict()
          + "); do not train on " + (failed.size() > 1 ? "them" : "it") + " here until this is fixed");
    }
    return 0;
  }
}
