package io.holdout.engine.tensorflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Per-operation-type time of a session's training steps, for finding where TensorFlow spends a
 * step: with the system property {@value #PROPERTY}{@code =FILE}, training steps run with
 * TensorFlow's full trace, and closing the session writes {@code FILE}: one line per operation type
 * (total milliseconds, calls, share of the traced operations' time), largest first, then the
 * slowest single nodes. Tracing slows the steps; the figures are for comparing operations, not for
 * speed. Every session closed with the property set writes the file again.
 */
final class StepProfile {
  static final String PROPERTY = "holdout.tensorflow.profile";
  private static final int TOP_NODES = 40;

  private final Path file;
  private final Map<String, long[]> byType = new HashMap<>();
  private final Map<String, long[]> byNode = new HashMap<>();
  private int steps;

  private StepProfile(Path file) {
    this.file = file;
  }

  /** The profile the system property asks for, or null. */
  static StepProfile fromProperty() {
    String v = System.getProperty(PROPERTY);
    return v == null || v.isBlank() ? null : new StepProfile(Path.of(v));
  }

  /** Runs {@code r} with full tracing and adds its operations' times. */
  Result run(Session.Runner r) {
    r.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
    Result res = r.runAndFetchMetadata();
    res.getMetadata().ifPresent(this::add);
    steps++;
    return res;
  }

  private void add(RunMetadata m) {
    for (DeviceStepStats d : m.getStepStats().getDevStatsList()) {
      for (NodeExecStats n : d.getNodeStatsList()) {
        for (long[] t : List.of(byType.computeIfAbsent(type(n), k -> new long[2]),
            byNode.computeIfAbsent(n.getNodeName() + " (" + type(n) + ")", k -> new long[2]))) {
          t[0] += n.getAllEndRelMicros();
          t[1]++;
        }
      }
    }
  }

  private static void table(StringBuilder out, List<Map.Entry<String, long[]>> rows, long total, int limit) {
    for (Map.Entry<String, long[]> e : rows.subList(0, Math.min(limit, rows.size()))) {
      out.append(String.format(Locale.ROOT, "%-40s %10.1f %8d %6.1f%%%n", e.getKey(), e.getValue()[0] / 1e3,
          e.getValue()[1], 100.0 * e.getValue()[0] / Math.max(total, 1)));
    }
  }

  /** The op type from a timeline label {@code "name = Type(inputs)"}; the node name otherwise. */
  private static String type(NodeExecStats n) {
    String label = n.getTimelineLabel();
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', Math.max(eq, 0));
    return eq >= 0 && paren > eq ? label.substring(eq + 3, paren) : n.getNodeName();
  }

  /** Writes the summary (on session close). */
  void write() {
    long total = byType.values().stream().mapToLong(t -> t[0]).sum();
    List<Map.Entry<String, long[]>> rows = new ArrayList<>(byType.entrySet());
    rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "# %d traced training steps; operation type, total ms, calls, share%n", steps));
    table(out, rows, total, rows.size());
    List<Map.Entry<String, long[]>> nodes = new ArrayList<>(byNode.entrySet());
    nodes.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
    out.append(String.format(Locale.ROOT, "# the %d slowest nodes: node (operation type), total ms, calls, share%n",
        Math.min(TOP_NODES, nodes.size())));
    table(out, nodes, total, TOP_NODES);
    try {
      Files.writeString(file, out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the TensorFlow profile " + file, e);
    }
  }
}
