package io.holdout.engine.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdout.api.backend.EvalResult;
import io.holdout.api.backend.TrainingSession;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossMeter;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Weights;
import io.holdout.api.tensor.Batch;
import io.holdout.datasets.detection.Anchors;
import io.holdout.datasets.detection.BoxDecoder;
import io.holdout.datasets.detection.BoxEncoder;
import io.holdout.datasets.detection.DetectionEvaluator;
import io.holdout.datasets.detection.Nms;
import io.holdout.datasets.image.ShapesSource;
import io.holdout.datasets.loader.DataLoader;
import io.holdout.losses.metrics.DetectionMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A small SSD on 32 px generated shapes, trained for a few epochs with the detection encoding in
 * the loader: the validation loss falls and mAP@0.5 rises.
 */
class SsdEndToEndTest {
  record Eval(double loss, double localisation, double classification, double map) {}

  @Test
  void trainingLowersValLossAndRaisesMap() {
    // 3x32x32 -> conv16 (0) bn relu pool (3: 16x16) -> conv32 (4) bn relu (6: 16x16) -> pool (7: 8x8)
    // -> conv32 (8) bn relu (10: 8x8, tap) -> conv32 s2 (11) bn relu (13: 4x4, tap)
    List<LayerSpec> trunk =
        List.of(
            new LayerSpec.Conv2d(16, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(32, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(32, 3, 1, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu(),
            new LayerSpec.Conv2d(32, 3, 2, 1), new LayerSpec.BatchNorm(), new LayerSpec.Relu());
    double[] ratios = {2};
    int k = Anchors.perLocation(ratios);
    ModelSpec spec =
        new ModelSpec(
            new long[] {3, 32, 32},
            trunk,
            List.of(
                HeadSpec.multiScale("loc", HeadKind.REGRESSION, 4, List.of(10, 13), k),
                HeadSpec.multiScale("conf", HeadKind.CLASSIFICATION, 4, List.of(10, 13), k)));
    Anchors anchors = Anchors.forHead(spec, "loc", new double[] {0.2, 0.4, 0.7}, ratios);
    assertThat(anchors.size()).isEqualTo((64 + 16) * k);
    BoxEncoder encoder = new BoxEncoder(anchors);
    BoxDecoder decoder = BoxDecoder.matching(encoder, Nms.forEvaluation());
    LossSpec loss =
        new LossSpec(
            List.of(
                new LossComponentSpec("localisation", "multibox_loc", 1.0, "loc", "boxes", Map.of("labels", "labels")),
                new LossComponentSpec("classification", "multibox_conf", 1.0, "conf", "labels", Map.of())));
    ShapesSource train = ShapesSource.builder(640, 32, 32).optSeed(1).optObjects(1, 2).build();
    ShapesSource val = ShapesSource.builder(128, 32, 32).optSeed(2).optObjects(1, 2).build();
    try (DataLoader trainLoader = loader(train, encoder, true);
        DataLoader valLoader = loader(val, encoder, false);
        TrainingSession s =
            TestData.BACKEND.open(
                new io.holdout.api.backend.SessionSpec(
                    spec, Weights.initialize(spec, 1), loss,
                    TestData.optimizer("adam", 0.003, 0, false, 0, 0),
                    io.holdout.api.backend.Device.CPU, 1, 2, 1))) {
      Eval before = evaluate(s, valLoader, decoder);
      Eval after = before;
      for (int epoch = 0; epoch < 6; epoch++) {
        Iterator<Batch> it = trainLoader.epoch(epoch);
        while (it.hasNext()) {
          s.trainStep(it.next());
        }
        after = evaluate(s, valLoader, decoder);
      }
      assertThat(after.loss()).isLessThan(0.7 * before.loss());
      assertThat(after.localisation()).isLessThan(before.localisation());
      assertThat(after.classification()).isLessThan(before.classification());
      assertThat(after.map()).as("val mAP@0.5 after training (before: %s)", before.map())
          .isGreaterThan(before.map() + 0.2);
    }
  }

  private static DataLoader loader(ShapesSource ds, BoxEncoder encoder, boolean shuffle) {
    return DataLoader.builder(ds, 32)
        .optShuffle(shuffle)
        .optSeed(3)
        .optNumWorkers(1)
        .optTransform(encoder)
        .optPadded(BoxEncoder.paddedFields())
        .build();
  }

  private static Eval evaluate(TrainingSession s, DataLoader loader, BoxDecoder decoder) {
    DetectionEvaluator ev = new DetectionEvaluator(decoder, "loc", "conf", DetectionMap.voc());
    LossMeter meter = new LossMeter();
    Iterator<Batch> it = loader.epoch(0);
    while (it.hasNext()) {
      Batch b = it.next();
      EvalResult r = s.evalStep(b);
      meter.add(r.loss());
      ev.add(b, r);
    }
    var l = meter.mean();
    return new Eval(l.total(), l.raw("localisation"), l.raw("classification"), ev.value());
  }
}
