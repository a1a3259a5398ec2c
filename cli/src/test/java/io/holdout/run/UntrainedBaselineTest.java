package io.holdout.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.holdout.api.backend.Device;
import io.holdout.api.backend.SessionSpec;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.data.Dataset;
import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.train.EvalSummary;
import io.holdout.api.train.Trainer;
import io.holdout.datasets.csv.CsvSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.datasets.transform.Standardizer;
import io.holdout.engine.pytorch.PyTorchBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading a loss: an untrained model (holdout's default initialisation, small logits) scores about
 * the uniform-guess cross-entropy ln C, the baseline printed beside the classification component.
 */
class UntrainedBaselineTest {
  @Test
  void untrainedClassificationLossIsCloseToLnC() {
    Dataset iris = CsvSource.builder(Path.of("../examples/data/iris.csv"))
        .features("sepal_length", "sepal_width", "petal_length", "petal_width")
        .classTarget("species", "species").open();
    Dataset std = Standardizer.fit(iris).applyTo(iris);
    ModelSpec model = new ModelSpec(new long[] {4}, List.of(new LayerSpec.Dense(32), new LayerSpec.Relu()),
        List.of(HeadSpec.dense("species", HeadKind.CLASSIFICATION, 3)));
    LossSpec loss = new LossSpec(List.of(LossComponentSpec.of("classification", "cross_entropy", 1, "species", "species")));
    double sum = 0;
    int seeds = 5;
    for (int seed = 0; seed < seeds; seed++) {
      try (TrainingSession s = new PyTorchBackend().open(new SessionSpec(model, Weights.initialize(model, seed), loss, null,
              Device.CPU, seed, 1, 1));
          DataLoader all = DataLoader.builder(std, 50).optShuffle(false).build()) {
        EvalSummary e = Trainer.evaluate(s, "all", all, List.of(), null);
        sum += e.loss().raw("classification");
      }
    }
    // ln 3 = 1.0986; PyTorch-style init keeps logits within a few tenths of each other
    assertThat(sum / seeds).isCloseTo(Math.log(3), within(0.15));
    assertThat(io.holdout.losses.Baselines.uniformGuess(3).value()).isCloseTo(Math.log(3), within(1e-12));
  }
}
