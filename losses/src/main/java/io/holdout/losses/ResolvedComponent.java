package io.holdout.losses;

import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.tensor.Batch;
import java.util.Arrays;
import java.util.Objects;

/**
 * One loss component with every parameter parsed, defaulted from the catalogue and checked against
 * the head it reads: what engines compile, so that none of them parses a parameter. Made by {@link
 * ResolvedLoss#resolve}.
 *
 * <p>It also holds the engine-neutral half of the loss: the checks of a batch's targets ({@link
 * #check}) and each sample's <b>denominator</b> ({@link #denominators}), which depends on the
 * targets and the parameters only, never on predictions: the number of elements of the sample
 * ({@code mse}, {@code mae}, {@code smooth_l1}, {@code huber}, {@code binary_cross_entropy}), 1
 * ({@code focal}), the weight of the sample's label, 0 when it is ignored ({@code cross_entropy}),
 * or the number of positive anchors of the image ({@code multibox_loc}, {@code multibox_conf}).
 *
 * <p>Accessors of a parameter the type does not have throw {@link IllegalStateException}.
 */
public final class ResolvedComponent {
  private final LossComponentSpec spec;
  private final LossType type;
  private final Reduction reduction;
  private final long[] headShape;
  private final int units;
  private final double beta;
  private final double delta;
  private final double labelSmoothing;
  private final double[] classWeights;
  private final long ignoreIndex;
  private final double posWeight;
  private final double gamma;
  private final double[] alpha;
  private final double negPosRatio;
  private final String labels;
  private final io.holdout.api.loss.CustomLoss custom;

  ResolvedComponent(LossComponentSpec spec, LossParams p, long[] headShape) {
    this.spec = spec;
    this.custom = p.custom();
    this.type = p.type();
    this.reduction = p.reduction();
    this.headShape = headShape.clone();
    this.units = Math.toIntExact(io.holdout.api.tensor.Tensor.elementCount(headShape));
    this.beta = has("beta") ? p.number("beta") : Double.NaN;
    this.delta = has("delta") ? p.number("delta") : Double.NaN;
    this.labelSmoothing = has("label_smoothing") ? p.number("label_smoothing") : Double.NaN;
    this.classWeights = has("class_weights") ? p.numbers("class_weights") : null;
    this.ignoreIndex = has("ignore_index") ? p.integer("ignore_index") : 0;
    this.posWeight = has("pos_weight") ? p.number("pos_weight") : Double.NaN;
    this.gamma = has("gamma") ? p.number("gamma") : Double.NaN;
    this.alpha = has("alpha") ? p.numbers("alpha") : null;
    this.negPosRatio = has("neg_pos_ratio") ? p.number("neg_pos_ratio") : Double.NaN;
    this.labels = has("labels") ? p.string("labels") : null;
  }

  private boolean has(String key) {
    return type.defaults().containsKey(key);
  }

  private void require(String key) {
    if (!has(key)) {
      throw new IllegalStateException("loss type " + type.name() + " has no parameter '" + key + "'");
    }
  }

  /** The component as configured. */
  public LossComponentSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  /** The catalogue name, e.g. {@code cross_entropy}. */
  public String type() {
    return spec.type();
  }

  public double weight() {
    return spec.weight();
  }

  /** A plugin's loss at this component's parameters, or null for a built-in type. */
  public io.holdout.api.loss.CustomLoss custom() {
    return custom;
  }

  /** The head it reads. */
  public String output() {
    return spec.output();
  }

  /** The batch tensor it compares with. */
  public String target() {
    return spec.target();
  }

  public Reduction reduction() {
    return reduction;
  }

  /** The head's output shape without the batch dimension. */
  public long[] headShape() {
    return headShape.clone();
  }

  /** Values per sample of the head's output. */
  public int units() {
    return units;
  }

  /** {@code smooth_l1}'s beta ({@code >= 0}; 0 is L1). */
  public double beta() {
    require("beta");
    return beta;
  }

