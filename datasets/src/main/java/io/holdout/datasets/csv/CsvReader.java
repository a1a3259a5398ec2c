package io.holdout.datasets.csv;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.datasets.csv.CsvSource.TargetColumns;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses a CSV file for a {@link CsvSource}. */
final class CsvReader {
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final System.Logger LOG = System.getLogger(CsvReader.class.getName());

  private CsvReader() {}

  static CsvDataset read(CsvSource src) {
    Path path = src.path();
    String file = path.toString();
    try (BufferedReader in = open(path)) {
      return read(src, in, file);
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": file not found");
    } catch (java.util.zip.ZipException e) {
      throw new HoldoutException(file + ": not a valid gzip file (" + e.getMessage() + ")");
    } catch (java.io.EOFException e) {
      throw new HoldoutException(file + ": truncated gzip file");
    } catch (CharacterCodingException e) {
      throw new HoldoutException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** A reader of the file's text; a name ending in {@code .gz} is decompressed. */
  private static BufferedReader open(Path path) throws IOException {
    if (!path.getFileName().toString().endsWith(".gz")) {
      return Files.newBufferedReader(path, StandardCharsets.UTF_8);
    }
    java.io.InputStream raw = Files.newInputStream(path);
    try {
      return new BufferedReader(
          new java.io.InputStreamReader(
              new java.util.zip.GZIPInputStream(raw, 1 << 16),
              StandardCharsets.UTF_8.newDecoder()));
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  private static CsvDataset read(CsvSource src, BufferedReader in, String file) throws IOException {
    String headerLine = in.readLine();
    if (headerLine == null) {
      throw new HoldoutException(file + ": empty file (a header row is required)");
    }
    if (headerLine.startsWith("\uFEFF")) {
      headerLine = headerLine.substring(1);
    }
    List<String> header = List.of(split(headerLine, src.delimiter(), file, 1));
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      String name = header.get(i);
      if (name.isEmpty()) {
        throw new HoldoutException(file + ":1: column " + (i + 1) + " has no name");
      }
      if (col.put(name, i) != null) {
        throw new HoldoutException(file + ":1: column '" + name + "' appears twice in the header");
      }
    }
    String known = String.join(", ", header);

    // which column plays which part
    Set<String> nonFeature = new LinkedHashSet<>();
    for (TargetColumns t : src.targets()) {
      for (String c : t.columns()) {
        requireColumn(col, c, file, known);
        nonFeature.add(c);
      }
    }
    if (src.idColumn() != null) {
      requireColumn(col, src.idColumn(), file, known);
      nonFeature.add(src.idColumn());
    }
    for (String c : src.ignored()) {
      requireColumn(col, c, file, known);
      nonFeature.add(c);
    }
    List<String> features;
    if (src.features() != null) {
      features = src.features();
      for (String c : features) {
        requireColumn(col, c, file, known);
        if (nonFeature.contains(c)) {
          throw new HoldoutException(
              file + ": column '" + c + "' is a feature and also a target, the id or ignored");
        }
      }
    } else {
      features = new ArrayList<>();
      for (String c : header) {
        if (!nonFeature.contains(c)) {
          features.add(c);
        }
      }
      if (features.isEmpty()) {
        throw new HoldoutException(file + ": no feature columns left (columns: " + known + ")");
      }
    }
    int nf = features.size();
    int[] featureIdx = features.stream().mapToInt(col::get).toArray();
    // every column that is checked for missing markers
    Set<Integer> used = new LinkedHashSet<>();
    for (int f : featureIdx) {
      used.add(f);
    }
    for (TargetColumns t : src.targets()) {
      t.columns().forEach(c -> used.add(col.get(c)));
    }
    // raw strings are kept for every column that is not a feature
    List<String> rawColumns = new ArrayList<>();
    for (String c : header) {
      if (!features.contains(c)) {
        rawColumns.add(c);
      }
    }
    int[] rawIdx = rawColumns.stream().mapToInt(col::get).toArray();

    float[] x = new float[Math.max(16, nf * 64)];
    int n = 0;
    int[] lines = new int[64];
    List<String[]> raw = new ArrayList<>();
    Map<String, float[]> numbers = new LinkedHashMap<>();
    List<Integer> skipped = new ArrayList<>();
    int lineNo = 1;
    String line;
    rows:
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = split(line, src.delimiter(), file, lineNo);
      if (cells.length != header.size()) {
        throw new HoldoutException(
            file
                + ":"
                + lineNo
                + ": "
                + cells.length
                + " fields, but the header has "
                + header.size()
                + " columns");
      }
      for (int c : used) {
        if (src.missingMarkers().contains(cells[c])) {
          if (src.missing() == MissingValues.SKIP) {
            skipped.add(lineNo);
            continue rows;
          }
          throw new HoldoutException(
              file
                  + ":"
                  + lineNo
                  + ": column '"
                  + header.get(c)
                  + "': missing value"
                  + (cells[c].isEmpty() ? "" : " '" + cells[c] + "'")
                  + " (the missing-value policy is 'error'; 'skip' leaves such rows out)");
        }
      }
      if ((n + 1) * nf > x.length) {
        x = Arrays.copyOf(x, x.length * 2);
      }
      for (int j = 0; j < nf; j++) {
        x[n * nf + j] = number(cells[featureIdx[j]], file, lineNo, features.get(j));
      }
      for (TargetColumns t : src.targets()) {
        if (t.kind() == TargetKind.NUMBER) {
          int w = t.columns().size();
          float[] v = numbers.computeIfAbsent(t.name(), k -> new float[w * 64]);
          if ((n + 1) * w > v.length) {
            v = Arrays.copyOf(v, v.length * 2);
            numbers.put(t.name(), v);
          }
          for (int j = 0; j < w; j++) {
            String c = t.columns().get(j);
            v[n * w + j] = number(cells[col.get(c)], file, lineNo, c);
          }
        }
      }
      String[] r = new String[rawIdx.length];
      for (int j = 0; j < rawIdx.length; j++) {
        r[j] = cells[rawIdx[j]];
      }
      raw.add(r);
      if (n == lines.length) {
        lines = Arrays.copyOf(lines, n * 2);
      }
      lines[n++] = lineNo;
    }
    if (n == 0) {
      throw new HoldoutException(
          file
              + ": no data rows"
              + (skipped.isEmpty() ? "" : " (" + skipped.size() + " skipped for missing values)"));
    }
    if (!skipped.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, CsvDataset.skipReport(file, skipped));
    }

    // class indices
    Map<String, TargetInfo> infos = new LinkedHashMap<>();
    Map<String, long[]> classes = new LinkedHashMap<>();
    Map<String, float[]> numberValues = new LinkedHashMap<>();
    Map<String, Integer> rawPos = new HashMap<>();
    for (int j = 0; j < rawColumns.size(); j++) {
      rawPos.put(rawColumns.get(j), j);
    }
    for (TargetColumns t : src.targets()) {
      if (t.kind() == TargetKind.NUMBER) {
        infos.put(t.name(), TargetInfo.number(t.columns().size()));
        numberValues.put(t.name(), Arrays.copyOf(numbers.get(t.name()), n * t.columns().size()));
        continue;
      }
      String c = t.columns().get(0);
      int p = rawPos.get(c);
      List<String> names = t.classes() != null ? t.classes() : classNames(raw, p, src.classOrder());
      Map<String, Integer> index = new HashMap<>();
      for (int k = 0; k < names.size(); k++) {
        index.put(names.get(k), k);
      }
      long[] labels = new long[n];
      for (int i = 0; i < n; i++) {
        Integer k = index.get(raw.get(i)[p]);
        if (k == null) {
          throw new HoldoutException(
              file
                  + ":"
                  + lines[i]
                  + ": column '"
                  + c
                  + "': unknown class '"
                  + raw.get(i)[p]
                  + "' (classes: "
                  + String.join(", ", names)
                  + ")");
        }
        labels[i] = k;
      }
      infos.put(t.name(), TargetInfo.classes(names));
      classes.put(t.name(), labels);
    }
    return new CsvDataset(
        file,
        header,
        features,
        Arrays.copyOf(x, n * nf),
        infos,
        classes,
        numberValues,
        rawColumns,
        raw,
        Arrays.copyOf(lines, n),
        src.idColumn() == null ? -1 : rawPos.get(src.idColumn()),
        skipped);
  }

