package io.holdout.testkit;

import static io.holdout.checks.Fixtures.loss;
import static io.holdout.checks.Fixtures.lossSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.holdout.checks.Fixtures;
import io.holdout.api.HoldoutException;
import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.LayerCatalog;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.Weights;
import io.holdout.api.optim.OptimizerSpec;
import io.holdout.losses.LossCatalog;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Capabilities are explicit and honest: every declared layer, loss and optimizer opens, every
 * feature not declared fails when the session opens (not mid-run) with a {@link HoldoutException}
 * naming the backend and the feature, and the backend reports its versions.
 */
public abstract class CapabilityConformanceTest extends ConformanceBase {
  /** Every layer type of the catalogue. */
  public static final Set<String> LAYERS = LayerCatalog.types();

  /** A small model holding {@code layer}, with a head {@code out} of {@code units} outputs. */
  static ModelSpec modelWith(String layer, int units) {
    if (layer.equals("anchors")) {
      // 2 × 2 cells × 1 anchor × 2 values = 8 outputs per sample
      return new ModelSpec(new long[] {1, 4, 4}, List.of(new LayerSpec.MaxPool(2, 2)),
          List.of(HeadSpec.multiScale("out", HeadKind.REGRESSION, units / 4, List.of(0), 1)));
    }
    if (Set.of("add", "mul", "concat").contains(layer)) {
      LayerSpec op = switch (layer) {
        case "add" -> new LayerSpec.Add();
        case "mul" -> new LayerSpec.Mul();
        default -> new LayerSpec.Concat(0);
      };
      return ModelSpec.graph(new long[] {1, 4, 4}, List.of(
              Node.onInput("a", new LayerSpec.Conv2d(2, 3, 1, 1)),
              new Node("b", op, List.of(ModelSpec.INPUT, "a")),
              new Node("c", new LayerSpec.Flatten(), "b")),
          List.of(HeadSpec.dense("out", HeadKind.REGRESSION, units)));
    }
    LayerSpec.Activation.Fn fn = LayerSpec.Activation.Fn.of(layer);
    LayerSpec l = fn != null ? new LayerSpec.Activation(fn) : switch (layer) {
      case "dense" -> new LayerSpec.Dense(4);
      case "relu" -> new LayerSpec.Relu();
      case "dropout" -> new LayerSpec.Dropout(0.5);
      case "flatten" -> new LayerSpec.Flatten();
      case "conv2d" -> new LayerSpec.Conv2d(2, 3, 1, 1);
      case "batchnorm" -> new LayerSpec.BatchNorm();
      case "maxpool" -> new LayerSpec.MaxPool(2, 2);
      case "avgpool" -> new LayerSpec.AvgPool(3, 2, 1, true);
      case "global_avgpool" -> new LayerSpec.GlobalAvgPool();
      case "conv_transpose2d" -> new LayerSpec.ConvTranspose2d(2, 3, 2, 1, 1, true);
      case "layer_norm" -> new LayerSpec.LayerNorm(0);
      case "l2norm" -> new LayerSpec.L2Norm(LayerSpec.L2Norm.SSD_SCALE);
      case "upsample" -> new LayerSpec.Upsample(2, true, false);
      case "reshape" -> new LayerSpec.Reshape(List.of(4L, -1L));
      case "embedding" -> new LayerSpec.Embedding(5, 2);
      default -> throw new IllegalArgumentException(layer);
    };
    List<LayerSpec> trunk = l instanceof LayerSpec.Dense
        ? List.of(new LayerSpec.Flatten(), l)
        : List.of(l, new LayerSpec.Flatten());
    return new ModelSpec(new long[] {1, 4, 4}, trunk, List.of(HeadSpec.dense("out", HeadKind.REGRESSION, units)));
  }

