package io.holdout.api.config;

import io.holdout.api.HoldoutException;
import io.holdout.api.data.DatasetSchema;
import io.holdout.api.data.TargetInfo;
import io.holdout.api.data.TargetKind;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadKind;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns config sections into the neutral specs that backends compile. */
public final class Specs {
  private Specs() {}

  /**
   * The model: the trunk, then per head its hidden layers and an output layer as wide as its
   * target (classes for classification, the value's width for regression).
   */
  public static ModelSpec model(ModelConfig m, DatasetSchema schema, String file) {
    List<HeadSpec> heads = new ArrayList<>();
    for (Map.Entry<String, HeadConfig> e : m.heads().entrySet()) {
      HeadConfig h = e.getValue();
      TargetInfo t = schema.targets().get(h.target());
      if (t == null) {
        throw new HoldoutException(file + ": head '" + e.getKey() + "' predicts unknown target '" + h.target()
            + "' (targets: " + schema.targets().keySet() + ")");
      }
      HeadKind kind = "classification".equals(h.type()) ? HeadKind.CLASSIFICATION : HeadKind.REGRESSION;
      if (t.kind() == TargetKind.DETECTION || !h.taps().isEmpty()) {
        heads.add(detectionHead(e.getKey(), h, kind, t, file));
        continue;
      }
      if (kind == HeadKind.CLASSIFICATION && t.kind() != TargetKind.CLASS) {
        throw new HoldoutException(file + ": head '" + e.getKey() + "' is a classification head but target '"
            + h.target() + "' is not a class target");
      }
      if (kind == HeadKind.REGRESSION && t.kind() != TargetKind.NUMBER) {
        throw new HoldoutException(file + ": head '" + e.getKey() + "' is a regression head but target '"
            + h.target() + "' is not a number target");
      }
      List<LayerSpec> layers = new ArrayList<>(layers(h.layers()));
      layers.add(new LayerSpec.Dense(t.units()));
      heads.add(new HeadSpec(e.getKey(), kind, layers));
    }
    try {
      return new ModelSpec(schema.inputShape(), layers(m.layers()), heads);
    } catch (IllegalArgumentException ex) {
      throw new HoldoutException(file + ": model: " + ex.getMessage());
    }
  }

  /**
   * A multi-scale head on a detection target: 4 box offsets per anchor for a regression head, the
   * classes plus the background (class 0) for a classification head.
   */
  private static HeadSpec detectionHead(String name, HeadConfig h, HeadKind kind, TargetInfo t, String file) {
    if (h.taps().isEmpty()) {
      throw new HoldoutException(file + ": head '" + name + "' predicts detection target '" + h.target()
          + "': give it 'taps' (the trunk layers whose feature maps it reads)");
    }
    if (t.kind() != TargetKind.DETECTION) {
      throw new HoldoutException(file + ": multi-scale head '" + name + "' must predict a detection target (boxes "
          + "or labels), not '" + h.target() + "'");
    }
    int units;
    if (kind == HeadKind.REGRESSION) {
      if (t.shape().length != 2 || t.shape()[1] != 4) {
        throw new HoldoutException(file + ": regression head '" + name + "' predicts box offsets: its target must "
            + "be the boxes, not '" + h.target() + "'");
      }
      units = 4;
    } else {
      if (t.shape().length != 1) {
        throw new HoldoutException(file + ": classification head '" + name + "' predicts classes: its target must "
            + "be the labels, not '" + h.target() + "'");
      }
      units = t.classCount() + 1;
    }
    try {
      return HeadSpec.multiScale(name, kind, units, h.taps(), h.anchorsPerLocation());
    } catch (IllegalArgumentException ex) {
      throw new HoldoutException(file + ": head '" + name + "': " + ex.getMessage());
    }
  }

  public static List<LayerSpec> layers(List<LayerConfig> configs) {
    List<LayerSpec> out = new ArrayList<>();
    for (LayerConfig l : configs) {
      out.add(switch (l.type()) {
        case "dense" -> new LayerSpec.Dense(l.units());
        case "relu" -> new LayerSpec.Relu();
        case "dropout" -> new LayerSpec.Dropout(l.rate());
        case "flatten" -> new LayerSpec.Flatten();
        case "conv2d" -> new LayerSpec.Conv2d(l.filters(), l.kernel(), l.stride() == null ? 1 : l.stride(),
            l.padding() == null ? 0 : l.padding());
        case "batchnorm" -> new LayerSpec.BatchNorm();
        case "maxpool" -> new LayerSpec.MaxPool(l.kernel(), l.stride() == null ? l.kernel() : l.stride());
        default -> throw new IllegalArgumentException("unknown layer type " + l.type());
      });
    }
    return out;
  }

  public static LossSpec loss(List<LossConfig> configs) {
    List<LossComponentSpec> out = new ArrayList<>();
    for (LossConfig c : configs) {
      out.add(new LossComponentSpec(c.name(), c.type(), c.weight(), c.output(), c.target(), c.params()));
    }
    return new LossSpec(out);
  }

  public static OptimizerSpec optimizer(OptimizerConfig o) {
    return new OptimizerSpec(o.type(), o.lr(), o.momentum(), o.nesterov(), o.weightDecay(), o.beta1(),
        o.beta2(), o.eps(), o.clipNorm());
  }
}
