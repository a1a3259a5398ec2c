package io.holdout.losses.reference;

import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.DType;
import io.holdout.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Small, fixed inputs for every loss type and its interesting parameters, so that each backend's
 * tests can run its implementation on exactly these and compare with {@link ReferenceLosses}
 * (value, per-sample values and gradient). The losses module's own tests check the reference on
 * them against values worked out by hand.
 *
 * <p>Every case's output is named {@code out}; targets are named {@code y} (and {@code labels} for
 * MultiBox).
 */
public final class ReferenceCases {
  private ReferenceCases() {}

  /**
   * One input: a component, the head outputs and the batch.
   *
   * @param title a unique, readable name such as {@code cross_entropy/weighted}
   */
  public record Case(String title, LossComponentSpec spec, Map<String, Tensor> outputs, Batch batch) {
    public Case {
      Objects.requireNonNull(title, "title is null");
      Objects.requireNonNull(spec, "spec is null");
      outputs = Map.copyOf(outputs);
      Objects.requireNonNull(batch, "batch is null");
    }

    @Override
    public String toString() {
      return title;
    }
  }

  private static final float LN2 = (float) Math.log(2);
  private static final float LN3 = (float) Math.log(3);
  private static final float LN4 = (float) Math.log(4);

  /** Every case, in a fixed order. */
  public static List<Case> all() {
    List<Case> out = new ArrayList<>();
    // regression: 2 samples × 2 outputs, d = p - t = [0.5, -2, 0, 0.2]
    Tensor p = Tensor.ofFloats(new long[] {2, 2}, 1.5f, 0f, 3f, 0.2f);
    Tensor t = Tensor.ofFloats(new long[] {2, 2}, 1f, 2f, 3f, 0f);
    for (String type : List.of("mse", "mae", "smooth_l1", "huber")) {
      out.add(simple(type, type, Map.of(), p, t));
      out.add(simple(type + "/sum", type, Map.of("reduction", "sum"), p, t));
    }
    out.add(simple("smooth_l1/beta_0.5", "smooth_l1", Map.of("beta", 0.5), p, t));
    out.add(simple("smooth_l1/beta_0", "smooth_l1", Map.of("beta", 0.0), p, t));
    out.add(simple("huber/delta_0.5", "huber", Map.of("delta", 0.5), p, t));

    // classification: 3 samples × 3 classes with softmax [1/6, 1/3, 1/2], [1/3, 1/3, 1/3], [3/5, 1/5, 1/5]
    Tensor logits = Tensor.ofFloats(new long[] {3, 3}, 0f, LN2, LN3, 0f, 0f, 0f, LN3, 0f, 0f);
    Tensor labels = Tensor.ofLongs(new long[] {3}, 2, 0, 1);
    out.add(simple("cross_entropy", "cross_entropy", Map.of(), logits, labels));
    out.add(simple("cross_entropy/sum", "cross_entropy", Map.of("reduction", "sum"), logits, labels));
    out.add(simple("cross_entropy/weighted", "cross_entropy",
        Map.of("class_weights", List.of(1.0, 2.0, 3.0)), logits, labels));
    out.add(simple("cross_entropy/smoothing", "cross_entropy", Map.of("label_smoothing", 0.1), logits, labels));
    out.add(simple("cross_entropy/weighted_smoothing", "cross_entropy",
        Map.of("class_weights", List.of(1.0, 2.0, 3.0), "label_smoothing", 0.1), logits, labels));
    out.add(simple("cross_entropy/ignore", "cross_entropy", Map.of(), logits,
        Tensor.ofLongs(new long[] {3}, 2, -100, 1)));
    out.add(simple("cross_entropy/all_ignored", "cross_entropy", Map.of("ignore_index", 7), logits,
        Tensor.ofLongs(new long[] {3}, 7, 7, 7)));
    out.add(simple("focal", "focal", Map.of(), logits, labels));
    out.add(simple("focal/alpha", "focal", Map.of("alpha", List.of(1.0, 2.0, 3.0)), logits, labels));
    out.add(simple("focal/gamma_0", "focal", Map.of("gamma", 0.0), logits, labels));

    // binary cross-entropy: 2 samples × 2 labels
    Tensor x = Tensor.ofFloats(new long[] {2, 2}, 0f, 2f, -1f, 3f);
    Tensor y = Tensor.ofFloats(new long[] {2, 2}, 1f, 0f, 0f, 1f);
    out.add(simple("binary_cross_entropy", "binary_cross_entropy", Map.of(), x, y));
    out.add(simple("binary_cross_entropy/pos_weight", "binary_cross_entropy", Map.of("pos_weight", 2.0), x, y));

    // MultiBox: 2 images × 6 anchors × (background + 2 classes)
    Tensor conf = Tensor.ofFloats(new long[] {2, 6, 3},
        0f, LN2, 0f, LN4, 0f, 0f, 0f, 0f, 0f, -LN2, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
        0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, LN3, LN2, 0f, 0f, LN4, 0f, 0f, -LN2, 0f, 0f);
    Tensor anchorLabels = Tensor.ofLongs(new long[] {2, 6}, 1, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0);
    float[] locValues = new float[48];
    float[] boxValues = new float[48];
    Arrays.fill(boxValues, 9f); // negatives' targets: must not count
    float[] pos0 = {0.5f, -2f, 0f, 0.2f};
    System.arraycopy(pos0, 0, boxValues, 0, 4);
    float[] pos1 = {1f, 1f, 1f, 1f};
    System.arraycopy(pos1, 0, boxValues, (6 + 1) * 4, 4);
    System.arraycopy(pos1, 0, locValues, (6 + 1) * 4, 4);
    float[] pos2 = {0f, 0f, 0f, 3f};
    System.arraycopy(pos2, 0, boxValues, (6 + 2) * 4, 4);
    Tensor loc = Tensor.ofFloats(new long[] {2, 6, 4}, locValues);
    Tensor boxes = Tensor.ofFloats(new long[] {2, 6, 4}, boxValues);
    Map<String, Tensor> detTargets = new LinkedHashMap<>();
    detTargets.put("y", boxes);
    detTargets.put("labels", anchorLabels);
    out.add(new Case("multibox_loc", spec("multibox_loc", Map.of()), Map.of("out", loc), batch(detTargets)));
    Map<String, Tensor> confTargets = Map.of("y", anchorLabels);
    out.add(new Case("multibox_conf", spec("multibox_conf", Map.of()), Map.of("out", conf), batch(confTargets)));
    out.add(new Case("multibox_conf/ratio_1", spec("multibox_conf", Map.of("neg_pos_ratio", 1)),
        Map.of("out", conf), batch(confTargets)));
    out.add(new Case("multibox_conf/no_positives", spec("multibox_conf", Map.of()), Map.of("out", conf),
        batch(Map.of("y", Tensor.zeros(DType.INT64, 2, 6)))));
    return List.copyOf(out);
  }

  /** The case called {@code title}. */
  public static Case get(String title) {
    for (Case c : all()) {
      if (c.title().equals(title)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no reference case '" + title + "'");
  }

  private static Case simple(String title, String type, Map<String, Object> params, Tensor out, Tensor y) {
    return new Case(title, spec(type, params), Map.of("out", out), batch(Map.of("y", y)));
  }

  private static LossComponentSpec spec(String type, Map<String, Object> params) {
    return new LossComponentSpec(type, type, 1.0, "out", "y", params);
  }

  private static Batch batch(Map<String, Tensor> tensors) {
    int n = (int) tensors.values().iterator().next().dim(0);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("s" + i);
    }
    return new Batch(ids, tensors);
  }
}