  /** A component of {@code type} reading head {@code out} (8 outputs: 2 anchors × 4). */
  static LossComponentSpec componentOf(String type, ModelSpec model) {
    boolean flat = model.outputShape("out").length == 1;
    if (!flat && (type.equals("cross_entropy") || type.equals("focal"))) {
      return loss("l", "mse", "out", "t");
    }
    return componentOf(type);
  }

  /** A component of {@code type} reading head {@code out}. */
  static LossComponentSpec componentOf(String type) {
    return switch (type) {
      case "multibox_loc" -> loss("l", type, "out", "boxes", "labels", "anchor_labels");
      default -> loss("l", type, "out", "t");
    };
  }

  private SessionSpec spec(ModelSpec model, LossSpec loss, OptimizerSpec opt, Device device) {
    return new SessionSpec(model, Weights.initialize(model, 1), loss, opt, device, 1, 1, 1);
  }

  private OptimizerSpec anyOptimizer() {
    return caps().training() && !caps().optimizers().isEmpty()
        ? Fixtures.optimizer(caps().optimizers().iterator().next(), 0.1, 0, false, 0, 0)
        : null;
  }

  /** {@link #anyOptimizer()} where the backend trains {@code model} with {@code loss}, else none. */
  private OptimizerSpec anyOptimizerFor(ModelSpec model, LossSpec loss) {
    boolean trains = model.layerTypes().stream().allMatch(caps()::trainsLayer)
        && loss.types().stream().allMatch(caps()::trainsLoss);
    return trains ? anyOptimizer() : null;
  }

  /** A layer the backend trains where it trains any ({@code relu} when it can). */
  private String anyLayer() {
    if (caps().trainsLayer("relu") || !caps().training() && caps().layers().contains("relu")) {
      return "relu";
    }
    return caps().layers().stream().filter(caps()::trainsLayer).sorted().findFirst()
        .orElse(caps().layers().iterator().next());
  }

  private String anyLoss() {
    return caps().losses().contains("mse") ? "mse" : caps().losses().iterator().next();
  }

  private void assertRefused(SessionSpec spec, String feature) {
    assertThatThrownBy(() -> open(spec).close())
        .isInstanceOf(HoldoutException.class)
        .hasMessageContaining(backend().name())
        .hasMessageContaining(feature);
  }

  @Test
  void declaredNamesAreKnownNames() {
    assertThat(backend().name()).isNotBlank();
    assertThat(LAYERS).containsAll(caps().layers());
    assertThat(LossCatalog.types().keySet()).containsAll(caps().losses());
    assertThat(OptimizerSpec.TYPES).containsAll(caps().optimizers());
  }

  @Test
  void versionsAreReported() {
    Map<String, String> v = backend().versions();
    assertThat(v).isNotEmpty();
    v.forEach((k, value) -> assertThat(value).as(k).isNotBlank());
  }

  @Test
  void everyDeclaredLayerOpens() {
    for (String layer : caps().layers()) {
      ModelSpec m = modelWith(layer, 8);
      assumeFalse(caps().losses().isEmpty());
      LossSpec loss = lossSpec(componentOf(anyLoss(), m));
      try (TrainingSession s = open(spec(m, loss, anyOptimizerFor(m, loss), Device.CPU))) {
        assertThat(s.weights().tensors().keySet()).as(layer).hasSize(m.parameters().size());
      }
    }
  }

  @Test
  void everyDeclaredLossAndOptimizerOpens() {
    assumeFalse(caps().layers().isEmpty());
    ModelSpec m = modelWith(anyLayer(), 8);
    for (String type : caps().losses()) {
      LossSpec loss = lossSpec(componentOf(type));
      try (TrainingSession s = open(spec(m, loss, anyOptimizerFor(m, loss), Device.CPU))) {
        assertThat(s.weights().tensors()).as(type).isNotEmpty();
      }
    }
    if (caps().training()) {
      for (String type : caps().optimizers()) {
        OptimizerSpec o = Fixtures.optimizer(type, 0.1, 0, false, 0, 0);
        try (TrainingSession s = open(spec(m, lossSpec(componentOf(anyLoss())), o, Device.CPU))) {
          assertThat(s.learningRate()).as(type).isEqualTo(0.1);
        }
      }
    }
  }

