package io.holdout.losses;

import io.holdout.api.HoldoutException;
import io.holdout.api.loss.LossBreakdown;
import io.holdout.api.loss.LossComponentSpec;
import io.holdout.api.loss.LossSpec;
import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.tensor.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A loss whose every component is resolved ({@link ResolvedComponent}): the one place where loss
 * parameters are parsed and checked, against the catalogue and against the model's heads. The CLI
 * resolves a config's loss before anything is opened, and every engine resolves the loss of a
 * session when it opens, so a bad value fails before training on every engine, with the same one
 * line.
 *
 * <p>Beyond the catalogue's checks ({@link LossCatalog#validate}), a component must read a head the
 * model has; {@code cross_entropy} and {@code focal} need a head of {@code [classes]} logits and
 * their {@code class_weights} / {@code alpha} one value per class, not all 0; {@code multibox_loc}
 * needs 4 values per anchor.
 */
public final class ResolvedLoss {
  private final LossSpec spec;
  private final List<ResolvedComponent> components;

  private ResolvedLoss(LossSpec spec, List<ResolvedComponent> components) {
    this.spec = spec;
    this.components = List.copyOf(components);
  }

  /**
   * Resolves {@code spec} for {@code model}; errors name the component and the parameter.
   *
   * @throws HoldoutException on the first problem
   */
  public static ResolvedLoss resolve(LossSpec spec, ModelSpec model) {
    return resolve(spec, model, null);
  }

  /**
   * Resolves {@code spec} for {@code model}.
   *
   * @param where what to name first in messages, e.g. the config file; null for nothing
   * @throws HoldoutException on the first problem, one line: {@code where}, the component, its type
   *     and the parameter
   */
  public static ResolvedLoss resolve(LossSpec spec, ModelSpec model, String where) {
    Objects.requireNonNull(spec, "loss spec is null");
    Objects.requireNonNull(model, "model is null");
    Set<String> heads = new LinkedHashSet<>();
    for (HeadSpec h : model.heads()) {
      heads.add(h.name());
    }
    List<ResolvedComponent> out = new ArrayList<>();
    for (LossComponentSpec c : spec.components()) {
      try {
        out.add(resolve(c, heads, model));
      } catch (HoldoutException e) {
        String msg = e.getMessage().startsWith("unknown loss type")
            ? "loss '" + c.name() + "': " + e.getMessage()
            : e.getMessage();
        throw new HoldoutException(where == null ? msg : where + ": " + msg, e);
      }
    }
    return new ResolvedLoss(spec, out);
  }

  private static ResolvedComponent resolve(LossComponentSpec c, Set<String> heads, ModelSpec model) {
    LossParams p = LossParams.of(c);
    p.checkAll();
    if (!heads.contains(c.output())) {
      throw fail(c, "reads output '" + c.output() + "' but the model's heads are " + heads);
    }
    long[] shape = model.outputShape(c.output());
    ResolvedComponent r = new ResolvedComponent(c, p, shape);
    if (r.custom() != null && r.custom().target() == io.holdout.api.data.TargetKind.CLASS && shape.length != 1) {
      throw fail(c, "logits must be [batch, classes], but head '" + c.output() + "' outputs [batch, "
          + Arrays.toString(shape).replaceAll("[\\[\\]]", "") + "]");
    }
    switch (c.type()) {
      case "cross_entropy", "focal" -> {
        if (shape.length != 1) {
          throw fail(c, "logits must be [batch, classes], but head '" + c.output() + "' outputs [batch, "
              + Arrays.toString(shape).replaceAll("[\\[\\]]", "") + "]");
        }
        String key = c.type().equals("focal") ? "alpha" : "class_weights";
        double[] w = c.type().equals("focal") ? r.alpha() : r.classWeights();
        if (w != null && w.length != r.units()) {
          throw fail(c, "parameter '" + key + "' has " + w.length + " values for the " + r.units()
              + " classes of head '" + c.output() + "'");
        }
        if (w != null && Arrays.stream(w).allMatch(v -> v == 0)) {
          throw fail(c, "parameter '" + key + "' is 0 for every class, so no label would count");
        }
      }
      case "multibox_loc" -> {
        if (r.units() % 4 != 0) {
          throw fail(c, "head '" + c.output() + "' has " + r.units() + " outputs, not 4 box offsets per anchor");
        }
      }
      default -> { }
    }
    return r;
  }

  private static HoldoutException fail(LossComponentSpec c, String what) {
    return new HoldoutException("loss '" + c.name() + "' (" + c.type() + "): " + what);
  }

  /** The loss as configured. */
  public LossSpec spec() {
    return spec;
  }

  /** The components, in the order of {@link #spec()}. */
  public List<ResolvedComponent> components() {
    return components;
  }

  /** The heads the components read, in component order, each once. */
  public Set<String> heads() {
    Set<String> out = new LinkedHashSet<>();
    components.forEach(c -> out.add(c.output()));
    return out;
  }

  /** Checks every component's targets in {@code batch}; see {@link ResolvedComponent#check}. */
  public void check(Batch batch) {
    components.forEach(c -> c.check(batch));
  }

  /**
   * The breakdown of one batch from what an engine computed, {@code raw} (each component's reduced
   * value) and {@code numerators} (each component's summed per-sample terms), with each component's
   * count ({@link ResolvedComponent#count}) computed here from the batch's targets.
   */
  public LossBreakdown breakdown(double[] raw, double[] numerators, Batch batch) {
    double[] counts = new double[components.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = components.get(i).count(batch);
    }
    return LossBreakdown.of(spec, raw, numerators, counts, batch.size());
  }
}
