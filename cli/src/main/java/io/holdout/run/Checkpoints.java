package io.holdout.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.holdout.api.HoldoutException;
import io.holdout.api.io.AtomicFiles;
import io.holdout.api.io.Safetensors;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Tensor;
import io.holdout.api.train.EpochSummary;
import io.holdout.api.train.RunState;
import io.holdout.api.train.TrainingContext;
import io.holdout.api.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code checkpoints/last.safetensors} after every epoch and {@code
 * checkpoints/best.safetensors} whenever the monitor improves. Each checkpoint is one safetensors
 * file, written atomically (temporary file, then rename), holding the weights, the engine's
 * training state (tensors prefixed {@code state.}) and, in its metadata, the loop's state as JSON
 * (epoch, learning rate, monitor, plateau, why training stopped, every epoch's figures so far, and
 * the run's identity: config, data and split hashes). A JSON sidecar with the same state is written
 * next to it for people; resume trusts the safetensors file only, so a crash between the two writes
 * cannot mislead it.
 */
public final class Checkpoints implements TrainingListener {
  public static final String DIR = "checkpoints";
  public static final String LAST = "last.safetensors";
  public static final String BEST = "best.safetensors";
  static final String STATE_PREFIX = "state.";
  static final String META_KEY = "holdout.checkpoint";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final RunIdentity id;
  private final String monitorKey;

  Checkpoints(Path runDir, RunIdentity id, String monitorKey) {
    this.dir = runDir.resolve(DIR);
    this.id = id;
    this.monitorKey = monitorKey;
  }

  @Override
  public void onNewBest(TrainingContext ctx, EpochSummary summary) {
    ObjectNode meta = JSON.createObjectNode();
    meta.put("epoch", summary.epoch());
    meta.put("monitor", monitorKey);
    meta.put("config_hash", id.configHash());
    meta.put("split_hash", id.splitHash());
    write(BEST, ctx.session().weights(), Map.of(), meta);
  }

  @Override
  public void onEpochCommitted(TrainingContext ctx, RunState s) {
    ObjectNode meta = JSON.createObjectNode();
    meta.put("format", 1);
    meta.put("epoch", s.completedEpochs());
    meta.put("lr", ctx.session().learningRate());
    meta.put("base_lr", s.baseLr());
    ObjectNode m = meta.putObject("monitor");
    m.put("key", monitorKey);
    if (s.monitorBest() != null) {
      m.put("best", s.monitorBest());
    }
    m.put("best_epoch", s.monitorBestEpoch());
    m.put("bad_epochs", s.monitorBad());
    ObjectNode p = meta.putObject("plateau");
    p.put("scale", s.plateauScale());
    p.put("bad_epochs", s.plateauBad());
    p.put("cooldown_left", s.plateauCooldown());
    if (s.stopReason() != null) {
      meta.put("stop_reason", s.stopReason());
    }
    meta.put("sampler", "shuffle order of epoch e is derived from the run seed and e: nothing to save");
    meta.put("config_hash", id.configHash());
    meta.put("split_hash", id.splitHash());
    meta.put("data_hash", id.dataHash());
    meta.put("config", id.configYaml());
    meta.set("history", History.toJson(s.history()));
    Map<String, Tensor> state;
    try {
      state = ctx.session().trainingState();
      meta.put("resumable", true);
    } catch (HoldoutException e) {
      state = Map.of();
      meta.put("resumable", false);
      meta.put("not_resumable_because", e.getMessage());
    }
    write(LAST, ctx.session().weights(), state, meta);
  }

  private void write(String name, Weights weights, Map<String, Tensor> state, ObjectNode meta) {
    Map<String, Tensor> tensors = new LinkedHashMap<>(weights.tensors());
    state.forEach((k, v) -> tensors.put(STATE_PREFIX + k, v));
    String json = meta.toString();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new HoldoutException(dir + ": cannot create checkpoint folder (" + e.getMessage() + ")");
    }
    Safetensors.write(dir.resolve(name), tensors, Map.of(META_KEY, json));
    AtomicFiles.writeString(dir.resolve(name.replace(".safetensors", ".json")), meta.toPrettyString() + "\n");
  }

  /** A checkpoint read back: weights, engine state and the loop's state. */
  public record Loaded(Weights weights, Map<String, Tensor> state, JsonNode meta) {
    public int epoch() {
      return meta.path("epoch").asInt();
    }
  }

  /** Reads a checkpoint, validating the file; errors name it. */
  public static Loaded read(Path file) {
    Safetensors.Contents c = Safetensors.read(file);
    String json = c.metadata().get(META_KEY);
    if (json == null) {
      throw new HoldoutException(file + ": not a holdout checkpoint (no " + META_KEY + " metadata)");
    }
    JsonNode meta;
    try {
      meta = JSON.readTree(json);
    } catch (IOException e) {
      throw new HoldoutException(file + ": checkpoint metadata is not valid JSON");
    }
    Map<String, Tensor> w = new LinkedHashMap<>();
    Map<String, Tensor> state = new LinkedHashMap<>();
    c.tensors().forEach((k, v) -> {
      if (k.startsWith(STATE_PREFIX)) {
        state.put(k.substring(STATE_PREFIX.length()), v);
      } else {
        w.put(k, v);
      }
    });
    return new Loaded(new Weights(w), state, meta);
  }

  /** The loop state to continue after {@code last}, with {@code best} weights if present. */
  public static RunState runState(Loaded last, Weights best, Path file) {
    if (!last.meta().path("resumable").asBoolean(false)) {
      throw new HoldoutException(file + ": this checkpoint cannot be resumed exactly: "
          + last.meta().path("not_resumable_because").asText("no optimizer state was saved"));
    }
    JsonNode m = last.meta().path("monitor");
    JsonNode p = last.meta().path("plateau");
    List<EpochSummary> history = History.fromJson(last.meta().get("history"), file.toString());
    if (history.size() != last.epoch()) {
      throw new HoldoutException(file + ": checkpoint of epoch " + last.epoch() + " holds " + history.size()
          + " epochs of history (written by an older holdout?); it cannot be resumed exactly");
    }
    JsonNode stop = last.meta().get("stop_reason");
    return new RunState(last.epoch(), last.meta().path("base_lr").asDouble(), history,
        m.has("best") ? m.get("best").asDouble() : null, m.path("best_epoch").asInt(), m.path("bad_epochs").asInt(),
        p.path("scale").asDouble(1), p.path("bad_epochs").asInt(), p.path("cooldown_left").asInt(), best,
        stop == null || stop.isNull() ? null : stop.asText());
  }
}