  @Test
  void whatIsEvaluatedButNotTrainedFailsAtOpenWithAnOptimizer() {
    assumeTrue(caps().training(), () -> backend().name() + " does not train");
    assertThat(caps().layers()).containsAll(caps().trainingLayers());
    ModelSpec trained = modelWith(anyLayer(), 8);
    for (String layer : caps().layers()) {
      if (!caps().trainsLayer(layer)) {
        ModelSpec m = modelWith(layer, 8);
        LossSpec loss = lossSpec(componentOf(anyLoss(), m));
        try (TrainingSession s = open(spec(m, loss, null, Device.CPU))) {
          assertThat(s.weights().tensors()).as(layer).hasSize(m.parameters().size());
        }
        assertRefused(spec(m, loss, anyOptimizer(), Device.CPU), "training layer '" + layer + "'");
      }
    }
    for (String type : caps().losses()) {
      if (!caps().trainsLoss(type)) {
        assertRefused(spec(trained, lossSpec(componentOf(type)), anyOptimizer(), Device.CPU),
            "training with loss '" + type + "'");
      }
    }
  }

  @Test
  void anUndeclaredLossFailsAtOpenNamingBackendAndLoss() {
    ModelSpec m = modelWith(anyLayer(), 8);
    assertRefused(spec(m, lossSpec(componentOf("no_such_loss")), anyOptimizer(), Device.CPU), "no_such_loss");
    for (String type : LossCatalog.types().keySet()) {
      if (!caps().losses().contains(type)) {
        assertRefused(spec(m, lossSpec(componentOf(type)), anyOptimizer(), Device.CPU), "loss '" + type + "'");
      }
    }
  }

  @Test
  void anUndeclaredLayerFailsAtOpenNamingBackendAndLayer() {
    for (String layer : LAYERS) {
      if (!caps().layers().contains(layer)) {
        assertRefused(spec(modelWith(layer, 8), lossSpec(componentOf(anyLoss())), anyOptimizer(), Device.CPU),
            "layer '" + layer + "'");
      }
    }
  }

  @Test
  void anUndeclaredOptimizerFailsAtOpenNamingBackendAndOptimizer() {
    ModelSpec m = modelWith(anyLayer(), 8);
    LossSpec loss = lossSpec(componentOf(anyLoss()));
    // a type that is not built in exists only with its update rule, which every training backend compiles
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fixtures.optimizer("lbfgs", 0.1, 0, false, 0, 0))
        .hasMessageContaining("'lbfgs' is not built in and has no update rule");
    OptimizerSpec rule = OptimizerSpec.ofRule("lbfgs", 0.1, 0, io.holdout.api.optim.StandardRules.sgd(0, false, 0));
    assertThat(caps().supportsOptimizer(rule)).isEqualTo(caps().training());
    if (!caps().training()) {
      assertRefused(spec(m, loss, rule, Device.CPU), "training");
    }
    for (String type : OptimizerSpec.TYPES) {
      if (caps().training() && !caps().optimizers().contains(type)) {
        assertRefused(spec(m, loss, Fixtures.optimizer(type, 0.1, 0, false, 0, 0), Device.CPU), "optimizer '" + type + "'");
      }
    }
  }

  @Test
  void trainingOrGpuWhereNotDeclaredFailsAtOpen() {
    ModelSpec m = modelWith(anyLayer(), 8);
    LossSpec loss = lossSpec(componentOf(anyLoss()));
    if (!caps().training()) {
      assertRefused(spec(m, loss, Fixtures.optimizer("sgd", 0.1, 0, false, 0, 0), Device.CPU), "training");
    }
    if (!caps().gpu()) {
      assertRefused(spec(m, loss, anyOptimizer(), Device.GPU), "GPU");
    }
  }
}
