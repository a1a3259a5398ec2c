package io.holdout.cli;

import com.google.inject.Guice;
import com.google.inject.Stage;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.BackendProvider;
import io.holdout.api.extension.Extensions;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.model.LayerCatalog;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code holdout layers}: the layer catalogue, with each backend's support: {@code train} (forward
 * and gradient), {@code eval} (forward only) or {@code -}; the export column says whether {@code
 * holdout export --format onnx} writes the layer (it goes through the onnx backend's graphs).
 */
@Command(name = "layers", mixinStandardHelpOptions = true,
    description = "List the layer catalogue: each layer type, its config keys, and per backend whether it trains,"
        + " evaluates and exports.")
final class LayersCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Capabilities> caps = new LinkedHashMap<>();
    for (BackendProvider p : Extensions.installed().backends().values()) {
      Backend b = Guice.createInjector(Stage.PRODUCTION, p.module()).getInstance(Backend.class);
      caps.put(p.name(), b.capabilities());
    }
    Capabilities onnx = caps.get("onnx");
    List<String> header = new ArrayList<>(List.of("layer"));
    header.addAll(caps.keySet());
    header.add("export");
    header.add("keys");
    List<List<String>> rows = new ArrayList<>();
    for (LayerCatalog.Entry e : LayerCatalog.ENTRIES) {
      List<String> row = new ArrayList<>(List.of(e.type()));
      for (Capabilities c : caps.values()) {
        row.add(!c.layers().contains(e.type()) ? "-" : c.trainsLayer(e.type()) ? "train" : "eval");
      }
      row.add(onnx != null && onnx.layers().contains(e.type()) ? "onnx" : "-");
      row.add(e.keys().isEmpty() ? "-" : e.keys());
      rows.add(row);
    }
    int[] width = new int[header.size()];
    for (List<String> r : concat(header, rows)) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    for (List<String> r : concat(header, rows)) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(i == r.size() - 1 ? r.get(i) : String.format(Locale.ROOT, "%-" + (width[i] + 2) + "s", r.get(i)));
      }
      out.println(line.toString().stripTrailing());
    }
    out.println();
    for (LayerCatalog.Entry e : LayerCatalog.ENTRIES) {
      out.println(String.format(Locale.ROOT, "%-" + (width[0] + 2) + "s", e.type()) + e.summary());
    }
    if (caps.isEmpty()) {
      out.println("(no backends on the class path)");
    }
    return 0;
  }

  private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    return all;
  }
}
