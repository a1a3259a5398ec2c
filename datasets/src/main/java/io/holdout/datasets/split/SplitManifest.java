package io.holdout.datasets.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.Split;
import io.holdout.api.data.Splitter;
import io.holdout.datasets.Datasets;
import io.holdout.datasets.internal.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The record of a split, written into the run folder ({@code split.json}) and read back to
 * reproduce the run exactly. It holds the method and seed, the indices and ids of every part, the
 * split's hash ({@link Split#hash()}) and a hash of the dataset's sample ids in index order, so
 * that reusing it on a different or reordered dataset fails instead of silently mixing parts.
 *
 * <pre>{@code
 * {
 *   "format" : "holdout-split/1",
 *   "method" : "stratified(species)",
 *   "seed" : 42,
 *   "samples" : 150,
 *   "hash" : "6f0c...",
 *   "dataset_ids_hash" : "sha256:9b1d...",
 *   "parts" : { "train" : { "indices" : [ 0, 3, ... ], "ids" : [ "iris.csv:2", ... ] }, ... }
 * }
 * }</pre>
 */
public final class SplitManifest {
  /** The value of the {@code format} field. */
  public static final String FORMAT = "holdout-split/1";

  private final Split split;
  private final int samples;
  private final String idsHash;
  private final Map<String, List<String>> ids;

  private SplitManifest(Split split, int samples, String idsHash, Map<String, List<String>> ids) {
    this.split = split;
    this.samples = samples;
    this.idsHash = idsHash;
    this.ids = ids;
  }

