package io.holdout.run;

import io.holdout.api.HoldoutException;
import io.holdout.api.config.DetectionConfig;
import io.holdout.api.config.MetricConfig;
import io.holdout.api.metrics.Metric;
import io.holdout.api.model.ModelSpec;
import io.holdout.datasets.detection.AnchorMatcher;
import io.holdout.datasets.detection.Anchors;
import io.holdout.datasets.detection.BoxCoder;
import io.holdout.datasets.detection.BoxDecoder;
import io.holdout.datasets.detection.BoxEncoder;
import io.holdout.datasets.detection.DetectionMapMetric;
import io.holdout.datasets.detection.Nms;
import io.holdout.datasets.transform.RandomHorizontalFlip;
import io.holdout.datasets.transform.SampleTransform;

/**
 * The detection side of an experiment, built from its {@code detection} section and model: the
 * default boxes of the multi-scale heads, the encoder the loaders run on every sample (matching and
 * centre/size encoding), the decoder with its NMS, and the mAP metric.
 */
public final class DetectionSetup {
  private final DetectionConfig config;
  private final Anchors anchors;
  private final BoxEncoder encoder;
  private final Nms nms;
  private final BoxDecoder decoder;

  private DetectionSetup(DetectionConfig config, Anchors anchors, BoxEncoder encoder, Nms nms) {
    this.config = config;
    this.anchors = anchors;
    this.encoder = encoder;
    this.nms = nms;
    this.decoder = BoxDecoder.matching(encoder, nms);
  }

  /** From a validated config's {@code detection} section and the model it describes. */
  public static DetectionSetup of(DetectionConfig d, ModelSpec model, String file) {
    double[] sizes = d.anchors().sizes().stream().mapToDouble(Double::doubleValue).toArray();
    double[] ratios = d.anchors().ratios().stream().mapToDouble(Double::doubleValue).toArray();
    try {
      Anchors anchors = Anchors.forHead(model, d.loc(), sizes, ratios);
      BoxEncoder encoder = new BoxEncoder(new AnchorMatcher(anchors, d.matchIou()),
          new BoxCoder(d.variances().get(0), d.variances().get(1)));
      Nms nms = new Nms(d.nms().iou(), d.nms().score(), d.nms().preTopK(), d.nms().topK());
      return new DetectionSetup(d, anchors, encoder, nms);
    } catch (IllegalArgumentException e) {
      throw new HoldoutException(file + ": detection: " + e.getMessage());
    }
  }

  /** Training samples: a random horizontal flip (when {@code detection.flip > 0}), then encoding. */
  public SampleTransform trainTransform() {
    return trainTransform(null);
  }

  /**
   * Training samples: a random horizontal flip (when {@code detection.flip > 0}), then {@code
   * augment} (the config's {@code data.transforms}; null for none), then encoding.
   */
  public SampleTransform trainTransform(SampleTransform augment) {
    SampleTransform t = config.flip() > 0 ? new RandomHorizontalFlip(config.flip()) : null;
    if (augment != null) {
      t = t == null ? augment : t.andThen(augment);
    }
    return t == null ? encoder : t.andThen(encoder);
  }

  /** Validation and test samples: encoding only. */
  public SampleTransform evalTransform() {
    return encoder;
  }

  /** Fields the loader pads per batch (the raw boxes and labels kept for mAP). */
  public String[] paddedFields() {
    return BoxEncoder.paddedFields();
  }

  /**
   * The {@code map} metric: {@code params.iou} 0.5 (VOC, default) or {@code "0.5:0.95"} (COCO).
   *
   * @throws HoldoutException one line naming the parameter at fault (the caller adds the file)
   */
  public Metric metric(MetricConfig m) {
    Object iou = m.params().getOrDefault("iou", 0.5);
    for (String key : m.params().keySet()) {
      if (!key.equals("iou")) {
        throw new HoldoutException("map takes only params.iou, not '" + key + "'");
      }
    }
    if (iou instanceof Number n && n.doubleValue() == 0.5) {
      return DetectionMapMetric.voc(decoder, config.loc(), config.conf());
    }
    if ("0.5:0.95".equals(String.valueOf(iou))) {
      return DetectionMapMetric.coco(decoder, config.loc(), config.conf());
    }
    throw new HoldoutException("map params.iou must be 0.5 (VOC) or \"0.5:0.95\" (COCO), got " + iou);
  }

  public DetectionConfig config() {
    return config;
  }

  public Anchors anchors() {
    return anchors;
  }

  public BoxEncoder encoder() {
    return encoder;
  }

  /** Decoding with the config's NMS (mAP settings: a low score threshold). */
  public BoxDecoder decoder() {
    return decoder;
  }

  /** Decoding with the config's NMS but another score threshold (e.g. 0.5 for pictures). */
  public BoxDecoder decoder(double scoreThreshold) {
    return BoxDecoder.matching(encoder, new Nms(nms.iouThreshold(), scoreThreshold, nms.preNmsTopK(), nms.topK()));
  }
}
