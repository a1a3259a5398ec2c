package io.holdout.engine.onnx;

import io.holdout.api.model.LayerCatalog;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Backend;
import io.holdout.api.backend.Capabilities;
import io.holdout.api.backend.Precision;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.optim.OptimizerSpec;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The ONNX Runtime backend ({@code onnx}). A session compiles the neutral model and its loss
 * components into one ONNX graph (opset 18, built in Java) whose weights are initializers, and
 * evaluates every layer (multi-scale heads included) and every loss of the catalogue with the
 * PyTorch backend's evaluation semantics, on the CPU.
 *
 * <p>It trains on a stock ONNX Runtime build, which has no training API: the whole training step
 * (forward, loss, reverse-mode gradients, optimizer update) is generated as standard operators
 * ({@link TrainGraph}). The capabilities list the layers and losses that have a backward rule
 * (today the whole catalogue); a training spec with any other fails when it opens, naming it and
 * the alternative. {@link
 * OnnxExport} writes standalone inference models; {@link OnnxModelFile} opens and checks them.
 *
 * <p>Creating it is cheap: the native libraries load on the first {@link #open} or {@link
 * #versions} call.
 */
public final class OnnxBackend implements Backend {
  /** The config name. */
  public static final String NAME = "onnx";

  /** What to do instead of training what has no backward rule here yet. */
  static final String TRAIN_ALTERNATIVE = "train with backend pytorch or tensorflow, then evaluate or export"
      + " with onnx (see `holdout layers`)";

  /** Every catalogue layer. */
  static final Set<String> LAYERS = LayerCatalog.types();

  @Inject
  public OnnxBackend() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@code holdout-engine-onnx} (this module), {@code onnxruntime} (the loaded native library),
   * {@code onnx-opset} and {@code onnx-ir} (what compiled graphs declare) and {@code natives}.
   * Loads the natives.
   */
  @Override
  public Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("holdout-engine-onnx", moduleVersion());
    v.put("onnxruntime", OrtRuntime.version());
    v.put("onnx-opset", String.valueOf(OnnxGraph.OPSET));
    v.put("onnx-ir", String.valueOf(OnnxGraph.IR_VERSION));
    v.put("natives", "cpu (com.microsoft.onnxruntime:onnxruntime " + moduleProperties().getProperty("onnxruntime", "?") + ")");
    return v;
  }

  /**
   * Every layer type and every loss of the catalogue in evaluation; training (sgd, adam, adamw) for
   * the layers with a backward rule in {@link BackwardGraph} and the losses with a gradient in
   * {@link LossGradients}; no GPU.
   */
  @Override
  public Capabilities capabilities() {
    Set<String> trainingLayers = new java.util.TreeSet<>(BackwardGraph.TYPES);
    trainingLayers.retainAll(LAYERS);
    return new Capabilities(
        true,
        false,
        LAYERS,
        Set.copyOf(CompiledLoss.TYPES),
        Set.copyOf(OptimizerSpec.TYPES),
        Map.of(
            "train:*", TRAIN_ALTERNATIVE,
            "gpu", "the onnx backend bundles ONNX Runtime's CPU build only; use device: cpu or auto"),
        trainingLayers,
        trainingLosses()).withPrecisions(Set.of(Precision.FLOAT32, Precision.FLOAT64));
  }

  /**
   * Checks {@link #capabilities()} against {@code spec} (a spec with an optimizer fails here),
   * loads the natives if needed and compiles the model and the loss into one graph in a new
   * session. Thread counts come from {@code spec} (0: ONNX Runtime's default).
   */
  @Override
  public TrainingSession open(SessionSpec spec) {
    Objects.requireNonNull(spec, "spec is null");
    capabilities().check(NAME, spec);
    if (spec.precision() == Precision.FLOAT64) {
      for (String type : new java.util.TreeSet<>(spec.model().layerTypes())) {
        String op = Float64Lowering.UNSUPPORTED.get(type);
        if (op != null) {
          throw new HoldoutException("backend 'onnx' does not support layer '" + type + "' in float64 (ONNX Runtime's"
              + " CPU build has no double " + op + "); use engine.precision: float32, or backend pytorch or tensorflow");
        }
      }
    }
    return new OnnxSession(spec);
  }

  private static Set<String> trainingLosses() {
    Set<String> out = new java.util.HashSet<>(LossGradients.TYPES);
    out.add(Capabilities.PLUGIN_LOSSES);
    return out;
  }

  /** Whether the native libraries have been loaded in this process by this module. */
  static boolean nativesLoaded() {
    return OrtRuntime.loaded();
  }

  /** This module's version, from its build. */
  static String moduleVersion() {
    return moduleProperties().getProperty("version", "unknown");
  }

  private static Properties moduleProperties() {
    Properties p = new Properties();
    try (InputStream in = OnnxBackend.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