  /** The manifest of {@code split} made on {@code dataset}. */
  public static SplitManifest of(Dataset dataset, Split split) {
    Objects.requireNonNull(dataset, "dataset is null");
    Objects.requireNonNull(split, "split is null");
    List<String> all = Datasets.ids(dataset);
    Map<String, List<String>> ids = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : split.parts().entrySet()) {
      List<String> p = new ArrayList<>(e.getValue().length);
      for (int i : e.getValue()) {
        if (i < 0 || i >= all.size()) {
          throw new IllegalArgumentException(
              "split part '" + e.getKey() + "' holds index " + i + " outside the dataset");
        }
        p.add(all.get(i));
      }
      ids.put(e.getKey(), p);
    }
    return new SplitManifest(split, all.size(), idsHash(all), ids);
  }

  /** SHA-256 over the ids in index order (each id as UTF-8, then a NUL byte). */
  public static String idsHash(List<String> ids) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String id : ids) {
        md.update(id.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Split split() {
    return split;
  }

  /** Dataset size the split was made on. */
  public int samples() {
    return samples;
  }

  public String datasetIdsHash() {
    return idsHash;
  }

  /** Sample ids per part (empty lists when the file held no ids). */
  public Map<String, List<String>> ids() {
    return ids;
  }

  /** The manifest as a JSON tree. */
  public JsonNode toJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("format", FORMAT);
    o.put("method", split.method());
    o.put("seed", split.seed());
    o.put("samples", samples);
    o.put("hash", split.hash());
    o.put("dataset_ids_hash", idsHash);
    ObjectNode parts = o.putObject("parts");
    for (Map.Entry<String, int[]> e : split.parts().entrySet()) {
      ObjectNode p = parts.putObject(e.getKey());
      ArrayNode idx = p.putArray("indices");
      for (int i : e.getValue()) {
        idx.add(i);
      }
      ArrayNode idList = p.putArray("ids");
      ids.getOrDefault(e.getKey(), List.of()).forEach(idList::add);
    }
    return o;
  }

  public void write(Path file) {
    Json.write(file, toJson());
  }

  /** Reads and checks a manifest (format, indices in range and disjoint, hash). */
  public static SplitManifest read(Path file) {
    return fromJson(Json.read(file), file.toString());
  }

  static SplitManifest fromJson(JsonNode o, String where) {
    if (!o.isObject() || !FORMAT.equals(o.path("format").asText())) {
      throw new HoldoutException(
          where + ": not a split manifest (format must be '" + FORMAT + "')");
    }
    JsonNode samplesNode = o.get("samples");
    if (samplesNode == null || !samplesNode.canConvertToInt() || samplesNode.asInt() < 0) {
      throw new HoldoutException(where + ": 'samples' must be a count");
    }
    int samples = samplesNode.asInt();
    JsonNode partsNode = o.get("parts");
    if (partsNode == null || !partsNode.isObject()) {
      throw new HoldoutException(where + ": 'parts' must be an object of part name -> indices");
    }
    Map<String, int[]> parts = new LinkedHashMap<>();
    Map<String, List<String>> ids = new LinkedHashMap<>();
    String[] owner = new String[samples];
    var it = partsNode.fields();
    while (it.hasNext()) {
      var e = it.next();
      String part = e.getKey();
      JsonNode idx = e.getValue().get("indices");
      if (idx == null || !idx.isArray()) {
        throw new HoldoutException(where + ": parts." + part + ".indices must be an array");
      }
      int[] a = new int[idx.size()];
      for (int k = 0; k < a.length; k++) {
        JsonNode v = idx.get(k);
        if (!v.canConvertToInt()
            || !v.isIntegralNumber()
            || v.asInt() < 0
            || v.asInt() >= samples) {
          throw new HoldoutException(
              where
                  + ": parts."
                  + part
                  + ".indices["
                  + k
                  + "] = "
                  + v
                  + " is not an index below "
                  + samples);
        }
        a[k] = v.asInt();
        if (owner[a[k]] != null) {
          throw new HoldoutException(
              where
                  + ": index "
                  + a[k]
                  + " is in part '"
                  + owner[a[k]]
                  + "' and in part '"
                  + part
                  + "'");
        }
        owner[a[k]] = part;
      }
      parts.put(part, a);
      List<String> idList = new ArrayList<>();
      e.getValue().path("ids").forEach(n -> idList.add(n.asText()));
      if (!idList.isEmpty() && idList.size() != a.length) {
        throw new HoldoutException(
            where
                + ": parts."
                + part
                + " has "
                + a.length
                + " indices but "
                + idList.size()
                + " ids");
      }
      ids.put(part, idList);
    }
    Split split = new Split(parts, o.path("seed").asLong(), o.path("method").asText("manifest"));
    String hash = o.path("hash").asText(null);
    if (hash != null && !hash.equals(split.hash())) {
      throw new HoldoutException(
          where
              + ": 'hash' "
              + hash
              + " does not match the parts ("
              + split.hash()
              + "); was the file edited? Remove 'hash' to accept the edit");
    }
    return new SplitManifest(split, samples, o.path("dataset_ids_hash").asText(""), ids);
  }

  /**
   * The recorded split, after checking that {@code dataset} is the one it was made on (same size
   * and same ids in the same order).
   *
   * @param where names the manifest file in messages
   */
  public Split splitFor(Dataset dataset, String where) {
    if (dataset.size() != samples) {
      throw new HoldoutException(
          where
              + ": the split was made on "
              + samples
              + " samples, this dataset has "
              + dataset.size());
    }
    if (!idsHash.isEmpty()) {
      List<String> now = Datasets.ids(dataset);
      if (!idsHash(now).equals(idsHash)) {
        throw new HoldoutException(where + ": " + firstDifference(now));
      }
    }
    return split;
  }

  private String firstDifference(List<String> now) {
    String[] then = new String[samples];
    boolean known = false;
    for (Map.Entry<String, int[]> e : split.parts().entrySet()) {
      List<String> p = ids.getOrDefault(e.getKey(), List.of());
      for (int k = 0; k < p.size(); k++) {
        then[e.getValue()[k]] = p.get(k);
        known = true;
      }
    }
    if (known) {
      for (int i = 0; i < samples; i++) {
        if (then[i] != null && !then[i].equals(now.get(i))) {
          return "the dataset changed since the split was made: sample "
              + i
              + " was '"
              + then[i]
              + "', now it is '"
              + now.get(i)
              + "'";
        }
      }
    }
    return "the dataset's sample ids do not match the ones the split was made on";
  }

  /** A splitter that returns the recorded split (checked against the dataset). */
  public Splitter asSplitter(String where) {
    return dataset -> splitFor(dataset, where);
  }
}
