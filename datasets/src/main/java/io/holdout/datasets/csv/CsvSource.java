package io.holdout.datasets.csv;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.TargetKind;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.DatasetSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A CSV table with a header row: some columns are the numeric input features, others are targets (a
 * class per row, or numbers to regress). {@link #open()} reads and checks the whole file.
 *
 * <pre>{@code
 * CsvDataset iris = CsvSource.builder(Path.of("iris.csv"))
 *     .features("sepal_length", "sepal_width", "petal_length", "petal_width")
 *     .classTarget("species", "species")
 *     .build()
 *     .open();
 * }</pre>
 *
 * <p>Format: the first line is the header (required; column names must be unique); fields are
 * separated by the delimiter (default {@code ,}); a field may be quoted with {@code "} (a doubled
 * {@code ""} inside is a quote; a quoted field cannot span lines); unquoted fields are trimmed;
 * empty lines are ignored. A feature or number cell must be a finite decimal number ({@code NaN},
 * {@code Infinity} and Java suffixes such as {@code 1f} are refused). A cell equal to a missing
 * marker (default: empty or {@code NA}) in a used column is handled by the {@link MissingValues}
 * policy. The text is UTF-8; a file whose name ends in {@code .gz} is decompressed first.
 */
public final class CsvSource implements DatasetSource {
  /** One target: its name in the schema, its kind, the column(s) and optional fixed classes. */
  record TargetColumns(String name, TargetKind kind, List<String> columns, List<String> classes) {}

  private final Path path;
  private final List<String> features;
  private final List<String> ignored;
  private final List<TargetColumns> targets;
  private final char delimiter;
  private final MissingValues missing;
  private final Set<String> missingMarkers;
  private final ClassOrder classOrder;
  private final String idColumn;

  private CsvSource(Builder b) {
    this.path = b.path;
    this.features = b.features == null ? null : List.copyOf(b.features);
    this.ignored = List.copyOf(b.ignored);
    this.targets = List.copyOf(b.targets.values());
    this.delimiter = b.delimiter;
    this.missing = b.missing;
    this.missingMarkers = Set.copyOf(b.missingMarkers);
    this.classOrder = b.classOrder;
    this.idColumn = b.idColumn;
  }

  public static Builder builder(Path path) {
    return new Builder(path);
  }

  public Path path() {
    return path;
  }

  /** Reads the file; every problem is a {@link HoldoutException} naming the file and line. */
  @Override
  public CsvDataset open() {
    return CsvReader.read(this);
  }

  List<String> features() {
    return features;
  }

  List<String> ignored() {
    return ignored;
  }

  List<TargetColumns> targets() {
    return targets;
  }

  char delimiter() {
    return delimiter;
  }

  MissingValues missing() {
    return missing;
  }

  Set<String> missingMarkers() {
    return missingMarkers;
  }

  ClassOrder classOrder() {
    return classOrder;
  }

  String idColumn() {
    return idColumn;
  }

  /** Configures a {@link CsvSource}: the path is required, everything else has a default. */
  public static final class Builder {
    private final Path path;
    private List<String> features;
    private final List<String> ignored = new ArrayList<>();
    private final Map<String, TargetColumns> targets = new LinkedHashMap<>();
    private char delimiter = ',';
    private MissingValues missing = MissingValues.ERROR;
    private Set<String> missingMarkers = Set.of("", "NA");
    private ClassOrder classOrder = ClassOrder.SORTED;
    private String idColumn;

    private Builder(Path path) {
      this.path = Objects.requireNonNull(path, "path is null");
    }

    /**
     * The input feature columns, in this order. Default: every column that is not a target, the id
     * column or ignored, in file order.
     */
    public Builder features(String... columns) {
      return features(List.of(columns));
    }

    public Builder features(List<String> columns) {
      List<String> copy = List.copyOf(columns);
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("features: no columns given");
      }
      if (new LinkedHashSet<>(copy).size() != copy.size()) {
        throw new HoldoutException("features: a column is listed twice in " + copy);
      }
      this.features = copy;
      return this;
    }

    /** Columns that are neither features nor targets (e.g. a patient id used for grouping). */
    public Builder optIgnore(String... columns) {
      ignored.addAll(List.of(columns));
      return this;
    }

    /**
     * A class target named {@code name} read from {@code column}; classes are indexed by the {@link
     * #optClassOrder class order}.
     */
    public Builder classTarget(String name, String column) {
      return addTarget(new TargetColumns(name, TargetKind.CLASS, List.of(column), null));
    }

    /**
     * A class target with a fixed class list: class {@code classes.get(i)} has index {@code i} and
     * any other value is an error.
     */
    public Builder classTarget(String name, String column, List<String> classes) {
      List<String> copy = List.copyOf(classes);
      if (copy.isEmpty() || new LinkedHashSet<>(copy).size() != copy.size()) {
        throw new HoldoutException(
            "target '" + name + "': the class list must be non-empty and without repeats: " + copy);
      }
      return addTarget(new TargetColumns(name, TargetKind.CLASS, List.of(column), copy));
    }

    /** A number target: one value per column, a vector of {@code columns.length} per sample. */
    public Builder numberTarget(String name, String... columns) {
      if (columns.length == 0) {
        throw new IllegalArgumentException("target '" + name + "': no columns given");
      }
      return addTarget(new TargetColumns(name, TargetKind.NUMBER, List.of(columns), null));
    }

    /** A target of kind {@code NUMBER} or {@code CLASS} read from one column. */
    public Builder target(String name, String column, TargetKind kind) {
      Objects.requireNonNull(kind, "kind is null");
      return switch (kind) {
        case NUMBER -> numberTarget(name, column);
        case CLASS -> classTarget(name, column);
        default ->
            throw new HoldoutException(
                "target '" + name + "': a CSV target is NUMBER or CLASS, not " + kind);
      };
    }

    private Builder addTarget(TargetColumns t) {
      Objects.requireNonNull(t.name(), "target name is null");
      if (t.name().equals(Batch.INPUT)) {
        throw new HoldoutException("target name '" + Batch.INPUT + "' is reserved for the input");
      }
      if (targets.containsKey(t.name())) {
        throw new HoldoutException("target '" + t.name() + "' is defined twice");
      }
      targets.put(t.name(), t);
      return this;
    }

    /** Field separator; default {@code ,}. */
    public Builder optDelimiter(char delimiter) {
      if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
        throw new IllegalArgumentException("delimiter cannot be " + delimiter);
      }
      this.delimiter = delimiter;
      return this;
    }

    /** Missing-value policy; default {@link MissingValues#ERROR}. */
    public Builder optMissing(MissingValues policy) {
      this.missing = Objects.requireNonNull(policy, "policy is null");
      return this;
    }

    /** Cell values (after trimming) that mean "missing"; default the empty cell and {@code NA}. */
    public Builder optMissingMarkers(Set<String> markers) {
      this.missingMarkers = Set.copyOf(markers);
      return this;
    }

    /** How classes without an explicit list are indexed; default {@link ClassOrder#SORTED}. */
    public Builder optClassOrder(ClassOrder order) {
      this.classOrder = Objects.requireNonNull(order, "order is null");
      return this;
    }

    /** A column holding sample ids; default ids are {@code file.csv:line}. */
    public Builder optIdColumn(String column) {
      this.idColumn = Objects.requireNonNull(column, "column is null");
      return this;
    }

    public CsvSource build() {
      return new CsvSource(this);
    }

    /** Shortcut for {@code build().open()}. */
    public CsvDataset open() {
      return build().open();
    }
  }
}
