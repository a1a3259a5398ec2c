package io.holdout.api.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import io.holdout.api.HoldoutException;
import io.holdout.api.config.MetricConfig;
import io.holdout.api.config.TrainerConfig;
import io.holdout.api.inject.ExtensionModule;
import io.holdout.api.metrics.Direction;
import io.holdout.api.metrics.Metric;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import io.holdout.api.train.CorePlugin;
import io.holdout.api.train.LrSchedule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: discovery, duplicate and unknown names, and the strict injector's map bindings. */
class ExtensionsTest {
  /** A metric that counts its batches, enough to tell which factory built it. */
  record Counting(String name) implements Metric {
    @Override
    public Direction direction() {
      return Direction.MAX;
    }

    @Override
    public void reset() {}

    @Override
    public void update(Map<String, Tensor> outputs, Batch batch) {}

    @Override
    public double value() {
      return 42;
    }
  }

  record TestPlugin(String name, String metric) implements Plugin {
    @Override
    public void register(Registry r) {
      r.metric(metric, c -> new Counting(c.output() + "." + metric + "_" + c.params().getOrDefault("p", "none")));
    }
  }

  private static TrainerConfig.ScheduleConfig schedule(String type, Integer stepEpochs, Double gamma) {
    return new TrainerConfig.ScheduleConfig(type, stepEpochs, gamma, null, 0.0, 0.0);
  }

  @Test
  void theClassPathHoldsTheCoreScheduleRegisteredByItsPlugin() {
    Extensions e = Extensions.installed();
    assertThat(e.plugins()).contains("core");
    assertThat(e.owners(Extensions.SCHEDULE)).containsEntry("step", "core").containsEntry("cosine", "core")
        .containsEntry("multistep", "core").containsEntry("constant", "core");
    LrSchedule step = Parts.of(e).schedule(schedule("step", 2, 0.5), "x.yaml");
    // epochs 0-1 at the base rate, 2-3 halved, 4-5 quartered
    assertThat(step.lr(0.8, 3, 0, 10, 6)).isCloseTo(0.4, within(1e-15));
    assertThat(step.lr(0.8, 4, 0, 10, 6)).isCloseTo(0.2, within(1e-15));
  }

  @Test
  void aNameRegisteredByTwoPluginsFailsNamingBoth() {
    assertThatThrownBy(() -> Extensions.of(List.of(new TestPlugin("first", "hits"), new TestPlugin("second", "hits"))))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("the metric 'hits' is registered twice: by plugin 'first' and by plugin 'second'");
    assertThatThrownBy(() -> Extensions.of(List.of(new TestPlugin("odd", "Hits!"))))
        .isInstanceOf(HoldoutException.class)
        .hasMessageStartingWith("plugin 'odd' registers a metric named 'Hits!': names are lower case");
  }

  @Test
  void anUnknownNameListsTheRegisteredOnesOnOneLine() {
    Parts parts = Parts.of(Extensions.of(List.of(new TestPlugin("a", "zeta"), new TestPlugin("b", "alpha"),
        new CorePlugin())));
    assertThatThrownBy(() -> parts.metric(new MetricConfig("gamma", "y", null, null), 2, "run.yaml"))
        .isInstanceOf(HoldoutException.class)
        .hasMessage("run.yaml: 'metrics.2.type' 'gamma' is not a registered metric (registered: alpha, zeta)");
    assertThatThrownBy(() -> parts.schedule(schedule("linear", null, 0.1), "run.yaml"))
        .hasMessage("run.yaml: 'trainer.schedule.type' 'linear' is not a registered schedule "
            + "(registered: constant, cosine, multistep, step)");
    assertThatThrownBy(() -> parts.schedule(schedule("step", 0, 0.1), "run.yaml"))
        .hasMessage("run.yaml: 'trainer.schedule.stepEpochs' must be > 0 for a step schedule");
  }

  @Test
  void theStrictInjectorBindsEveryPointAsAMapKeyedByConfigName() {
    Extensions e = Extensions.of(List.of(new CorePlugin(), new TestPlugin("user", "hits")));
    Injector injector = Guice.createInjector(Stage.PRODUCTION, new AbstractModule() {
      @Override
      protected void configure() {
        binder().requireExplicitBindings();
        binder().disableCircularProxies();
        install(new ExtensionModule(e));
      }
    });
    Map<String, MetricFactory> metrics = injector.getInstance(Key.get(new TypeLiteral<Map<String, MetricFactory>>() {}));
    assertThat(metrics).containsOnlyKeys("hits");
    assertThat(injector.getInstance(Key.get(new TypeLiteral<Map<String, ScheduleFactory>>() {})))
        .containsOnlyKeys("constant", "cosine", "multistep", "step");
    assertThat(injector.getInstance(Key.get(new TypeLiteral<Map<String, OptimizerFactory>>() {})))
        .containsOnlyKeys("adam", "adamw", "sgd");
    assertThat(injector.getInstance(Parts.class).optimizerNames()).containsExactly("adam", "adamw", "sgd");
    Metric m = injector.getInstance(Parts.class).metric(new MetricConfig("hits", "y", null, Map.of("p", 3)), 0, "f");
    assertThat(m.name()).isEqualTo("y.hits_3");
    Metric noParams = injector.getInstance(Parts.class).metric(new MetricConfig("hits", "y", null, null), 0, "f");
    assertThat(noParams.name()).isEqualTo("y.hits_none");
  }
}
