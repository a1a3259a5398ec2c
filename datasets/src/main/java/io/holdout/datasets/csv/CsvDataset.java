package io.holdout.datasets.csv;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.Field;
import io.holdout.api.data.Sample;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.IdentifiedDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The rows of a CSV file, held in memory: sample {@code i} has input {@code Field.vector(features)}
 * and, per target, {@code Field.label(classIndex)} or {@code Field.vector(values)}. Sample ids are
 * {@code file.csv:line} (file name without folders) unless an id column was named.
 */
public final class CsvDataset implements IdentifiedDataset {
  private final String file;
  private final String fileName;
  private final List<String> header;
  private final List<String> features;
  private final float[] x;
  private final DatasetSchema schema;
  private final Map<String, long[]> classes;
  private final Map<String, float[]> numbers;
  private final List<String> rawColumns;
  private final List<String[]> raw;
  private final int[] lines;
  private final int idPos;
  private final List<Integer> skippedLines;

  CsvDataset(
      String file,
      List<String> header,
      List<String> features,
      float[] x,
      Map<String, TargetInfo> targets,
      Map<String, long[]> classes,
      Map<String, float[]> numbers,
      List<String> rawColumns,
      List<String[]> raw,
      int[] lines,
      int idPos,
      List<Integer> skippedLines) {
    this.file = file;
    this.fileName = Path.of(file).getFileName().toString();
    this.header = List.copyOf(header);
    this.features = List.copyOf(features);
    this.x = x;
    this.schema = new DatasetSchema(new long[] {features.size()}, features, targets);
    this.classes = classes;
    this.numbers = numbers;
    this.rawColumns = List.copyOf(rawColumns);
    this.raw = raw;
    this.lines = lines;
    this.idPos = idPos;
    this.skippedLines = List.copyOf(skippedLines);
  }

  @Override
  public DatasetSchema schema() {
    return schema;
  }

  @Override
  public int size() {
    return lines.length;
  }

  @Override
  public Sample get(int index) {
    int nf = features.size();
    Map<String, Field> fields = new LinkedHashMap<>();
    fields.put(Batch.INPUT, Field.vector(Arrays.copyOfRange(x, index * nf, (index + 1) * nf)));
    for (Map.Entry<String, TargetInfo> e : schema.targets().entrySet()) {
      long[] labels = classes.get(e.getKey());
      if (labels != null) {
        fields.put(e.getKey(), Field.label(labels[index]));
      } else {
        int w = (int) e.getValue().shape()[0];
        float[] v = numbers.get(e.getKey());
        fields.put(e.getKey(), Field.vector(Arrays.copyOfRange(v, index * w, (index + 1) * w)));
      }
    }
    return new Sample(id(index), fields);
  }

  @Override
  public String id(int index) {
    return idPos >= 0 ? raw.get(index)[idPos] : fileName + ":" + lines[index];
  }

  /** {@code file:line} of sample {@code index}. */
  @Override
  public String describe(int index) {
    return file + ":" + lines[index];
  }

  @Override
  public OptionalLong label(int index, String target) {
    long[] labels = classes.get(target);
    return labels == null ? OptionalLong.empty() : OptionalLong.of(labels[index]);
  }

  /** The file as given. */
  public String file() {
    return file;
  }

  /** The line number (1-based; the header is line 1) of sample {@code index}. */
  public int line(int index) {
    return lines[index];
  }

  /** All column names, in file order. */
  public List<String> columns() {
    return header;
  }

  /** The feature columns, in input order. */
  public List<String> features() {
    return features;
  }

  /**
   * The cells of one column, one per sample (for group keys, predefined split columns, ids).
   * Feature columns come back as the parsed numbers.
   */
  public List<String> column(String name) {
    int p = rawColumns.indexOf(name);
    if (p >= 0) {
      List<String> out = new ArrayList<>(raw.size());
      for (String[] r : raw) {
        out.add(r[p]);
      }
      return out;
    }
    int f = features.indexOf(name);
    if (f < 0) {
      throw new HoldoutException(
          file + ": no column '" + name + "' (columns: " + String.join(", ", header) + ")");
    }
    List<String> out = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      out.add(Float.toString(x[i * features.size() + f]));
    }
    return out;
  }

  /** Lines left out by the {@link MissingValues#SKIP} policy, ascending; empty otherwise. */
  public List<Integer> skippedLines() {
    return skippedLines;
  }

  /** A one-line report of the rows left out, or an empty string when none were. */
  public String skipReport() {
    return skippedLines.isEmpty() ? "" : skipReport(file, skippedLines);
  }

  static String skipReport(String file, List<Integer> skipped) {
    String shown =
        skipped.stream().limit(10).map(String::valueOf).collect(Collectors.joining(", "));
    return file
        + ": skipped "
        + skipped.size()
        + " row"
        + (skipped.size() == 1 ? "" : "s")
        + " with missing values (lines "
        + shown
        + (skipped.size() > 10 ? ", ..." : "")
        + ")";
  }

  @Override
  public String toString() {
    return "CsvDataset["
        + file
        + ", "
        + size()
        + " rows, "
        + features.size()
        + " features, targets "
        + schema.targets().keySet()
        + "]";
  }
}
