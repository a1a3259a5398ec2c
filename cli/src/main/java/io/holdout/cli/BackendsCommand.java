package io.holdout.cli;

import com.google.inject.Guice;
import com.google.inject.Stage;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.extension.Extensions;
import io.holdout.api.backend.Capabilities;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code holdout backends}: the backends found on the class path, their versions and capabilities. */
@Command(name = "backends", mixinStandardHelpOptions = true,
    description = "List the backends found on the class path, with versions and capabilities.")
final class BackendsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", description = "Show engine logs and stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<BackendProvider> providers = List.copyOf(Extensions.installed().backends().values());
    if (providers.isEmpty()) {
      out.println("no backends on the class path");
      return 0;
    }
    for (BackendProvider p : providers) {
      Backend b = Guice.createInjector(Stage.PRODUCTION, p.module()).getInstance(Backend.class);
      out.println(p.name() + "  (" + p.artifact() + ")");
      b.versions().forEach((k, v) -> out.println("  " + k + " " + v));
      Capabilities c = b.capabilities();
      Set<String> evalOnlyLayers = new TreeSet<>(c.layers());
      evalOnlyLayers.removeAll(c.trainingLayers());
      Set<String> evalOnlyLosses = new TreeSet<>(c.losses());
      evalOnlyLosses.removeAll(c.trainingLosses());
      out.println("  training:   " + (!c.training() ? "no" : evalOnlyLayers.isEmpty() && evalOnlyLosses.isEmpty()
          ? "yes" : "yes, except layers " + (evalOnlyLayers.isEmpty() ? "(none)" : String.join(", ", evalOnlyLayers))
              + " and losses " + (evalOnlyLosses.isEmpty() ? "(none)" : String.join(", ", evalOnlyLosses))
              + " (evaluation only)"));
      out.println("  gpu:        " + (c.gpu() ? "yes" : "no (none found or no GPU natives)"));
      out.println("  precision:  " + c.precisions().stream().sorted().map(io.holdout.api.backend.Precision::key)
          .collect(java.util.stream.Collectors.joining(", ")) + " (engine.precision)");
      out.println("  layers:     " + String.join(", ", new TreeSet<>(c.layers())));
      out.println("  losses:     " + String.join(", ", new TreeSet<>(c.losses())));
      out.println("  optimizers: " + String.join(", ", new TreeSet<>(c.optimizers()))
          + (c.training() ? " (native); any registered optimizer through its update rule" : ""));
    }
    return 0;
  }
}