  /** {@code huber}'s delta ({@code > 0}). */
  public double delta() {
    require("delta");
    return delta;
  }

  /** {@code cross_entropy}'s label smoothing in {@code [0, 1]}. */
  public double labelSmoothing() {
    require("label_smoothing");
    return labelSmoothing;
  }

  /** {@code cross_entropy}'s class weights, one per class, or null for all 1. */
  public double[] classWeights() {
    require("class_weights");
    return classWeights == null ? null : classWeights.clone();
  }

  /** {@code cross_entropy}'s ignored label. */
  public long ignoreIndex() {
    require("ignore_index");
    return ignoreIndex;
  }

  /** {@code binary_cross_entropy}'s weight of the positive term ({@code > 0}). */
  public double posWeight() {
    require("pos_weight");
    return posWeight;
  }

  /** {@code focal}'s gamma ({@code >= 0}). */
  public double gamma() {
    require("gamma");
    return gamma;
  }

  /** {@code focal}'s class weights alpha, one per class, or null for all 1. */
  public double[] alpha() {
    require("alpha");
    return alpha == null ? null : alpha.clone();
  }

  /** {@code multibox_conf}'s negatives kept per positive, per image ({@code >= 0}). */
  public double negPosRatio() {
    require("neg_pos_ratio");
    return negPosRatio;
  }

  /** {@code multibox_loc}'s batch tensor of anchor labels. */
  public String labels() {
    require("labels");
    return labels;
  }

  /**
   * Checks this component's targets in {@code batch} before an engine runs it: present, of the
   * right size and type, labels in range.
   *
   * @throws io.holdout.api.HoldoutException naming the component and what is wrong
   */
  public void check(Batch batch) {
    TargetCheck.check(this, batch);
  }

  /**
   * Each sample's denominator on {@code batch} (see the class comment), in double precision; the
   * targets must have passed {@link #check}.
   */
  public double[] denominators(Batch batch) {
    Objects.requireNonNull(batch, "batch is null");
    int b = batch.size();
    double[] den = new double[b];
    if (custom != null) {
      Arrays.fill(den, custom.normalisation() == io.holdout.api.loss.CustomLoss.Normalisation.ELEMENTS
          ? units : 1);
      return den;
    }
    switch (spec.type()) {
      case "mse", "mae", "smooth_l1", "huber", "binary_cross_entropy" -> Arrays.fill(den, units);
      case "focal" -> Arrays.fill(den, 1);
      case "cross_entropy" -> {
        long[] y = TargetCheck.labels(batch.get(spec.target()), "loss '" + spec.name() + "' target");
        for (int i = 0; i < b; i++) {
          if (y[i] != ignoreIndex) {
            den[i] = classWeights == null ? 1 : classWeights[(int) y[i]];
          }
        }
      }
      case "multibox_loc", "multibox_conf" -> {
        String field = spec.type().equals("multibox_loc") ? labels : spec.target();
        long[] y = TargetCheck.labels(batch.get(field), "loss '" + spec.name() + "' anchor labels");
        int anchors = b == 0 ? 0 : y.length / b;
        for (int i = 0; i < y.length; i++) {
          if (y[i] > 0) {
            den[i / anchors]++;
          }
        }
      }
      default -> throw new IllegalStateException("no denominator for loss type " + spec.type());
    }
    return den;
  }

  /**
   * What a split figure divides this component's summed numerators by, for {@code batch}: the
   * summed {@link #denominators} for {@code reduction: mean}, the number of samples for {@code sum}
   * (whose split figure is then the summed loss per sample).
   */
  public double count(Batch batch) {
    if (reduction == Reduction.SUM) {
      return batch.size();
    }
    double s = 0;
    for (double d : denominators(batch)) {
      s += d;
    }
    return s;
  }

  @Override
  public String toString() {
    return "loss '" + spec.name() + "' (" + spec.type() + ")";
  }
}
