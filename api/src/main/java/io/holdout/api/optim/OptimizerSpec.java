package io.holdout.api.optim;

import java.util.List;
import java.util.Objects;

/**
 * An engine-neutral optimizer. Types: {@code sgd} (momentum, Nesterov, L2 weight decay added to the
 * gradient), {@code adam} (L2 weight decay added to the gradient) and {@code adamw} (decoupled weight
 * decay). {@code clipNorm > 0} clips gradients by their global L2 norm before the update.
 *
 * <p>Update rules follow PyTorch's {@code torch.optim} exactly, so engines agree number for number.
 *
 * <p>Any other type is a registered optimizer ({@code Registry.optimizer}) and carries its {@link
 * UpdateRule}, which every training backend compiles ({@link #usesRule()}); its hyper-parameters are
 * inside the rule, so only {@code lr} and {@code clipNorm} of the other fields apply.
 *
 * @param rule the update rule: required for a type that is not built in; for a built-in type the
 *     rule the registry gave (or {@code null}), engines run their native path
 */
public record OptimizerSpec(
    String type,
    double lr,
    double momentum,
    boolean nesterov,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double clipNorm,
    UpdateRule rule) {

  /** Optimizer type names every backend is asked to know. */
  public static final List<String> TYPES = List.of("sgd", "adam", "adamw");

  public OptimizerSpec {
    Objects.requireNonNull(type, "optimizer type is null");
    if (!(lr > 0)) {
      throw new IllegalArgumentException("optimizer lr must be > 0, got " + lr);
    }
    if (rule == null && !TYPES.contains(type)) {
      throw new IllegalArgumentException("optimizer '" + type + "' is not built in and has no update rule");
    }
  }

  /** A built-in optimizer (native on every engine). */
  public OptimizerSpec(String type, double lr, double momentum, boolean nesterov, double weightDecay, double beta1,
      double beta2, double eps, double clipNorm) {
    this(type, lr, momentum, nesterov, weightDecay, beta1, beta2, eps, clipNorm, null);
  }

  /**
   * A registered optimizer named {@code type}, given by its update {@code rule}.
   *
   * @param clipNorm {@code > 0}: clip gradients by their global L2 norm before the rule sees them
   */
  public static OptimizerSpec ofRule(String type, double lr, double clipNorm, UpdateRule rule) {
    Objects.requireNonNull(rule, "rule is null");
    return new OptimizerSpec(type, lr, 0, false, 0, 0.9, 0.999, 1e-8, clipNorm, rule);
  }

  /**
   * Whether engines compile {@link #rule()} (a type that is not built in) rather than running their
   * native code for the type.
   */
  public boolean usesRule() {
    return !TYPES.contains(type);
  }

  public static OptimizerSpec sgd(double lr, double momentum) {
    return new OptimizerSpec("sgd", lr, momentum, false, 0, 0.9, 0.999, 1e-8, 0);
  }

  public static OptimizerSpec adam(double lr) {
    return new OptimizerSpec("adam", lr, 0, false, 0, 0.9, 0.999, 1e-8, 0);
  }

  public OptimizerSpec withLr(double newLr) {
    return new OptimizerSpec(type, newLr, momentum, nesterov, weightDecay, beta1, beta2, eps, clipNorm, rule);
  }

  /**
   * Checks the hyper-parameters of the built-in types (weight decay and clipping; momentum and
   * Nesterov for {@code sgd}; betas and eps for {@code adam} and {@code adamw}); every engine calls
   * it when a training session opens.
   *
   * @throws io.holdout.api.HoldoutException one line naming the optimizer and the value
   */
  public void checkHyperParameters() {
    String where = "optimizer '" + type + "'";
    require(weightDecay >= 0, where + ": weight_decay must be >= 0, got " + weightDecay);
    require(clipNorm >= 0, where + ": clip_norm must be >= 0, got " + clipNorm);
    if (type.equals("sgd")) {
      require(momentum >= 0, where + ": momentum must be >= 0, got " + momentum);
      require(!nesterov || momentum > 0, where + ": nesterov needs momentum > 0");
    } else if (type.equals("adam") || type.equals("adamw")) {
      require(beta1 >= 0 && beta1 < 1, where + ": beta1 must be in [0, 1), got " + beta1);
      require(beta2 >= 0 && beta2 < 1, where + ": beta2 must be in [0, 1), got " + beta2);
      require(eps >= 0, where + ": eps must be >= 0, got " + eps);
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new io.holdout.api.HoldoutException(message);
    }
  }
}
