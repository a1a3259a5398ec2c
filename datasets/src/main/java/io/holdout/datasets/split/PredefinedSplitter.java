package io.holdout.datasets.split;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import io.holdout.datasets.Datasets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A split decided beforehand by the data's authors: a column naming each sample's part ({@link
 * #fromColumn}), or one list file of sample ids per part ({@link #fromListFiles}, e.g. VOC's {@code
 * ImageSets/Main/train.txt}). Every sample must be in exactly one part; a sample listed twice, an
 * unknown id or a sample in no list is an error.
 */
public final class PredefinedSplitter implements Splitter {
  private final List<String> column;
  private final Map<String, String> aliases;
  private final Map<String, Path> files;

  private PredefinedSplitter(
      List<String> column, Map<String, String> aliases, Map<String, Path> files) {
    this.column = column;
    this.aliases = aliases;
    this.files = files;
  }

  /**
   * Parts named by a column: each value must be a part name ({@code train}, {@code val}, {@code
   * test}; {@code validation} and {@code valid} are read as {@code val}).
   */
  public static PredefinedSplitter fromColumn(List<String> values) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(Split.TRAIN, Split.TRAIN);
    a.put(Split.VAL, Split.VAL);
    a.put("validation", Split.VAL);
    a.put("valid", Split.VAL);
    a.put(Split.TEST, Split.TEST);
    return fromColumn(values, a);
  }

  /** Parts named by a column, with a map from column value to part name. */
  public static PredefinedSplitter fromColumn(List<String> values, Map<String, String> partOf) {
    return new PredefinedSplitter(
        List.copyOf(Objects.requireNonNull(values, "values is null")),
        new LinkedHashMap<>(Objects.requireNonNull(partOf, "partOf is null")),
        null);
  }

  /** One file per part, each listing sample ids, one per line (blank lines ignored). */
  public static PredefinedSplitter fromListFiles(Map<String, Path> files) {
    Objects.requireNonNull(files, "files is null");
    if (files.isEmpty() || !files.containsKey(Split.TRAIN)) {
      throw new HoldoutException("predefined split: a '" + Split.TRAIN + "' list file is required");
    }
    return new PredefinedSplitter(null, null, new LinkedHashMap<>(files));
  }

  @Override
  public Split split(Dataset dataset) {
    SplitParts.requireSamples(dataset, "predefined");
    return column != null ? byColumn(dataset) : byFiles(dataset);
  }

  private Split byColumn(Dataset dataset) {
    int n = dataset.size();
    if (column.size() != n) {
      throw new HoldoutException(
          "predefined split: " + column.size() + " values for " + n + " samples");
    }
    Map<String, List<Integer>> parts = new LinkedHashMap<>();
    for (String p : aliases.values()) {
      parts.putIfAbsent(p, new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      String part = aliases.get(column.get(i));
      if (part == null) {
        throw new HoldoutException(
            dataset.describe(i)
                + ": '"
                + column.get(i)
                + "' is not a split part (known: "
                + String.join(", ", aliases.keySet())
                + ")");
      }
      parts.get(part).add(i);
    }
    return toSplit(parts, "predefined(column)");
  }

  private Split byFiles(Dataset dataset) {
    Map<String, Integer> index = new HashMap<>();
    List<String> ids = Datasets.ids(dataset);
    for (int i = 0; i < ids.size(); i++) {
      if (index.put(ids.get(i), i) != null) {
        throw new HoldoutException(
            "predefined split: two samples have the id '"
                + ids.get(i)
                + "' ("
                + dataset.describe(index.get(ids.get(i)))
                + ", "
                + dataset.describe(i)
                + ")");
      }
    }
    String[] where = new String[ids.size()];
    Map<String, List<Integer>> parts = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : files.entrySet()) {
      List<Integer> members = new ArrayList<>();
      parts.put(e.getKey(), members);
      Path file = e.getValue();
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException x) {
        throw new HoldoutException(
            file + ": file not found (list of the '" + e.getKey() + "' part)");
      } catch (IOException x) {
        throw new HoldoutException(file + ": cannot read: " + x.getMessage(), x);
      }
      for (int ln = 0; ln < lines.size(); ln++) {
        String id = lines.get(ln).trim();
        if (id.isEmpty()) {
          continue;
        }
        // VOC per-class lists carry a second column (1 / -1 / 0); the id is the first token
        id = id.split("\\s+")[0];
        Integer i = index.get(id);
        String here = file + ":" + (ln + 1);
        if (i == null) {
          throw new HoldoutException(here + ": no sample with id '" + id + "'");
        }
        if (where[i] != null) {
          throw new HoldoutException(here + ": '" + id + "' is also listed at " + where[i]);
        }
        where[i] = here;
        members.add(i);
      }
    }
    List<String> unlisted = new ArrayList<>();
    for (int i = 0; i < where.length; i++) {
      if (where[i] == null) {
        unlisted.add(ids.get(i));
      }
    }
    if (!unlisted.isEmpty()) {
      throw new HoldoutException(
          "predefined split: "
              + unlisted.size()
              + " sample"
              + (unlisted.size() == 1 ? " is" : "s are")
              + " in no list file (e.g. '"
              + unlisted.get(0)
              + "'); list every sample once");
    }
    return toSplit(parts, "predefined(files)");
  }

  private static Split toSplit(Map<String, List<Integer>> parts, String method) {
    if (parts.getOrDefault(Split.TRAIN, List.of()).isEmpty()) {
      throw new HoldoutException("predefined split: the '" + Split.TRAIN + "' part is empty");
    }
    String[] names = parts.keySet().toArray(new String[0]);
    int[][] idx = new int[names.length][];
    for (int p = 0; p < names.length; p++) {
      idx[p] = parts.get(names[p]).stream().mapToInt(Integer::intValue).toArray();
    }
    return SplitParts.of(names, idx, 0, method);
  }
}