  private static void requireColumn(Map<String, Integer> col, String c, String file, String known) {
    if (!col.containsKey(c)) {
      throw new HoldoutException(file + ": no column '" + c + "' (columns: " + known + ")");
    }
  }

  private static List<String> classNames(List<String[]> raw, int p, ClassOrder order) {
    LinkedHashSet<String> seen = new LinkedHashSet<>();
    for (String[] r : raw) {
      seen.add(r[p]);
    }
    List<String> names = new ArrayList<>(seen);
    if (order == ClassOrder.SORTED) {
      boolean integers = names.stream().allMatch(s -> s.matches("[+-]?\\d{1,18}"));
      if (integers) {
        names.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
      } else {
        names.sort(null);
      }
    }
    return names;
  }

  static float number(String cell, String file, int line, String column) {
    if (!DECIMAL.matcher(cell).matches()) {
      throw new HoldoutException(
          file + ":" + line + ": column '" + column + "': '" + cell + "' is not a number");
    }
    float v = Float.parseFloat(cell);
    if (!Float.isFinite(v)) {
      throw new HoldoutException(
          file
              + ":"
              + line
              + ": column '"
              + column
              + "': '"
              + cell
              + "' is outside the float range");
    }
    return v;
  }

  /** Splits one line into trimmed fields, honouring double quotes. */
  static String[] split(String line, char delim, String file, int lineNo) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int len = line.length();
    if (len > 0 && line.charAt(len - 1) == '\r') {
      len--;
    }
    while (true) {
      // skip leading blanks
      int start = i;
      while (i < len && line.charAt(i) == ' ' && delim != ' ') {
        i++;
      }
      if (i < len && line.charAt(i) == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
          if (i >= len) {
            throw new HoldoutException(
                file + ":" + lineNo + ": unterminated quote in field " + (out.size() + 1));
          }
          char ch = line.charAt(i);
          if (ch == '"') {
            if (i + 1 < len && line.charAt(i + 1) == '"') {
              sb.append('"');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          sb.append(ch);
          i++;
        }
        while (i < len && line.charAt(i) == ' ' && delim != ' ') {
          i++;
        }
        if (i < len && line.charAt(i) != delim) {
          throw new HoldoutException(
              file + ":" + lineNo + ": text after the closing quote in field " + (out.size() + 1));
        }
        out.add(sb.toString());
      } else {
        i = start;
        int end = line.indexOf(delim, i);
        if (end < 0 || end > len) {
          end = len;
        }
        out.add(line.substring(i, end).trim());
        i = end;
      }
      if (i >= len) {
        break;
      }
      i++; // the delimiter
      if (i == len) {
        out.add("");
        break;
      }
    }
    return out.toArray(new String[0]);
  }
}
